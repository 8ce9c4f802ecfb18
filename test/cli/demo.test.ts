import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { runGw, tempDataDir } from '../helpers/gw.js';
import { readDevnetState } from '../../src/devnet/devnetState.js';
import { resolvePaths } from '../../src/lib/settings/paths.js';

describe('gw demo (the README main job)', () => {
  it('runs devnet + gateway + test stream, shows tickets flowing, and tears everything down', async () => {
    const { dir, cleanup } = tempDataDir('gw-demo-test-');
    try {
      const r = await runGw(['demo', '--duration', '18', '--failover-after', '6', '--plain', '--data-dir', dir], { dataDir: dir, timeoutMs: 120_000 });
      expect(r.exitCode, r.stderr).toBe(0);
      expect(r.stdout).toMatch(/HLS:\s+http:\/\/127\.0\.0\.1:\d+\/stream\/demo\.m3u8/);
      expect(r.stdout).toMatch(/orchestrators 2 usable, 1 rejected \(3 known\)/);
      expect(r.stdout).toMatch(/sessions 1 streams/);
      const tickets = [...r.stdout.matchAll(/(\d+) tickets, EV/g)].map((m) => Number(m[1]));
      expect(Math.max(...tickets)).toBeGreaterThan(0);
      // The demo kills the orchestrator in use so a newcomer sees a failover happen.
      expect(r.stderr).toMatch(/killing the orchestrator the stream is on \(https:\/\/127\.0\.0\.1:\d+, kill -9\)/);
      expect(r.stdout).toMatch(/failovers [1-9]\d*, last .* demo: 127\.0\.0\.1:\d+ → 127\.0\.0\.1:\d+/);
      expect(r.stderr).toContain('✓ demo stopped');
      // nothing left running or recorded as running
      expect(readDevnetState(resolvePaths(dir))).toBeUndefined();
      expect(existsSync(`${dir}/daemon.json`)).toBe(false);
    } finally {
      cleanup();
    }
  }, 150_000);
});
