import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Flags } from '@oclif/core';
import { ControlClient } from '../api/controlClient.js';
import { resolvePaths } from '../lib/settings/paths.js';
import { GwCommand } from '../cli/baseCommand.js';
import { renderKeyValues } from '../cli/render.js';

/** Runs the whole thing locally: devnet, gateway, a test stream and the dashboard. */
export default class Demo extends GwCommand {
  static override description =
    'Run gw end to end on your machine: a local chain and 3 orchestrators, a funded gateway, a test stream over RTMP, and the live dashboard until Ctrl-C; then everything is torn down';

  static override examples = ['<%= config.bin %> demo', '<%= config.bin %> demo --duration 60 --plain'];

  static override enableJsonFlag = false;

  static override flags = {
    duration: Flags.integer({ description: 'Stop after this many seconds (default: until Ctrl-C)' }),
    plain: Flags.boolean({ description: 'Plain periodic status instead of the full-screen dashboard' }),
    keep: Flags.boolean({ description: 'Keep the demo data dir (logs, recordings) afterwards' }),
    'failover-after': Flags.integer({ description: 'Kill the orchestrator the test stream uses after this many seconds, to show a failover (0: never)', default: 30, min: 0 }),
    live: Flags.boolean({ description: 'Also run live AI: orchestrators with devnet live runners and a second test stream through devnet/hue' }),
  };

  async run(): Promise<void> {
    const { flags } = await this.parse(Demo);
    // A data dir of its own: the demo never touches the gateway you run for real.
    const explicit = flags['data-dir'];
    const dataDir = explicit ?? mkdtempSync(join(tmpdir(), 'gw-demo-'));
    const paths = resolvePaths(dataDir);
    const { startDemo } = await import('../cli/services/demo.js');
    const demo = await startDemo({ paths, onProgress: (m) => this.logToStderr(`… ${m}`), streamSeconds: flags.duration ? flags.duration + 5 : undefined, live: flags.live, failoverAfterSec: flags['failover-after'] });
    const ac = new AbortController();
    const stop = () => ac.abort();
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
    if (flags.duration) setTimeout(stop, flags.duration * 1000).unref();
    try {
      this.log(
        renderKeyValues([
          ['HLS', `${demo.hlsUrl}   (ffplay/VLC/hls.js; renditions appear after the first segment, ~3 s)`],
          ['RTMP in', demo.rtmpUrl],
          ...(demo.live
            ? ([
                ['Live AI HLS', `${demo.live.hlsUrl}   (gw live show ${demo.live.stream}; gw live update ${demo.live.stream} --params '{"hue":240}')`],
              ] as Array<[string, string]>)
            : []),
          ['Control', demo.gateway.controlUrl],
          ['Chain', demo.devnet.chain?.rpcUrl ?? '—'],
          ['Data dir', `${dataDir}   (GW_DATA_DIR=${dataDir} gw status | gw orchestrators ls | gw account)`],
        ]),
      );
      const clientFactory = () => ControlClient.forPaths(paths, 5000);
      if (flags.plain || !process.stdout.isTTY) {
        const { runPlain } = await import('../tui/plain.js');
        await runPlain({ clientFactory, dataDir, intervalMs: 5000, once: false, write: (t) => this.log(t), signal: ac.signal });
      } else {
        process.env.NODE_ENV ??= 'production';
        const [{ runDashboard }, { colorAllowed }] = await Promise.all([import('../tui/run.js'), import('../tui/components/theme.js')]);
        await runDashboard({ clientFactory, dataDir, color: colorAllowed(), signal: ac.signal });
      }
    } finally {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      this.logToStderr('… tearing down: test stream, gateway, devnet');
      await demo.teardown();
      if (!explicit && !flags.keep) rmSync(dataDir, { recursive: true, force: true });
      this.logToStderr('✓ demo stopped');
    }
  }
}
