import { Flags } from '@oclif/core';
import type { DaemonState } from '../api/contract.js';
import { GwCommand } from '../cli/baseCommand.js';
import { renderKeyValues } from '../cli/render.js';
import { collectSettingFlags, settingFlags } from '../cli/settingFlags.js';
import { Spinner } from '../cli/spinner.js';

/** Starts the gateway daemon. */
export default class Start extends GwCommand {
  static override description = 'Start the gateway daemon (detached, or attached with --foreground)';

  static override examples = [
    '<%= config.bin %> start',
    '<%= config.bin %> start --orch-addr 127.0.0.1:8935 --max-price-per-unit 1200',
    '<%= config.bin %> start --foreground   # for systemd and containers',
    'GW_DATA_DIR=/srv/gw2 <%= config.bin %> start --control-addr 127.0.0.1:5936 --http-addr 127.0.0.1:9936',
  ];

  static override flags = {
    gateway: Flags.boolean({ description: 'Run as a gateway (the default and only role; accepted for go-livepeer habits)' }),
    foreground: Flags.boolean({ description: 'Run attached: logs to stdout, exits on SIGTERM after draining' }),
    'start-timeout': Flags.integer({ description: 'Seconds to wait for the daemon to become ready', default: 20 }),
    ...settingFlags(),
  };

  async run(): Promise<DaemonState & { cleanedStale?: number }> {
    const { flags } = await this.parse(Start);
    const paths = this.pathsFor(flags);
    const settings = collectSettingFlags(flags);
    // On-chain with a keystore and no password file or GW_ETH_PASSWORD: ask here (the daemon never prompts).
    const { passwordForStart } = await import('../cli/services/password.js');
    const password = await passwordForStart(paths, settings);
    const handOver = password !== undefined ? { password } : {};

    if (flags.foreground) {
      const { runDaemon } = await import('../core/main.js');
      await runDaemon({ dataDir: paths.dataDir, flags: settings, foreground: true, ...handOver });
      return undefined as never;
    }

    const { launchDaemon } = await import('../cli/services/daemonProcess.js');
    const spinner = new Spinner(`starting gw (data dir ${paths.dataDir})`, !this.jsonEnabled() && Boolean(process.stderr.isTTY)).start();
    try {
      const { state, cleanedStale } = await launchDaemon({ paths, flags: settings, timeoutMs: flags['start-timeout'] * 1000, ...handOver });
      spinner.stop(`✓ gw ${state.version} is running (pid ${state.pid})`);
      if (cleanedStale) this.logToStderr(`note: removed stale state of a crashed daemon (pid ${cleanedStale})`);
      this.log(
        renderKeyValues([
          ['RTMP', `${state.rtmpUrl}/<stream-key>`],
          ['HTTP', `${state.httpUrl}  (push: /live/<id>/<seq>.ts, HLS: /stream/<id>.m3u8)`],
          ['Control', state.controlUrl],
          ['Metrics', `${state.controlUrl}/metrics`],
          ['Logs', `${state.logPath}  (gw logs -f)`],
          ['Data dir', state.dataDir],
        ]),
      );
      return { ...state, cleanedStale };
    } catch (err) {
      spinner.stop('✗ gw did not start');
      throw err;
    }
  }
}
