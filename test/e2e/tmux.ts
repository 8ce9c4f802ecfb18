import { execFileSync } from 'node:child_process';
import { rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * A private tmux server (its own socket, no user config) running one detached session, for driving a TUI the way a
 * person would: send keys, read the screen.
 */
export class TmuxSession {
  private readonly socket = join(tmpdir(), `gw-e2e-tmux-${process.pid}-${Date.now()}`);
  private shots = 0;

  constructor(
    readonly name: string,
    readonly size: { cols: number; rows: number },
  ) {}

  private tmux(args: string[]): string {
    return execFileSync('tmux', ['-S', this.socket, '-f', '/dev/null', ...args], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  }

  /** Starts `argv` in a clean environment (only `env`): no CI variables, so Ink renders frames as on a desk. */
  start(argv: readonly string[], env: Record<string, string>): void {
    const assignments = Object.entries(env).map(([k, v]) => `${k}=${shellQuote(v)}`);
    const command = ['exec', 'env', '-i', ...assignments, ...argv.map(shellQuote)].join(' ');
    this.tmux(['new-session', '-d', '-s', this.name, '-x', String(this.size.cols), '-y', String(this.size.rows), command]);
    // keep a crashed program's last words on screen for the failure message
    this.tmux(['set-option', '-t', this.name, 'remain-on-exit', 'on']);
  }

  /** The visible screen as plain text (no colors). */
  capture(): string {
    return this.tmux(['capture-pane', '-p', '-t', this.name]);
  }

  /** Types keys (tmux key names or literal characters). */
  send(...keys: string[]): void {
    this.tmux(['send-keys', '-t', this.name, ...keys]);
  }

  /** Polls the screen until `pred` holds; throws with the last screen on timeout. */
  async waitForScreen(pred: (screen: string) => boolean, what: string, timeoutMs = 15_000): Promise<string> {
    const deadline = Date.now() + timeoutMs;
    let screen = '';
    while (Date.now() < deadline) {
      screen = this.capture();
      if (pred(screen)) {
        // GW_E2E_SCREENS=<dir> keeps every matched screen, to look at what the test saw
        const keep = process.env.GW_E2E_SCREENS;
        if (keep) writeFileSync(join(keep, `${String(++this.shots).padStart(2, '0')}-${what.replace(/\W+/g, '-')}.txt`), screen);
        return screen;
      }
      await new Promise((r) => setTimeout(r, 150));
    }
    throw new Error(`timed out waiting for ${what}; last screen:\n${screen}`);
  }

  /** Ends the session and this private tmux server (nothing else). */
  kill(): void {
    try {
      this.tmux(['kill-server']);
    } catch {
      // already gone
    }
    rmSync(this.socket, { force: true });
  }
}

function shellQuote(s: string): string {
  return /^[\w@%+=:,./-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`;
}
