import { Command, Errors, Flags } from '@oclif/core';
import { GwClientError } from '../api/errors.js';
import { GwError, isInternalError, type ErrorCode } from '../lib/errors.js';
import { resolvePaths, type GwPaths } from '../lib/settings/paths.js';

/** sysexits EX_SOFTWARE: the exit code of an internal error, so scripts can tell a bug in gw from a user mistake. */
export const EXIT_INTERNAL = 70;

/**
 * Base of every gw command: the global `--data-dir` flag (also GW_DATA_DIR), `--debug`, `--json`, and one error
 * policy — a user or peer error prints its message alone and exits 1; usage errors keep oclif's exit code 2; an
 * internal error (a bug) says so, prints its stack only with `--debug`, and exits 70.
 */
export abstract class GwCommand extends Command {
  static override enableJsonFlag = true;

  static override baseFlags = {
    'data-dir': Flags.string({
      description: 'Data directory of the gateway to act on (default: $GW_DATA_DIR or ~/.local/state/gw)',
      env: 'GW_DATA_DIR',
      helpGroup: 'GLOBAL',
    }),
    debug: Flags.boolean({
      description: 'On an internal error (a bug in gw), print its stack trace (also GW_DEBUG=1)',
      env: 'GW_DEBUG',
      helpGroup: 'GLOBAL',
    }),
  };

  /** Paths of the selected gateway. */
  protected pathsFor(flags: { 'data-dir'?: string }): GwPaths {
    return resolvePaths(flags['data-dir']);
  }

  protected override async catch(err: Error & { exitCode?: number; oclif?: { exit?: number } }): Promise<unknown> {
    // oclif's own JSON form of a usage error dumps the whole parser context and exits 1: keep our shape and exit 2
    if (err.oclif?.exit === 2 && this.jsonEnabled()) {
      process.exitCode = 2;
      this.logJson({ error: { code: 'usage' satisfies ErrorCode, kind: 'user', message: err.message } });
      return undefined;
    }
    if (err.oclif?.exit === 2 || err instanceof Errors.CLIError) return super.catch(err);
    const internal = isInternalError(err);
    const code: ErrorCode = err instanceof GwError ? err.code : 'internal';
    const kind = err instanceof GwError ? err.kind : 'internal';
    // The error may come before flags are parsed, so --debug is read from argv, as oclif itself does for --json.
    const debug = this.argv.includes('--debug') || /^(1|true|yes)$/i.test(process.env.GW_DEBUG ?? '');
    if (this.jsonEnabled()) {
      process.exitCode = internal ? EXIT_INTERNAL : 1;
      this.logJson({ error: { code, kind, message: err.message, ...(internal && debug && err.stack ? { stack: err.stack } : {}) } });
      return undefined;
    }
    if (!internal) return super.catch(new Errors.CLIError(err.message, { exit: 1 }));
    process.exitCode = EXIT_INTERNAL;
    process.stderr.write(`${this.bugReport(err, debug)}\n`);
    return undefined;
  }

  /** The lines an internal error prints: what failed, that it is a bug, how to report it, and the stack with --debug. */
  private bugReport(err: Error, debug: boolean): string {
    const command = `gw ${(this.id ?? '').replaceAll(':', ' ')}`.trim();
    // The daemon logged its own stack; ours would only show the client side of the request.
    const fromDaemon = err instanceof GwClientError;
    const lines = [
      `Error: ${err.message}`,
      fromDaemon
        ? 'This is a bug in the gw daemon: please report it with the daemon log (gw.log in the data dir, or `gw logs`).'
        : `This is a bug in gw: please report it with the output of \`${command} --debug\`.`,
    ];
    if (debug && !fromDaemon) lines.push(err.stack ?? String(err));
    return lines.join('\n');
  }
}

/** An error that is the user's to fix; printed as its message alone. */
export class GwUserError extends GwError {
  constructor(message: string, code: ErrorCode = 'failed') {
    super(code, message, { kind: 'user' });
    this.name = 'GwUserError';
  }
}
