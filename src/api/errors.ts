import { GwError, type ErrorCode } from '../lib/errors.js';

/**
 * Errors the typed client raises, with the daemon's code when the daemon answered one; the kind follows the code,
 * so a daemon bug (500 `internal`) stays a bug on this side too.
 */
export class GwClientError extends GwError {
  constructor(
    message: string,
    code: ErrorCode,
    readonly status?: number,
  ) {
    super(code, message);
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
