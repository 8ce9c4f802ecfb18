// The daemon's alerts module: feeds bus events, pool observations and the crash marker to the pure rules, publishes
// what they raise as `alert` events (the dashboard shows them as banners), and posts every alert — its own and those
// other modules publish — to --alert-webhook-url.
import type { OrchestratorView } from '../../api/contract.js';
import type { AlertRaised, GwEvent } from '../../api/events.js';
import { formatWeiPerPixel } from '../../lib/pricing/priceFormat.js';
import type { EventBus } from '../eventBus.js';
import type { Logger } from '../logger.js';
import type { Rational } from '../../lib/protocol/rational.js';
import type { RuntimeConfig } from '../runtimeConfig.js';
import { AlertRules, isOwnAlert, RepeatFilter, type Alert, type AlertInput, type AlertThresholds } from './alertRules.js';
import { CrashMarker } from './crashMarker.js';
import { AlertWebhook, type AlertPayload } from './webhook.js';

/** Another module's alert is posted again only after this long without a repeat (the gateway re-checks every minute). */
export const EXTERNAL_REPEAT_QUIET_MS = 10 * 60_000;
const POOL_CHECK_MS = 5000;

export interface AlertsOptions {
  readonly bus: EventBus;
  readonly config: RuntimeConfig;
  readonly log: Logger;
  readonly dataDir: string;
  /** Sent with every webhook call. */
  readonly node: { readonly version: string; readonly address?: string };
  /** The orchestrator pool and the price cap, for the "no orchestrator under the cap" rule. */
  readonly pool: { orchestrators(): readonly OrchestratorView[]; maxPrice(): Rational | null };
}

export interface AlertsModule {
  readonly rules: AlertRules;
  readonly webhook: AlertWebhook;
  /** Stops checking; removes the crash marker unless the daemon is going down because of an uncaught exception. */
  close(): Promise<void>;
}

/** Starts the alerts module. Call after the modules whose events it watches exist; it replays the bus history. */
export function startAlerts(o: AlertsOptions): AlertsModule {
  const { bus, config, log } = o;
  const rules = new AlertRules();
  const repeats = new RepeatFilter(EXTERNAL_REPEAT_QUIET_MS);
  const webhook = new AlertWebhook({ url: () => config.get('alertWebhookUrl'), log, userAgent: `gw/${o.node.version}` });
  const marker = new CrashMarker(o.dataDir);
  let crashed = false;

  const thresholds = (): AlertThresholds => ({
    depositBelowWei: BigInt(config.get('alertDepositBelow')),
    reserveBelowWei: BigInt(config.get('alertReserveBelow')),
  });
  const run = (input: AlertInput) => {
    let alerts: Alert[];
    try {
      alerts = rules.apply(input, thresholds());
    } catch (err) {
      log.warn({ err: (err as Error).message }, 'alert rule failed');
      return;
    }
    for (const a of alerts) {
      log.warn({ alert: a.alert, severity: a.severity }, a.message);
      bus.emit({ type: 'alert', alert: a.alert, severity: a.severity, message: a.message });
    }
  };
  const checkPool = () => {
    const list = o.pool.orchestrators();
    const cap = o.pool.maxPrice();
    run({
      kind: 'pool',
      pool: {
        known: list.length,
        usable: list.filter((x) => !x.rejected).length,
        overCap: list.filter((x) => x.rejected?.reason === 'price too high').length,
        cap: cap ? formatWeiPerPixel(cap) : null,
        at: Date.now(),
      },
    });
  };
  const onEvent = (ev: GwEvent) => {
    switch (ev.type) {
      case 'alert':
        // Ours are de-duplicated by the rules; others (e.g. the gateway's no-usable-orchestrator) may repeat.
        if (isOwnAlert(ev.alert) || repeats.pass(ev.alert, ev.ts)) webhook.send(payloadOf(ev, o.node));
        return;
      case 'daemon.stopping':
        if (/uncaught exception/i.test(ev.reason)) crashed = true;
        return;
      case 'orchestrator.rejected':
        checkPool();
        return;
      default:
        run({ kind: 'event', event: ev });
    }
  };

  const unsubscribe = bus.subscribe(onEvent);
  // The chain announced its first snapshot before this module existed.
  for (const ev of bus.since(0)) onEvent(ev);
  try {
    const previous = marker.claim({ pid: process.pid, startedAt: new Date().toISOString() });
    if (previous) run({ kind: 'crash', crash: previous });
  } catch (err) {
    // crash detection is a nicety: a read-only data dir must not keep the gateway from starting
    log.warn({ err: (err as Error).message, path: marker.path }, 'cannot write the crash marker; crash restarts will not be reported');
  }

  const unwatch = [config.onChange('alertDepositBelow', () => run({ kind: 'recheck' })), config.onChange('alertReserveBelow', () => run({ kind: 'recheck' }))];
  const timer = setInterval(checkPool, POOL_CHECK_MS);
  timer.unref();

  return {
    rules,
    webhook,
    async close() {
      clearInterval(timer);
      for (const u of unwatch) u();
      unsubscribe();
      if (!crashed) marker.release();
      await webhook.close();
    },
  };
}

function payloadOf(ev: AlertRaised, node: AlertsOptions['node']): AlertPayload {
  return {
    alert: ev.alert,
    severity: ev.severity,
    message: ev.message,
    ts: ev.ts,
    node: node.address ? { version: node.version, address: node.address } : { version: node.version },
  };
}
