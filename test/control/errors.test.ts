// How the control API answers errors: by the error's code through the one status table, a bug as 500 `internal`
// with its stack in the daemon's log. Runs the Hono app in-process (app.request), no socket.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Hono } from 'hono';
import { afterAll, describe, expect, it } from 'vitest';
import { ChainError } from '../../src/lib/chain/errors.js';
import { SettingError } from '../../src/lib/settings/settings.js';
import { createControlApp, type ControlContext } from '../../src/core/control/app.js';
import { EventBus } from '../../src/core/eventBus.js';
import { INTERNAL_MESSAGE } from '../../src/core/http/errorResponse.js';
import { createLogger } from '../../src/core/logger.js';
import { tempDataDir } from '../helpers/gw.js';

const TOKEN = 'test-token';
const auth = { authorization: `Bearer ${TOKEN}` };

describe('control API errors', () => {
  const { dir, cleanup } = tempDataDir();
  afterAll(cleanup);
  const logFile = join(dir, 'gw.log');
  const log = createLogger({ logFile, level: 'info', foreground: false });

  const config = {
    get: () => false,
    describe: () => ({ settings: [] }),
    update: () => {
      throw new SettingError('maxAttempts', 'expected an integer, got "lots"');
    },
  } as unknown as ControlContext['config'];

  function app(): Hono {
    const ctx: ControlContext = {
      token: TOKEN,
      bus: new EventBus(),
      config,
      log,
      closing: new Promise(() => undefined),
      status: () => {
        // a bug in a route: what a TypeError from real code looks like
        const views = undefined as unknown as { counts(): unknown };
        return { orchestrators: views.counts() } as never;
      },
      shutdown: () => ({ drainTimeoutMs: 0 }),
    };
    const chain = {
      routes: { '/v1/account': ['GET'] as const },
      register(a: Hono) {
        a.get('/v1/account', () => {
          throw new ChainError('TicketBroker.getSenderInfo failed: cannot reach the Ethereum RPC at http://127.0.0.1:1', { code: 'chain_unavailable' });
        });
      },
    };
    return createControlApp(ctx, [chain]);
  }

  it('answers a bug with 500 internal and a generic message, and logs it with its stack', async () => {
    const r = await app().request('/v1/status', { headers: auth });
    expect(r.status).toBe(500);
    const body = (await r.json()) as { error: { code: string; message: string } };
    expect(body).toEqual({ error: { code: 'internal', message: INTERNAL_MESSAGE } });
    expect(body.error.message).not.toContain('counts');

    const lines = readFileSync(logFile, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { level: number; msg: string; path?: string; err?: { type: string; message: string; stack: string } });
    const logged = lines.find((l) => l.err?.message.includes("reading 'counts'"));
    expect(logged).toBeDefined();
    expect(logged!.level).toBe(50);
    expect(logged!.path).toBe('/v1/status');
    expect(logged!.err!.type).toBe('TypeError');
    expect(logged!.err!.stack).toMatch(/TypeError: .*\n\s+at /);
  });

  it('answers a thrown GwError by its code, with no regex over its message', async () => {
    const r = await app().request('/v1/account', { headers: auth });
    expect(r.status).toBe(503);
    expect(await r.json()).toEqual({ error: { code: 'chain_unavailable', message: expect.stringContaining('cannot reach') } });
  });

  it('answers a setting the daemon rejects with 400 invalid_setting, naming the setting', async () => {
    const r = await app().request('/v1/config', { method: 'POST', headers: { ...auth, 'content-type': 'application/json' }, body: '{"set":{"maxAttempts":"lots"}}' });
    expect(r.status).toBe(400);
    expect(await r.json()).toEqual({ error: { code: 'invalid_setting', message: 'maxAttempts: expected an integer, got "lots"' } });
  });

  it('takes the status of its own answers from the same table', async () => {
    const a = app();
    expect((await a.request('/v1/status')).status).toBe(401);
    expect((await a.request('/v1/nowhere', { headers: auth })).status).toBe(404);
    expect((await a.request('/v1/shutdown', { headers: auth })).status).toBe(405);
    const bad = await a.request('/v1/config', { method: 'POST', headers: auth, body: '{"set": {' });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: { code: string } }).error.code).toBe('bad_json');
  });
});
