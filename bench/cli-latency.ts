/**
 * bench/cli-latency: median wall time of `gw status --json` against a running daemon, next to `node -e 0`
 * measured in the same run. Target: under 350 ms median on a 2-core machine. Needs `npm run build` first.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { resolvePaths } from '../src/lib/settings/paths.js';
import { launchDaemon, stopDaemon } from '../src/cli/services/daemonProcess.js';
import { median, report } from './stats.js';

const RUNS = Number(process.env.BENCH_RUNS ?? 21);
const bin = fileURLToPath(new URL('../bin/run.js', import.meta.url));

function time(args: string[], env: NodeJS.ProcessEnv): number {
  const t0 = performance.now();
  const r = spawnSync(process.execPath, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
  const ms = performance.now() - t0;
  if (r.status !== 0) throw new Error(`${args.join(' ')} exited ${r.status}: ${r.stderr.toString()}`);
  return ms;
}

const dataDir = mkdtempSync(join(tmpdir(), 'gw-bench-cli-'));
const paths = resolvePaths(dataDir);
await launchDaemon({ paths, flags: { controlAddr: '127.0.0.1:0', httpAddr: '127.0.0.1:0', rtmpAddr: '127.0.0.1:0' } });
try {
  const env = { ...process.env, GW_DATA_DIR: dataDir };
  time([bin, 'status', '--json'], env); // warm the file cache
  const node: number[] = [];
  const gw: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    node.push(time(['-e', '0'], env));
    gw.push(time([bin, 'status', '--json'], env));
  }
  const gwMedian = median(gw);
  const nodeMedian = median(node);
  report('cli-latency', {
    runs: RUNS,
    'gw_status_json_median_ms': gwMedian,
    'node_e0_median_ms': nodeMedian,
    ratio: gwMedian / nodeMedian,
    'target_ms': 350,
    verdict: gwMedian < 350 ? 'PASS' : 'FAIL',
  });
} finally {
  await stopDaemon({ paths, timeoutMs: 5000 });
  rmSync(dataDir, { recursive: true, force: true });
}
