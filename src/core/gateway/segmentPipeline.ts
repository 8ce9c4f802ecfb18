import { create } from '@bufbuild/protobuf';
import type { OrchestratorRegistry } from '../discovery/registry.js';
import type { Blocklist } from '../discovery/blocklist.js';
import type { CandidatePool } from '../discovery/pools.js';
import type { EventBus } from '../eventBus.js';
import type { Logger } from '../logger.js';
import type { Metrics } from '../metrics/metrics.js';
import type { PaymentSession, PaymentSource, PreparedPayment } from '../payments/paymentSource.js';
import { PaymentValidationError } from '../../lib/payments/senderValidation.js';
import { classifySegmentError, SegmentError, segmentErrorLabel } from '../../lib/protocol/errors.js';
import { estimateFee, transcodeDebit } from '../../lib/protocol/fees.js';
import { OrchestratorRequestSchema, type VideoProfile } from '../../lib/protocol/gen/net/lp_rpc_pb.js';
import { addressToBytes } from '../../lib/protocol/address.js';
import { keccak256 } from '../../lib/protocol/hash.js';
import { transcodingJobCapabilities } from '../../lib/protocol/jobCapabilities.js';
import { endTranscodingSession, getOrchestrator } from '../../lib/protocol/orchestratorClient.js';
import type { Rational } from '../../lib/protocol/rational.js';
import { buildSegData, signSegData } from '../../lib/protocol/segData.js';
import { downloadRenditions, submitSegment } from '../../lib/protocol/segmentClient.js';
import type { Signer } from '../../lib/protocol/signer.js';
import { needsRefresh, type BroadcastSession } from '../sessions/broadcastSession.js';
import { StreamSessions } from '../sessions/streamSessions.js';
import { SegmentFailure } from './segmentErrors.js';
import type { SourceSegment, StreamTranscoder, TranscodedSegment } from './streams.js';

/** What every stream's transcoder shares: the daemon's discovery, payment and settings views. */
export interface PipelineDeps {
  readonly bus: EventBus;
  readonly log: Logger;
  readonly metrics: Metrics | null;
  readonly registry: OrchestratorRegistry;
  /** Where orchestrators come from (static list, webhook, on-chain, signer). */
  pool(): CandidatePool;
  /** Tickets and signatures; null off-chain (empty payments, unsigned requests). */
  readonly payments: PaymentSource | null;
  /** Signs SegData; undefined off-chain (and with a remote signer, which cannot sign segments). */
  readonly segmentSigner: Signer | undefined;
  readonly onChain: boolean;
  maxAttempts(): number;
  maxPrice(): Rational | null;
  discoveryTimeoutMs(): number;
  blocklist(): Blocklist;
  /** Last L1 block seen on chain (ticket params expiry), when on-chain. */
  lastL1Block?(): bigint | undefined;
}

/** A stream as the pipeline needs it. */
export interface PipelineStream {
  readonly id: string;
  readonly httpPush: boolean;
  readonly profiles: readonly VideoProfile[];
}

/** A stream's transcoder, plus live renegotiation when the operator changes the price cap. */
export interface StreamPipeline extends StreamTranscoder {
  setMaxPrice(cap: Rational | null): Promise<unknown>;
}

/**
 * Builds the transcoder of one stream: its orchestrator sessions (discovered at start), and per segment the
 * attempt loop of go-livepeer's processSegment — select, refresh when the token or ticket params are about to
 * expire, pay, submit, download renditions — failing over to another orchestrator on retryable errors.
 */
export async function openStreamTranscoder(deps: PipelineDeps, stream: PipelineStream): Promise<StreamPipeline> {
  const capabilities = transcodingJobCapabilities({ profiles: stream.profiles, httpPush: stream.httpPush });
  const identity = deps.payments ? await deps.payments.identity() : undefined;
  // Off-chain: address and sig stay empty (off-chain orchestrators accept that); else the payer's identity.
  const request = create(OrchestratorRequestSchema, {
    address: identity ? addressToBytes(identity.address) : new Uint8Array(0),
    sig: identity?.sig ?? new Uint8Array(0),
    capabilities,
  });
  const sessions = new StreamSessions({
    streamId: stream.id,
    pool: deps.pool(),
    request,
    getOrchestrator,
    endSession: (uri, token) => endTranscodingSession(uri, token),
    registry: deps.registry,
    bus: deps.bus,
    blocklist: deps.blocklist(),
    onChain: deps.onChain,
    maxPrice: deps.maxPrice(),
    discoveryTimeoutMs: deps.discoveryTimeoutMs(),
  });
  await sessions.start();
  return new SegmentLoop(deps, stream, sessions, capabilities);
}

class SegmentLoop implements StreamPipeline {
  private readonly payments = new WeakMap<BroadcastSession, PaymentSession>();
  private readonly names: string[];

  constructor(
    private readonly deps: PipelineDeps,
    private readonly stream: PipelineStream,
    private readonly sessions: StreamSessions,
    private readonly capabilities: ReturnType<typeof transcodingJobCapabilities>,
  ) {
    this.names = stream.profiles.map((p) => p.name);
  }

  /** Applies a new price cap to the stream's sessions (sessions above it are dropped). */
  setMaxPrice(cap: Rational | null): Promise<unknown> {
    return this.sessions.setMaxPrice(cap);
  }

  async transcode(seg: SourceSegment): Promise<TranscodedSegment> {
    const { deps, stream } = this;
    const started = performance.now();
    const hash = seg.hash ?? keccak256(seg.data);
    const maxAttempts = deps.maxAttempts();
    let lastError = 'no orchestrator answered';
    let lastUri: string | undefined;
    for (let attempt = 1; attempt <= maxAttempts; attempt++) {
      if (attempt > 1) deps.metrics?.transcodeRetried.inc({ try: String(attempt) });
      const session = await this.sessions.select({ durationMs: seg.durationMs, attempt });
      if (!session) {
        this.fail(seg, attempt, lastUri, `no sessions available${attempt > 1 ? ` (last error: ${lastError})` : ''}`, true, 'NoOrchestrators');
        throw new SegmentFailure('no-sessions', attempt > 1 ? `No sessions available: ${lastError}` : 'No sessions available');
      }
      const failover = this.sessions.takeFailover();
      if (failover) {
        deps.metrics?.orchestratorSwaps.inc();
        deps.bus.emit({ type: 'failover', streamId: stream.id, from: failover.from, to: failover.to, reason: failover.reason, attempt: failover.attempt });
      }
      const why = needsRefresh(session, Date.now(), deps.lastL1Block?.());
      if (why && !(await this.sessions.refresh(session))) {
        lastError = `refresh (${why}) failed`;
        lastUri = session.uri;
        continue;
      }
      const outcome = await this.attempt(session, seg, hash, attempt);
      if (outcome.ok) {
        deps.metrics?.overallLatency.observe({ profiles: this.names.join(','), orchestrator_uri: session.uri }, (performance.now() - started) / 1000);
        return outcome.result;
      }
      lastError = outcome.error;
      lastUri = session.uri;
      if (outcome.final) {
        this.fail(seg, attempt, session.uri, outcome.error, true, outcome.code);
        throw new SegmentFailure(outcome.kind, outcome.error);
      }
      this.fail(seg, attempt, session.uri, outcome.error, false, outcome.code);
    }
    const message = `hit max transcode attempts: ${lastError}`;
    this.fail(seg, maxAttempts, lastUri, message, true, 'MaxAttempts');
    throw new SegmentFailure('max-attempts', message);
  }

  private async attempt(
    session: BroadcastSession,
    seg: SourceSegment,
    hash: Uint8Array,
    attempt: number,
  ): Promise<{ ok: true; result: TranscodedSegment } | { ok: false; final: boolean; kind: 'non-retryable' | 'sender-validation'; error: string; code: string }> {
    const { deps, stream } = this;
    const price = session.pricePerPixel;
    let payment: PreparedPayment | undefined;
    try {
      payment = await this.pay(session, seg, price);
    } catch (err) {
      const msg = (err as Error).message;
      deps.metrics?.paymentCreateErrors.inc();
      if (err instanceof PaymentValidationError && err.stopsStream) return { ok: false, final: true, kind: 'sender-validation', error: msg, code: 'SenderValidation' };
      // Expired params or a price guard: this orchestrator cannot be paid right now; try another.
      this.sessions.remove(session, msg);
      return { ok: false, final: false, kind: 'non-retryable', error: msg, code: 'PaymentError' };
    }
    const segData = await signSegData(
      deps.segmentSigner,
      buildSegData({
        manifestId: stream.id,
        seq: seg.seq,
        hash,
        durationMs: seg.durationMs,
        profiles: stream.profiles,
        capabilities: this.capabilities,
        authToken: session.info.authToken,
        segmentParameters: seg.sliceFromMs !== undefined || seg.sliceToMs !== undefined ? { fromMs: seg.sliceFromMs ?? 0, toMs: seg.sliceToMs ?? 0 } : undefined,
      }),
    );
    deps.bus.emit({ type: 'segment.sent', streamId: stream.id, segment: seg.seq, orchestrator: session.uri, attempt, bytes: seg.data.length });
    if (payment?.batch) this.emitTickets(payment);
    const t0 = performance.now();
    try {
      const reply = await submitSegment({ info: session.info, segData, payment: payment?.paymentHeader ?? '', body: seg.data, durationMs: seg.durationMs });
      deps.metrics?.sourceUploaded.inc({ orchestrator_uri: session.uri });
      deps.metrics?.uploadTime.observe({ orchestrator_uri: session.uri }, reply.uploadMs / 1000);
      const debit = transcodeDebit(reply.renditions.map((r) => r.pixels), price);
      payment?.settle({ status: 'reply', debit });
      if (reply.info) this.payments.get(session)?.update(reply.info);
      const d0 = performance.now();
      const data = await downloadRenditions(reply.renditions.map((r) => r.url));
      deps.metrics?.downloadTime.observe((performance.now() - d0) / 1000);
      deps.metrics?.transcodedDownloaded.inc(data.length);
      if (data.length !== this.names.length) throw new SegmentError(`orchestrator returned ${data.length} renditions for ${this.names.length} profiles`, { paymentSpent: true });
      const latencyMs = performance.now() - t0;
      this.sessions.complete(session, { latencyScore: reply.latencyScore, info: reply.info });
      const labels = this.names.join(',');
      deps.metrics?.transcoded.inc({ profiles: labels, trusted: String(session.trusted), verified: 'false' });
      deps.metrics?.transcodedUnprocessed.inc({ profiles: labels, orchestrator_uri: session.uri });
      deps.metrics?.transcodedAllAppeared.inc({ profiles: labels });
      deps.metrics?.gwSegmentLatency.observe({ orchestrator_uri: session.uri }, latencyMs / 1000);
      deps.metrics?.milPixelsProcessed.inc(Number(reply.renditions.reduce((a, r) => a + r.pixels, 0n)) / 1e6);
      deps.bus.emit({
        type: 'segment.transcoded',
        streamId: stream.id,
        segment: seg.seq,
        orchestrator: session.uri,
        latencyMs: Math.round(latencyMs),
        renditions: data.length,
        feeWei: debit.ceil().toString(),
      });
      return { ok: true, result: { renditions: data.map((d, i) => ({ profile: this.names[i]!, data: d })) } };
    } catch (err) {
      const spent = err instanceof SegmentError ? err.paymentSpent : true;
      payment?.settle(spent ? { status: 'noReply' } : { status: 'notSent' });
      const msg = (err as Error).message;
      const cls = classifySegmentError(err);
      const code = segmentErrorLabel(err);
      deps.metrics?.sourceUploadFailed.inc({ error_code: code, orchestrator_uri: session.uri });
      if (cls === 'non-retryable') {
        // The input is at fault, not the orchestrator: keep it, stop retrying.
        this.sessions.complete(session);
        return { ok: false, final: true, kind: 'non-retryable', error: msg, code };
      }
      if (cls === 'sender-validation') return { ok: false, final: true, kind: 'sender-validation', error: msg, code: 'SenderValidation' };
      this.sessions.remove(session, msg);
      return { ok: false, final: false, kind: 'non-retryable', error: msg, code };
    }
  }

  private async pay(session: BroadcastSession, seg: SourceSegment, price: Rational | undefined): Promise<PreparedPayment | undefined> {
    const source = this.deps.payments;
    if (!source) return undefined;
    let pm = this.payments.get(session);
    if (!pm) {
      pm = source.openSession(session.info, { manifestId: this.stream.id, capabilities: this.capabilities });
      this.payments.set(session, pm);
    } else if (pm.info !== session.info) {
      pm.update(session.info);
    }
    const fee = estimateFee(this.stream.profiles, seg.durationMs / 1000, price);
    return pm.pay({ kind: 'fee', fee });
  }

  private emitTickets(payment: PreparedPayment): void {
    const b = payment.batch!;
    const evWei = b.ev.mul(BigInt(b.count));
    // The ticket metrics count this event, as they count AI and live AI tickets (core/node.ts).
    this.deps.bus.emit({
      type: 'tickets.sent',
      streamId: this.stream.id,
      recipient: b.recipient,
      count: b.count,
      faceValueWei: b.faceValue.toString(),
      winProb: b.winProb.toString(),
      evWei: evWei.floor().toString(),
      firstNonce: Number(b.firstNonce),
    });
  }

  private fail(seg: SourceSegment, attempt: number, orchestrator: string | undefined, error: string, final: boolean, code: string): void {
    if (final) this.deps.metrics?.transcodeFailed.inc({ error_code: code });
    this.deps.bus.emit({ type: 'segment.failed', streamId: this.stream.id, segment: seg.seq, orchestrator, attempt, error, final });
  }

  async close(): Promise<void> {
    await this.sessions.teardown();
  }
}

