import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterAll, describe, expect, it } from 'vitest';
import { CrashMarker, RUNNING_MARKER } from '../../src/core/alerts/crashMarker.js';
import { AlertWebhook, type AlertPayload } from '../../src/core/alerts/webhook.js';
import { waitFor } from '../helpers/gateway.js';
import { startReceiver } from './webhookReceiver.js';

function testLog() {
  const lines: Array<Record<string, unknown>> = [];
  const log = pino({ level: 'info' }, { write: (l: string) => void lines.push(JSON.parse(l) as Record<string, unknown>) });
  return { log, lines };
}

const alert = (name: string): AlertPayload => ({ alert: name, severity: 'warning', message: `${name} happened`, ts: 1_700_000_000_000, node: { version: '9.9.9', address: '0x1111111111111111111111111111111111111111' } });

describe('alert webhook', () => {
  const closers: Array<() => Promise<void>> = [];
  afterAll(async () => {
    for (const c of closers) await c();
  });

  it('POSTs the alert as JSON', async () => {
    const rx = await startReceiver();
    closers.push(rx.close);
    const { log } = testLog();
    const hook = new AlertWebhook({ url: () => rx.url, log, userAgent: 'gw/9.9.9' });
    hook.send(alert('deposit-low'));
    await waitFor(() => rx.received.length === 1, 'the webhook call', 5000);
    expect(rx.received[0]).toEqual(expect.objectContaining({ method: 'POST', contentType: 'application/json', userAgent: 'gw/9.9.9', body: alert('deposit-low') }));
    await hook.close();
  });

  it('retries 5xx and network failures with backoff, not 4xx; logs what finally failed', async () => {
    const rx = await startReceiver((n, _req, res) => res.writeHead(n === 1 ? 503 : n === 2 ? 200 : 400).end());
    closers.push(rx.close);
    const { log, lines } = testLog();
    const hook = new AlertWebhook({ url: () => rx.url, log, backoffMs: 50, attempts: 3 });
    hook.send(alert('first'));
    hook.send(alert('second'));
    await waitFor(() => hook.delivered === 2, 'both deliveries', 5000);
    // first: 503 then 200 (one retry); second: 400, not retried
    expect(rx.received.map((r) => (r.body as AlertPayload).alert)).toEqual(['first', 'first', 'second']);
    expect(rx.received[1]!.at - rx.received[0]!.at).toBeGreaterThanOrEqual(45);
    expect(lines).toEqual([expect.objectContaining({ level: 40, alert: 'second', attempts: 1, err: 'HTTP 400', msg: 'alert webhook delivery failed' })]);

    const dead = await startReceiver();
    const url = dead.url;
    await dead.close();
    const { log: log2, lines: lines2 } = testLog();
    const unreachable = new AlertWebhook({ url: () => url, log: log2, backoffMs: 20, attempts: 3 });
    unreachable.send(alert('lost'));
    await waitFor(() => unreachable.delivered === 1, 'the failed delivery', 5000);
    expect(lines2).toEqual([expect.objectContaining({ alert: 'lost', attempts: 3, err: 'ECONNREFUSED' })]);
  });

  it('never blocks the caller: a hanging receiver times out per attempt, and the queue is bounded', async () => {
    const rx = await startReceiver(() => undefined); // never answers
    closers.push(rx.close);
    const { log, lines } = testLog();
    const hook = new AlertWebhook({ url: () => rx.url, log, timeoutMs: 150, attempts: 2, backoffMs: 10, maxQueue: 2 });
    const t0 = performance.now();
    for (let i = 0; i < 5; i++) hook.send(alert(`a${i}`));
    expect(performance.now() - t0).toBeLessThan(20);
    expect(lines).toEqual([
      expect.objectContaining({ dropped: 1, msg: 'alert webhook queue full: dropped the oldest alerts' }),
      expect.objectContaining({ dropped: 1 }),
    ]);
    await waitFor(() => hook.delivered === 3, 'three deliveries given up', 5000);
    // a0 went out at once; a1 and a2 were dropped; a3 and a4 were delivered (or tried) in order
    expect([...new Set(rx.received.map((r) => (r.body as AlertPayload).alert))]).toEqual(['a0', 'a3', 'a4']);
    expect(rx.received).toHaveLength(6);
    expect(lines.filter((l) => l.msg === 'alert webhook delivery failed').map((l) => l.err)).toEqual(['timed out', 'timed out', 'timed out']);
    await hook.close();
  });

  it('sends nothing without a URL, and close() cancels what is still pending after the grace period', async () => {
    const { log } = testLog();
    const target: { url?: string } = {};
    const rx = await startReceiver(() => undefined);
    closers.push(rx.close);
    const hook = new AlertWebhook({ url: () => target.url, log, timeoutMs: 10_000, attempts: 1 });
    hook.send(alert('nowhere'));
    expect(hook.delivered).toBe(0);
    target.url = rx.url;
    hook.send(alert('hangs'));
    const t0 = performance.now();
    await hook.close(100);
    expect(performance.now() - t0).toBeLessThan(1000);
    hook.send(alert('after close'));
    expect(rx.received.map((r) => (r.body as AlertPayload).alert)).toEqual(['hangs']);
  });
});

describe('crash marker', () => {
  const dir = mkdtempSync(join(tmpdir(), 'gw-marker-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const file = join(dir, RUNNING_MARKER);

  it('reports the previous daemon only when it did not remove its marker', () => {
    const a = new CrashMarker(dir);
    expect(a.claim({ pid: 100, startedAt: 't0' }, () => false)).toBeUndefined();
    expect(JSON.parse(readFileSync(file, 'utf8'))).toEqual({ pid: 100, startedAt: 't0' });
    a.release();
    expect(existsSync(file)).toBe(false);

    const b = new CrashMarker(dir);
    b.claim({ pid: 101, startedAt: 't1' }, () => false);
    // b is killed: no release
    const c = new CrashMarker(dir);
    expect(c.claim({ pid: 102, startedAt: 't2' }, () => false)).toEqual({ pid: 101, startedAt: 't1' });
    c.release();
  });

  it('leaves a live daemon\'s marker alone, and treats a torn marker as a crash', () => {
    writeFileSync(file, JSON.stringify({ pid: 200, startedAt: 'x' }));
    const second = new CrashMarker(dir);
    expect(second.claim({ pid: 201, startedAt: 'y' }, (pid) => pid === 200)).toBeUndefined();
    second.release();
    expect(JSON.parse(readFileSync(file, 'utf8'))).toEqual({ pid: 200, startedAt: 'x' });

    writeFileSync(file, '{"pid": 3');
    expect(new CrashMarker(dir).claim({ pid: 300, startedAt: 'z' }, () => true)).toEqual({ pid: undefined, startedAt: undefined });
  });
});
