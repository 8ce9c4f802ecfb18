import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { availableParallelism } from 'node:os';
import { gcHelperThreads } from '../../src/cli/services/daemonProcess.js';
import { isProcessAlive } from '../../src/api/daemonState.js';
import { FREE_PORTS, runGw, tempDataDir } from '../helpers/gw.js';

describe('gw start / status / config / stop (real processes)', () => {
  const { dir, cleanup } = tempDataDir();

  afterAll(async () => {
    await runGw(['stop'], { dataDir: dir });
    cleanup();
  });

  it('starts, reports status, keeps a setting across a restart, and stops', async () => {
    const start = await runGw(['start', '--gateway', ...FREE_PORTS], { dataDir: dir });
    expect(start.stderr).toBe('');
    expect(start.exitCode).toBe(0);
    expect(start.stdout).toMatch(/RTMP:\s+rtmp:\/\/127\.0\.0\.1:\d+\/live/);
    expect(start.stdout).toMatch(/Control:\s+http:\/\/127\.0\.0\.1:\d+/);

    const token = statSync(`${dir}/control.token`);
    expect(token.mode & 0o777).toBe(0o600);

    const status = await runGw(['status', '--json'], { dataDir: dir });
    expect(status.exitCode).toBe(0);
    const s = JSON.parse(status.stdout) as { pid: number; mode: string; version: string; endpoints: { control: string } };
    expect(s.mode).toBe('off-chain');
    expect(s.version).toMatch(/^\d+\.\d+\.\d+/);
    const daemonFile = JSON.parse(readFileSync(`${dir}/daemon.json`, 'utf8')) as { pid: number; controlUrl: string };
    expect(s.pid).toBe(daemonFile.pid);
    expect(s.endpoints.control).toBe(daemonFile.controlUrl);
    // The daemon runs with V8's background threads sized to the machine (gcHelperThreads), not Node's fixed 4.
    const cmdline = readFileSync(`/proc/${s.pid}/cmdline`, 'utf8').split('\0');
    expect(cmdline).toContain(`--v8-pool-size=${gcHelperThreads(availableParallelism())}`);

    const set = await runGw(['config', 'set', 'max-price-per-unit', '1200'], { dataDir: dir });
    expect(set.exitCode).toBe(0);
    expect(set.stdout).toContain('applied live');

    const bad = await runGw(['config', 'set', 'maxAttempts', 'lots'], { dataDir: dir });
    expect(bad.exitCode).toBe(1);
    expect(bad.stderr).toContain('expected an integer');

    const stop = await runGw(['stop'], { dataDir: dir });
    expect(stop.exitCode).toBe(0);
    expect(stop.stdout).toContain('stopped');
    expect(isProcessAlive(s.pid)).toBe(false);

    expect((await runGw(['start', ...FREE_PORTS], { dataDir: dir })).exitCode).toBe(0);
    const ls = await runGw(['config', 'ls', '--json'], { dataDir: dir });
    const entry = (JSON.parse(ls.stdout) as { settings: Array<{ key: string; value: unknown; source: string }> }).settings.find((e) => e.key === 'maxPricePerUnit');
    expect(entry).toEqual(expect.objectContaining({ value: '1200', source: 'file' }));
    const controlEntry = (JSON.parse(ls.stdout) as { settings: Array<{ key: string; source: string }> }).settings.find((e) => e.key === 'controlAddr');
    expect(controlEntry?.source).toBe('flag');
    expect((await runGw(['stop'], { dataDir: dir })).exitCode).toBe(0);
  });

  it('sizes V8 background threads as cores minus one, at least one', () => {
    expect([1, 2, 3, 8, 64].map(gcHelperThreads)).toEqual([1, 1, 2, 7, 63]);
  });

  it('refuses to start twice', async () => {
    expect((await runGw(['start', ...FREE_PORTS], { dataDir: dir })).exitCode).toBe(0);
    const again = await runGw(['start', ...FREE_PORTS], { dataDir: dir });
    expect(again.exitCode).toBe(1);
    expect(again.stderr).toContain('already running');
    expect((await runGw(['stop'], { dataDir: dir })).exitCode).toBe(0);
  });
});

describe('failure paths', () => {
  const { dir, cleanup } = tempDataDir();
  let blocker: Server;

  beforeAll(async () => {
    blocker = createServer();
    await new Promise<void>((r) => blocker.listen(0, '127.0.0.1', r));
  });
  afterAll(() => {
    blocker.close();
    cleanup();
  });

  it('reports a daemon that dies at start-up, with the reason and the log tail', async () => {
    const port = (blocker.address() as { port: number }).port;
    const r = await runGw(['start', '--control-addr', `127.0.0.1:${port}`, '--http-addr', '127.0.0.1:0'], { dataDir: dir });
    expect(r.exitCode).toBe(1);
    expect(r.stderr).toContain(`control API port 127.0.0.1:${port} is already in use`);
    expect(r.stderr).toContain('last log lines');
    expect(r.stderr).not.toMatch(/\n\s+at .+\.js:\d+/);
  });

  it('detects and cleans a stale pid file from a crashed daemon', async () => {
    const dead = execa(process.execPath, ['-e', '0']);
    await dead;
    expect(dead.pid).toBeGreaterThan(0);
    writeFileSync(`${dir}/daemon.json`, JSON.stringify({ pid: dead.pid, controlUrl: 'http://127.0.0.1:1', version: '0', startedAt: '', httpUrl: '', rtmpUrl: '', tokenPath: '', logPath: '', dataDir: dir }));
    const status = await runGw(['status'], { dataDir: dir });
    expect(status.exitCode).toBe(1);
    expect(status.stderr).toContain('stale state');
    const start = await runGw(['start', ...FREE_PORTS], { dataDir: dir });
    expect(start.exitCode).toBe(0);
    expect(start.stderr).toContain(`removed stale state of a crashed daemon (pid ${dead.pid})`);
    expect((await runGw(['stop'], { dataDir: dir })).exitCode).toBe(0);
  });

  it('says clearly that the daemon is not running, in text and JSON', async () => {
    const r = await runGw(['status'], { dataDir: dir });
    expect(r.exitCode).toBe(1);
    expect(r.stderr).toContain('not running');
    expect(r.stderr).not.toContain('    at ');
    const j = await runGw(['status', '--json'], { dataDir: dir });
    expect(j.exitCode).toBe(1);
    expect(JSON.parse(j.stdout)).toEqual({ error: { code: 'daemon_not_running', kind: 'user', message: expect.stringContaining('not running') } });
  });

  it('explains a wrong token instead of crashing', async () => {
    expect((await runGw(['start', ...FREE_PORTS], { dataDir: dir })).exitCode).toBe(0);
    const real = readFileSync(`${dir}/control.token`, 'utf8');
    writeFileSync(`${dir}/control.token`, 'f'.repeat(64));
    const r = await runGw(['status'], { dataDir: dir });
    writeFileSync(`${dir}/control.token`, real);
    expect(r.exitCode).toBe(1);
    expect(r.stderr).toContain('rejected our token');
    expect((await runGw(['stop'], { dataDir: dir })).exitCode).toBe(0);
  });

  it('exits 2 on usage errors', async () => {
    expect((await runGw(['config', 'set', 'maxAttempts'], { dataDir: dir })).exitCode).toBe(2);
    const r = await runGw(['start', '--max-attempts', 'abc'], { dataDir: dir });
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toContain('--max-attempts');
  });
});
