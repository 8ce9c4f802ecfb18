import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AlertRaised } from '../../src/api/events.js';
import { resolvePaths } from '../../src/lib/settings/paths.js';
import type { SettingValue } from '../../src/lib/settings/settings.js';
import { ControlClient } from '../../src/api/controlClient.js';
import { launchDaemon, stopDaemon } from '../../src/cli/services/daemonProcess.js';
import type { AlertPayload } from '../../src/core/alerts/webhook.js';
import { GW_VERSION } from '../../src/core/version.js';
import { devnetDown, devnetUp } from '../../src/devnet/devnetUp.js';
import type { DevnetState } from '../../src/devnet/devnetState.js';
import { httpRequest, waitFor } from '../helpers/gateway.js';
import { tempDataDir } from '../helpers/gw.js';
import { startReceiver } from './webhookReceiver.js';

const ETH = 10n ** 18n;

describe('alerts from a live daemon on the devnet, posted to a webhook', () => {
  const { dir, cleanup } = tempDataDir('gw-alerts-');
  const paths = resolvePaths(dir);
  let rx: Awaited<ReturnType<typeof startReceiver>>;
  let devnet: DevnetState;
  let flags: Record<string, SettingValue>;

  const posted = (name: string) => rx.received.map((r) => r.body as AlertPayload).filter((b) => b.alert === name);
  const client = () => ControlClient.forPaths(paths, 5000);
  const busAlerts = async (): Promise<AlertRaised[]> => {
    const out: AlertRaised[] = [];
    const ac = new AbortController();
    // the daemon replays its history at once: a second is plenty
    setTimeout(() => ac.abort(), 1000).unref();
    try {
      for await (const ev of client().events({ signal: ac.signal, lastEventId: 0 })) if (ev.type === 'alert') out.push(ev);
    } catch {
      // aborted
    }
    return out;
  };

  beforeAll(async () => {
    rx = await startReceiver();
    ({ state: devnet } = await devnetUp({ paths, orchestrators: 1, chain: true, passthrough: true, basePort: 0, chainPort: 0, deposit: ETH, reserve: ETH }));
    flags = {
      controlAddr: '127.0.0.1:0',
      httpAddr: '127.0.0.1:0',
      rtmpAddr: '127.0.0.1:0',
      network: 'devnet',
      orchAddr: devnet.orchestrators.map((o) => o.uri),
      alertWebhookUrl: rx.url,
      alertDepositBelow: (2n * ETH).toString(),
      alertReserveBelow: (ETH / 2n).toString(),
      // the devnet orchestrator asks 1000 wei/pixel: above this cap
      maxPricePerUnit: '1',
    };
  }, 120_000);

  afterAll(async () => {
    await stopDaemon({ paths, timeoutMs: 10_000 });
    await devnetDown(paths);
    await rx?.close();
    cleanup();
  });

  it('posts deposit-low at start, reserve-low after a live threshold change, and unlock-started after an unlock', async () => {
    const { state } = await launchDaemon({ paths, flags });
    await waitFor(() => posted('deposit-low').length === 1, 'the deposit-low webhook call', 15_000);
    const [deposit] = posted('deposit-low');
    expect(deposit).toEqual({
      alert: 'deposit-low',
      severity: 'warning',
      message: expect.stringContaining('deposit 1 ETH is below 2 ETH'),
      ts: expect.any(Number),
      node: { version: GW_VERSION, address: expect.stringMatching(new RegExp(`^${devnet.accounts[0]!.address}$`, 'i')) },
    });
    expect(rx.received[0]).toEqual(expect.objectContaining({ method: 'POST', contentType: 'application/json' }));
    expect(posted('reserve-low')).toEqual([]); // 1 ETH is above the 0.5 ETH threshold

    await client().updateConfig({ set: { alertReserveBelow: (3n * ETH).toString() } });
    await waitFor(() => posted('reserve-low').length === 1, 'the reserve-low webhook call', 10_000);
    expect(posted('reserve-low')[0]!.message).toContain('reserve 1 ETH is below 3 ETH');

    const token = readFileSync(paths.tokenFile, 'utf8').trim();
    const r = await httpRequest(`${state.controlUrl}/v1/funding/unlock`, { method: 'POST', headers: { authorization: `Bearer ${token}` } });
    expect(r.status, r.body.toString()).toBe(202);
    await waitFor(() => posted('unlock-started').length === 1, 'the unlock-started webhook call', 15_000);
    expect(posted('unlock-started')[0]!.severity).toBe('critical');

    // The only orchestrator quotes above the cap: once that held for 10 s, the price-cap alert. The gateway's own
    // no-usable-orchestrator alert is forwarded too.
    await waitFor(() => posted('no-orchestrator-under-price-cap').length === 1, 'the price-cap webhook call', 25_000);
    expect(posted('no-orchestrator-under-price-cap')[0]!.message).toMatch(/under the price cap \(1 wei\/pixel\): 1 of 1/);
    expect(posted('no-usable-orchestrator')).toHaveLength(1);

    // The same alerts are events on the bus (the dashboard's banners), each raised once.
    const names = (await busAlerts()).map((a) => a.alert);
    expect(names.filter((n) => n === 'deposit-low')).toHaveLength(1);
    expect(names).toEqual(expect.arrayContaining(['deposit-low', 'reserve-low', 'unlock-started', 'no-orchestrator-under-price-cap']));
    expect(posted('deposit-low')).toHaveLength(1);
  }, 60_000);

  it('posts crash-restart when the daemon comes back after kill -9, and not after a clean stop', async () => {
    const before = await client().status();
    process.kill(before.pid, 'SIGKILL');
    await waitFor(() => {
      try {
        process.kill(before.pid, 0);
        return false;
      } catch {
        return true;
      }
    }, 'the daemon to die');
    const { cleanedStale } = await launchDaemon({ paths, flags });
    expect(cleanedStale).toBe(before.pid);
    await waitFor(() => posted('crash-restart').length === 1, 'the crash-restart webhook call', 15_000);
    expect(posted('crash-restart')[0]).toEqual(expect.objectContaining({ severity: 'critical', message: expect.stringContaining(`(pid ${before.pid}, started `) }));
    expect((await busAlerts()).map((a) => a.alert)).toContain('crash-restart');

    expect(await stopDaemon({ paths, timeoutMs: 10_000 })).toBe('graceful');
    const calls = rx.received.length;
    await launchDaemon({ paths, flags });
    // the restarted daemon re-raises the funding alerts (fresh state) but not a crash
    await waitFor(() => rx.received.length >= calls + 1, 'the funding alerts of the new daemon', 15_000);
    expect((await busAlerts()).map((a) => a.alert)).not.toContain('crash-restart');
    expect(posted('crash-restart')).toHaveLength(1);
  }, 60_000);
});
