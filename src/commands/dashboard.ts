import { Flags } from '@oclif/core';
import { GwCommand } from '../cli/baseCommand.js';
import { ControlClient } from '../api/controlClient.js';

/** The live terminal dashboard (or a plain periodic status when stdout is not a terminal). */
export default class Dashboard extends GwCommand {
  static override description =
    'Live dashboard: overview, sessions, orchestrators, failovers, ticket flow and log. Without a terminal (or with --plain/--once) it prints a compact status block every --interval seconds';

  static override examples = [
    '<%= config.bin %> dashboard',
    '<%= config.bin %> dashboard --once',
    '<%= config.bin %> dashboard --plain --interval 10 >> gw-status.log',
  ];

  static override enableJsonFlag = false;

  static override flags = {
    interval: Flags.integer({ description: 'Seconds between status blocks in plain mode', default: 5, min: 1 }),
    once: Flags.boolean({ description: 'Print one plain status block and exit (exit code 1 when the daemon is down)' }),
    plain: Flags.boolean({ description: 'Plain periodic status even on a terminal' }),
  };

  async run(): Promise<void> {
    const { flags } = await this.parse(Dashboard);
    const paths = this.pathsFor(flags);
    // a missing daemon is a state the dashboard shows and retries, so the factory may throw: the feed catches it
    const clientFactory = () => ControlClient.forPaths(paths, 5000);
    const ac = new AbortController();
    if (flags.once || flags.plain || !process.stdout.isTTY) {
      const { runPlain } = await import('../tui/plain.js');
      const stop = () => ac.abort();
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
      const code = await runPlain({
        clientFactory,
        dataDir: paths.dataDir,
        intervalMs: flags.interval * 1000,
        once: flags.once,
        write: (t) => this.log(t),
        signal: ac.signal,
      });
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      if (code !== 0) process.exitCode = code;
      return;
    }
    // React reads NODE_ENV when first imported: production silences its development warnings and checks
    process.env.NODE_ENV ??= 'production';
    const [{ runDashboard }, { colorAllowed }] = await Promise.all([import('../tui/run.js'), import('../tui/components/theme.js')]);
    await runDashboard({ clientFactory, dataDir: paths.dataDir, color: colorAllowed(), signal: ac.signal });
  }
}
