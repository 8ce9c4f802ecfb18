// Choosing an orchestrator for a live stream and starting it there (live-ai.md §b.1–5): the AI session manager's
// selector for (live-video-to-video, pipeline), up to 20 selections within the retry budget and 3 tries per
// orchestrator, the first 60 s paid with the start request, and go-livepeer's error classes: ticket params expired →
// the same orchestrator again after a refresh; sender nonce or capacity → another one; anything else → suspended.
import type { AiSession, AiSessionManager, AiSessionSelector } from '../ai/aiSessions.js';
import { aiSegmentCredentials } from '../ai/aiProcess.js';
import type { PaymentSession, PaymentSource } from '../payments/paymentSource.js';
import { GwError } from '../../lib/errors.js';
import { PaymentValidationError } from '../../lib/payments/senderValidation.js';
import type { TicketBatchSummary } from '../../lib/payments/ticketSender.js';
import { toChecksumAddress } from '../../lib/protocol/address.js';
import { Rational } from '../../lib/protocol/rational.js';
import type { Signer } from '../../lib/protocol/signer.js';
import { needsRefresh } from '../sessions/broadcastSession.js';
import { type LiveChannels, type LiveStartRequest, startLiveStream } from './liveStart.js';

/** The capability's pipeline name (price caps, selectors, offers). */
export const LIVE_PIPELINE = 'live-video-to-video';
const MAX_SELECTIONS = 20;
const MAX_TRIES_PER_ORCH = 3;

export interface LiveSelectDeps {
  readonly sessions: AiSessionManager;
  readonly payments: PaymentSource | null;
  /** Signs the start's segment credentials off a local key; undefined off-chain and with a remote signer. */
  readonly segmentSigner: Signer | undefined;
  retryTimeoutMs(): number;
  /** Models (pipelines) the network serves for live-video-to-video, to name them when none fits. */
  servedPipelines(): Promise<string[]>;
  lastL1Block?(): bigint | undefined;
  now?(): number;
}

/** A started stream on one orchestrator. */
export interface LiveOrchestrator {
  readonly session: AiSession;
  readonly selector: AiSessionSelector;
  readonly channels: LiveChannels;
  readonly payment: PaymentSession | undefined;
  readonly orchestrator: { readonly url: string; readonly address: string };
  /** Tickets of the initial payment. */
  readonly batch: TicketBatchSummary | undefined;
}

/** No orchestrator took the stream: what the network serves, and why each candidate failed. */
export class NoLiveOrchestratorError extends GwError {
  constructor(
    message: string,
    readonly rejected: ReadonlyArray<{ orchestrator: string; reason: string }>,
  ) {
    super('no_sessions', message);
    this.name = 'NoLiveOrchestratorError';
  }
}

type Verdict = 'retry-same' | 'other-o' | 'remove';

/** go-livepeer's classes of a failed live start (case-insensitive substrings). */
export function classifyLiveStartError(message: string): Verdict {
  const m = message.toLowerCase();
  if (m.includes('ticketparams expired')) return 'retry-same';
  if (m.includes('invalid ticket sendernonce') || m.includes('insufficient capacity')) return 'other-o';
  return 'remove';
}

/**
 * Selects an orchestrator and starts the stream there; `avoid` holds orchestrators not to use (the one a swap
 * leaves). Throws NoLiveOrchestratorError when none takes it.
 */
export async function selectLiveOrchestrator(
  deps: LiveSelectDeps,
  req: LiveStartRequest & { readonly orchestratorFilter: string; readonly avoid: ReadonlySet<string> },
): Promise<LiveOrchestrator> {
  const now = deps.now ?? Date.now;
  const sel = deps.sessions.selector(LIVE_PIPELINE, req.modelId);
  const started = now();
  const budget = deps.retryTimeoutMs();
  const tries = new Map<string, number>();
  const skip = new Set<string>(req.avoid);
  const held: AiSession[] = [];
  const errors = new Map<string, string>();
  let forgiven = false;
  const offered = new Set<string>();
  try {
    for (let i = 0; i < MAX_SELECTIONS; i++) {
      if (i > 0 && now() - started > budget) break;
      const s = await sel.select();
      const unusable = s !== undefined && (skip.has(s.uri) || (tries.get(s.uri) ?? 0) >= MAX_TRIES_PER_ORCH || (req.orchestratorFilter !== '' && !s.transcoder.includes(req.orchestratorFilter)));
      if (s && unusable) held.push(s);
      // The selector offers the same session again once the usable ones are gone: that is the end of this pool.
      const exhausted = !s || (unusable && offered.has(s.uri));
      if (s) offered.add(s.uri);
      if (exhausted) {
        if (forgiven) break;
        // Only suspended orchestrators are left: a suspended one beats ending the stream.
        forgiven = true;
        offered.clear();
        await sel.forgiveSuspensions();
        continue;
      }
      if (!s || unusable) continue;
      tries.set(s.uri, (tries.get(s.uri) ?? 0) + 1);
      if (s.staleParams || needsRefresh(s, now(), deps.lastL1Block?.())) {
        const r = await sel.refreshSession(s);
        if (!r.ok) {
          sel.remove(s, r.reason);
          errors.set(s.uri, r.reason);
          continue;
        }
      }
      try {
        const started = await startOn(deps, sel, s, req);
        // Back to the pool at once: an orchestrator's capacity, not the selector, limits its streams.
        sel.complete(s);
        return started;
      } catch (err) {
        const msg = (err as Error).message;
        errors.set(s.uri, msg);
        const verdict = err instanceof PaymentValidationError && err.needsRefresh ? 'retry-same' : classifyLiveStartError(msg);
        if (verdict === 'retry-same') {
          s.staleParams = true;
          sel.complete(s);
        } else if (verdict === 'other-o') {
          skip.add(s.uri);
          held.push(s);
        } else {
          sel.remove(s, msg);
        }
      }
    }
  } finally {
    for (const s of held) sel.complete(s);
  }
  const rejected = [...new Map([...sel.rejections, ...errors]).entries()].map(([orchestrator, reason]) => ({ orchestrator, reason }));
  const served = await deps.servedPipelines().catch(() => [] as string[]);
  const what = served.length > 0 ? `the network serves live-video-to-video with: ${served.join(', ')}` : 'no orchestrator serves live-video-to-video';
  const tried = errors.size > 0 ? `; tried: ${[...errors.entries()].map(([o, e]) => `${o}: ${e}`).join('; ')}` : '';
  throw new NoLiveOrchestratorError(`no orchestrator available for pipeline ${req.modelId} (${what})${tried}`, rejected);
}

async function startOn(deps: LiveSelectDeps, sel: AiSessionSelector, s: AiSession, req: LiveStartRequest): Promise<LiveOrchestrator> {
  const caps = (await sel.orchestratorRequest()).capabilities;
  let payment: PaymentSession | undefined;
  let headers: Record<string, string>;
  let batch: TicketBatchSummary | undefined;
  let settle: ((ok: boolean) => void) | undefined;
  if (deps.payments) {
    // A fresh payment session per start: go-livepeer resets the balance to a new manifest for each stream.
    payment = deps.payments.openSession(s.info, {
      ...(caps ? { capabilities: caps } : {}),
      refresh: async () => {
        const r = await sel.refreshSession(s);
        if (!r.ok) throw new Error(r.reason);
        return s.info;
      },
    });
    const p = await payment.pay({ kind: 'live', type: 'lv2v' });
    batch = p.batch;
    headers = { 'Livepeer-Payment': p.paymentHeader, 'Livepeer-Segment': p.segCredsHeader };
    settle = (ok) => p.settle(ok ? { status: 'reply', debit: p.fee ?? Rational.ZERO } : { status: 'noReply' });
  } else {
    const segCreds = await aiSegmentCredentials(deps.segmentSigner, { manifestId: sel.key, session: s, capabilities: caps });
    headers = { 'Livepeer-Payment': '', 'Livepeer-Segment': segCreds };
  }
  let channels: LiveChannels;
  try {
    channels = await startLiveStream({ transcoder: s.transcoder, request: req, headers });
  } catch (err) {
    settle?.(false);
    throw err;
  }
  settle?.(true);
  payment?.setManifestId(channels.manifestId);
  const recipient = s.info.ticketParams?.recipient;
  const address = recipient && recipient.length === 20 ? toChecksumAddress(recipient) : s.info.address.length === 20 ? toChecksumAddress(s.info.address) : '';
  return { session: s, selector: sel, channels, payment, orchestrator: { url: s.transcoder, address }, batch };
}
