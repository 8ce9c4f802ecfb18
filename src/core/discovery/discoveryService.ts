// Orchestrator discovery for the whole daemon: the candidate pool chosen from settings, the registry of what each
// orchestrator answered (and why it was rejected), and background probing. Video, AI and BYOC all draw on it, so
// `gw orchestrators ls` shows one picture of the network.
import { create } from '@bufbuild/protobuf';
import type { Address, PublicClient } from 'viem';
import { addressToBytes } from '../../lib/protocol/address.js';
import { OrchestratorRequestSchema, type Capabilities } from '../../lib/protocol/gen/net/lp_rpc_pb.js';
import { getOrchestrator } from '../../lib/protocol/orchestratorClient.js';
import type { Rational } from '../../lib/protocol/rational.js';
import type { EventBus } from '../eventBus.js';
import type { Logger } from '../logger.js';
import type { Metrics } from '../metrics/metrics.js';
import type { PaymentSource } from '../payments/paymentSource.js';
import type { RuntimeConfig } from '../runtimeConfig.js';
import { Blocklist } from './blocklist.js';
import { discoverOrchestrators } from './discover.js';
import { choosePool, type CandidatePool } from './pools.js';
import { OrchestratorRegistry } from './registry.js';

/** How often the pool is probed when idle (for `gw orchestrators ls` and the no-usable-orchestrator alert). */
const PROBE_INTERVAL_MS = 60_000;

/** What a probe asks each orchestrator for: the job's capabilities and the price the gateway accepts. */
export interface ProbeSpec {
  readonly capabilities: Capabilities;
  readonly maxPrice: Rational | null;
}

export interface DiscoveryDeps {
  readonly config: RuntimeConfig;
  readonly bus: EventBus;
  readonly log: Logger;
  readonly metrics: Metrics | null;
  readonly payments: Pick<PaymentSource, 'identity'> | null;
  readonly onChain: boolean;
  /** For the on-chain orchestrator pool (BondingManager + ServiceRegistry). */
  readonly chain?: { client: PublicClient; bondingManager: Address; serviceRegistry: Address };
}

/** The daemon's one view of the orchestrator network. */
export class DiscoveryService {
  readonly registry: OrchestratorRegistry;
  private current: CandidatePool | undefined;
  private timer: NodeJS.Timeout | undefined;
  private spec: (() => ProbeSpec) | undefined;
  private noneUsable = false;
  private readonly unsubscribers: Array<() => void>;

  constructor(private readonly deps: DiscoveryDeps) {
    this.registry = new OrchestratorRegistry({ bus: deps.bus });
    const reset = () => {
      this.current = undefined;
      void this.probe();
    };
    this.unsubscribers = [deps.config.onChange('orchAddr', reset), deps.config.onChange('orchWebhookUrl', reset)];
  }

  /** The candidate pool from the current settings (static list, webhook, chain or remote signer); throws PoolSourceError. */
  pool(): CandidatePool {
    if (!this.current) {
      const { config, chain } = this.deps;
      this.current = choosePool({
        orchWebhookUrl: config.get('orchWebhookUrl'),
        orchAddr: config.get('orchAddr'),
        remoteSignerUrl: config.get('remoteSignerUrl'),
        onChain: chain,
      });
    }
    return this.current;
  }

  /** Orchestrators the operator refuses (`--orch-blocklist`). */
  blocklist(): Blocklist {
    return Blocklist.parse(this.deps.config.get('orchBlocklist'));
  }

  /** How long one discovery round waits for GetOrchestrator answers. */
  discoveryTimeoutMs(): number {
    return this.deps.config.get('discoveryTimeout');
  }

  /** Probes now and then every minute, asking what `spec` says (read at each probe). */
  start(spec: () => ProbeSpec): void {
    this.spec = spec;
    void this.probe();
    this.timer = setInterval(() => void this.probe(), PROBE_INTERVAL_MS);
    this.timer.unref();
  }

  /** Queries every candidate once, so operators see prices and rejections before any job starts. */
  async probe(): Promise<void> {
    if (!this.spec) return;
    const { log, metrics, bus, payments } = this.deps;
    let pool: CandidatePool;
    try {
      pool = this.pool();
    } catch (err) {
      log.warn((err as Error).message);
      return;
    }
    try {
      const spec = this.spec();
      const identity = payments ? await payments.identity() : undefined;
      const request = create(OrchestratorRequestSchema, {
        address: identity ? addressToBytes(identity.address) : new Uint8Array(0),
        sig: identity?.sig ?? new Uint8Array(0),
        capabilities: spec.capabilities,
      });
      const result = await discoverOrchestrators({
        candidates: await pool.candidates(),
        request,
        getOrchestrator,
        blocklist: this.blocklist(),
        onChain: this.deps.onChain,
        maxPrice: spec.maxPrice,
        discoveryTimeoutMs: this.discoveryTimeoutMs(),
        onOutcome: (o) => this.registry.recordOutcome(o),
      });
      for (const r of result.rejected) metrics?.discoveryErrors.inc({ error_code: r.reason, orchestrator_uri: r.uri });
      const counts = this.registry.counts();
      metrics?.gwOrchestrators.set({ state: 'usable' }, counts.usable);
      metrics?.gwOrchestrators.set({ state: 'rejected' }, counts.rejected);
      // Raised when the pool turns unusable (all unreachable, incompatible or over the cap), not on every probe.
      const noneUsable = counts.usable === 0 && counts.known > 0;
      if (noneUsable && !this.noneUsable) {
        bus.emit({ type: 'alert', alert: 'no-usable-orchestrator', severity: 'critical', message: `none of ${counts.known} orchestrators is usable (see gw orchestrators ls)` });
      }
      this.noneUsable = noneUsable;
    } catch (err) {
      log.warn({ err: (err as Error).message }, 'orchestrator probe failed');
    }
  }

  /** Stops probing and listening to settings. */
  close(): void {
    if (this.timer) clearInterval(this.timer);
    for (const u of this.unsubscribers) u();
  }
}
