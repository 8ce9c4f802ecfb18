import { homedir } from 'node:os';
import { join, resolve } from 'node:path';

/** Where one gateway keeps its files. Several gateways can run side by side with different data dirs. */
export interface GwPaths {
  readonly dataDir: string;
  readonly configFile: string;
  readonly daemonFile: string;
  readonly tokenFile: string;
  readonly logFile: string;
  readonly keystoreDir: string;
  readonly devnetDir: string;
}

/**
 * Resolves the data directory: `--data-dir`, else `GW_DATA_DIR`, else the XDG state directory
 * (`$XDG_STATE_HOME/gw`, default `~/.local/state/gw`). Everything of one gateway lives under it.
 */
export function resolvePaths(dataDirFlag?: string, env: NodeJS.ProcessEnv = process.env): GwPaths {
  const xdgState = env.XDG_STATE_HOME && env.XDG_STATE_HOME !== '' ? env.XDG_STATE_HOME : join(homedir(), '.local', 'state');
  const dataDir = resolve(dataDirFlag ?? (env.GW_DATA_DIR || join(xdgState, 'gw')));
  return {
    dataDir,
    configFile: join(dataDir, 'config.json'),
    daemonFile: join(dataDir, 'daemon.json'),
    tokenFile: join(dataDir, 'control.token'),
    logFile: join(dataDir, 'gw.log'),
    keystoreDir: join(dataDir, 'keystore'),
    devnetDir: join(dataDir, 'devnet'),
  };
}
