import { Command, Errors, Flags } from '@oclif/core';
import { GwClientError } from '../api/errors.js';
import { resolvePaths, type GwPaths } from '../lib/settings/paths.js';

/**
 * Base of every gw command: the global `--data-dir` flag (also GW_DATA_DIR), `--json`, and one error policy —
 * a clear one-line message and exit code 1, never a stack trace; usage errors keep oclif's exit code 2.
 */
export abstract class GwCommand extends Command {
  static override enableJsonFlag = true;

  static override baseFlags = {
    'data-dir': Flags.string({
      description: 'Data directory of the gateway to act on (default: $GW_DATA_DIR or ~/.local/state/gw)',
      env: 'GW_DATA_DIR',
      helpGroup: 'GLOBAL',
    }),
  };

  /** Paths of the selected gateway. */
  protected pathsFor(flags: { 'data-dir'?: string }): GwPaths {
    return resolvePaths(flags['data-dir']);
  }

  protected override async catch(err: Error & { exitCode?: number; oclif?: { exit?: number } }): Promise<unknown> {
    if (err.oclif?.exit === 2 || err instanceof Errors.CLIError) return super.catch(err);
    const message = err instanceof GwClientError || err.name === 'GwUserError' ? err.message : `${err.message}`;
    if (this.jsonEnabled()) {
      process.exitCode = 1;
      this.logJson({ error: { code: (err as GwClientError).code ?? 'error', message } });
      return undefined;
    }
    return super.catch(new Errors.CLIError(message, { exit: 1 }));
  }
}

/** An error that is the user's to fix; printed as its message alone. */
export class GwUserError extends Error {
  constructor(
    message: string,
    readonly code = 'error',
  ) {
    super(message);
    this.name = 'GwUserError';
  }
}
