/** Errors the typed client raises; commands turn them into one clear line and exit code 1. */
export class GwClientError extends Error {
  constructor(
    message: string,
    readonly code: string,
    readonly status?: number,
  ) {
    super(message);
    this.name = 'GwClientError';
  }
}

/** The daemon is not running in this data dir, or does not answer. */
export class DaemonNotRunningError extends GwClientError {
  constructor(dataDir: string, detail?: string) {
    super(`the gw daemon is not running (data dir ${dataDir})${detail ? `: ${detail}` : ''}. Start it with \`gw start\`.`, 'daemon_not_running');
  }
}

/** The token was rejected: usually a data dir mix-up. */
export class UnauthorizedError extends GwClientError {
  constructor(dataDir: string) {
    super(`the control API rejected our token; is the token in ${dataDir} from this daemon? Check --data-dir / GW_DATA_DIR.`, 'unauthorized', 401);
  }
}
