// The CLI's error policy, end to end: a user error prints its message alone and exits 1; a bug in gw (in the CLI,
// or reported by the daemon as 500 `internal`) says it is a bug, shows a stack only with --debug, and exits 70.
// gw runs from src/ through tsx, with oclif's production error output (its development mode adds stacks itself).
import { mkdirSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DaemonState } from '../../src/api/contract.js';
import { resolvePaths } from '../../src/lib/settings/paths.js';
import { ROOT, tempDataDir } from '../helpers/gw.js';

const RUN_FROM_SRC = `import { flush, handle, run } from '@oclif/core';
process.env.NODE_ENV = 'development';
await run(process.argv.slice(1), new URL('./bin/run.js', ${JSON.stringify(`file://${ROOT}`)}).href).then(() => flush()).catch(handle);`;

async function gw(args: string[], env: Record<string, string> = {}): Promise<{ exitCode: number; stdout: string; stderr: string }> {
  const r = await execa(process.execPath, ['--import', 'tsx', '--no-warnings', '--input-type=module', '-e', RUN_FROM_SRC, ...args], {
    cwd: ROOT,
    reject: false,
    timeout: 60_000,
    env: { NO_COLOR: '1', GW_DEBUG: '', ...env },
    extendEnv: true,
    stdin: 'ignore',
  });
  return { exitCode: r.exitCode ?? -1, stdout: String(r.stdout), stderr: String(r.stderr).replace(/\s*\n\s*›\s+/g, ' ') };
}

const STACK_LINE = /\n\s+at .+:\d+:\d+\)?/;

describe('CLI exit codes and error output', () => {
  const { dir, cleanup } = tempDataDir();
  const paths = resolvePaths(dir);
  let server: Server;

  beforeAll(async () => {
    // A control API that answers like a daemon with two bugs: /v1/status fails inside the daemon, and
    // /v1/orchestrators answers a shape the CLI cannot render.
    server = createServer((req, res) => {
      if (req.url === '/v1/status') {
        res.writeHead(500, { 'content-type': 'application/json' }).end(JSON.stringify({ error: { code: 'internal', message: 'internal error in the gw daemon' } }));
      } else {
        res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
      }
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    mkdirSync(dir, { recursive: true });
    writeFileSync(paths.tokenFile, 'stub-token\n', { mode: 0o600 });
    const state: DaemonState = {
      pid: process.pid,
      version: '0.0.0-stub',
      startedAt: new Date().toISOString(),
      controlUrl: url,
      httpUrl: 'http://127.0.0.1:1',
      rtmpUrl: 'rtmp://127.0.0.1:1/live',
      tokenPath: paths.tokenFile,
      logPath: paths.logFile,
      dataDir: dir,
    };
    writeFileSync(paths.daemonFile, JSON.stringify(state));
  });
  afterAll(async () => {
    await new Promise((r) => server.close(r));
    cleanup();
  });

  it('a user error exits 1 with its message alone', async () => {
    const empty = tempDataDir();
    try {
      const r = await gw(['status', '--data-dir', empty.dir]);
      expect(r.exitCode).toBe(1);
      expect(r.stderr).toContain('the gw daemon is not running');
      expect(r.stderr).not.toMatch(/bug/i);
      expect(r.stderr).not.toMatch(STACK_LINE);
    } finally {
      empty.cleanup();
    }
  });

  it('a bug in the CLI exits 70, says it is a bug and how to report it, and shows no stack without --debug', async () => {
    const r = await gw(['orchestrators', 'ls', '--data-dir', dir]);
    expect(r.exitCode).toBe(70);
    expect(r.stderr).toContain('This is a bug in gw: please report it with the output of `gw orchestrators ls --debug`.');
    expect(r.stderr).not.toMatch(STACK_LINE);
  });

  it('with --debug (or GW_DEBUG=1) a bug also prints its stack', async () => {
    const flag = await gw(['orchestrators', 'ls', '--data-dir', dir, '--debug']);
    expect(flag.exitCode).toBe(70);
    expect(flag.stderr).toMatch(/TypeError: .+/);
    expect(flag.stderr).toMatch(STACK_LINE);
    const env = await gw(['orchestrators', 'ls', '--data-dir', dir], { GW_DEBUG: '1' });
    expect(env.exitCode).toBe(70);
    expect(env.stderr).toMatch(STACK_LINE);
  });

  it('a daemon bug (500 internal) exits 70 and points at the daemon log; --json carries code and kind', async () => {
    const r = await gw(['status', '--data-dir', dir]);
    expect(r.exitCode).toBe(70);
    expect(r.stderr).toContain('internal error in the gw daemon');
    expect(r.stderr).toContain('This is a bug in the gw daemon');
    const j = await gw(['status', '--data-dir', dir, '--json']);
    expect(j.exitCode).toBe(70);
    expect(JSON.parse(j.stdout)).toEqual({ error: { code: 'internal', kind: 'internal', message: 'internal error in the gw daemon' } });
  });
});
