/**
 * bench/payments: (1) tickets per second through the daemon's full local payment path on one core —
 * LocalPaymentSource.pay (balance staging, ticket count) → TicketSender (price guard, params validation, nonces,
 * keccak) → fastLocalSigner — next to raw noble secp256k1 signatures/s in the same run (target ≥ 3,000/s);
 * (2) the latency a payment adds to a segment: the same segment bytes sent (submitSegment + downloadRenditions)
 * alternately to an off-chain passthrough orchestrator (no payment, unsigned SegData) and to a simulated-chain
 * passthrough orchestrator with a price (signed SegData, Livepeer-Payment from a TicketSender session, balances
 * settled) — both child processes. Prints the median added ms and the paid/unpaid ratio.
 */
import { secp256k1 } from '@noble/curves/secp256k1';
import { resolveProfiles } from '../src/lib/media/profilesConfig.js';
import { fastLocalSigner } from '../src/lib/payments/fastSigner.js';
import { LocalPaymentSource } from '../src/core/payments/localPaymentSource.js';
import type { PaymentSession } from '../src/core/payments/paymentSource.js';
import { fixedSenderState } from '../src/lib/payments/senderMonitor.js';
import { TicketSender } from '../src/lib/payments/ticketSender.js';
import { estimateFee, pricePerPixel, transcodeDebit } from '../src/lib/protocol/fees.js';
import type { OrchestratorInfo } from '../src/lib/protocol/gen/net/lp_rpc_pb.js';
import { keccak256 } from '../src/lib/protocol/hash.js';
import { transcodingJobCapabilities } from '../src/lib/protocol/jobCapabilities.js';
import { getOrchestrator } from '../src/lib/protocol/orchestratorClient.js';
import { buildOrchestratorRequest } from '../src/lib/protocol/orchestratorRequest.js';
import { buildSegData, signSegData } from '../src/lib/protocol/segData.js';
import { downloadRenditions, submitSegment } from '../src/lib/protocol/segmentClient.js';
import { GATEWAY_ADDRESS, GATEWAY_KEY, TestOrchestrator, fundedChain } from '../test/payments/helpers.js';
import { benchSegments, killOnExit, loadAverage, spawnOrchestrator, type OrchestratorChild } from './lib/harness.js';
import { median, percentile, report } from './stats.js';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 2);
const SEGMENTS = Number(process.env.BENCH_SEGMENTS ?? 40);
const TARGET_TICKETS_PER_S = 3000;
const PRICE = { pricePerUnit: 1200n, pixelsPerUnit: 1n };

const signer = fastLocalSigner(GATEWAY_KEY);
const profiles = resolveProfiles(['P240p30fps16x9', 'P360p30fps16x9']).net;
const capabilities = transcodingJobCapabilities({ profiles, httpPush: true });

// --- (1) tickets/s through LocalPaymentSource (test orchestrator params, fixed funded chain state) ---
const orch = new TestOrchestrator();
const localSource = new LocalPaymentSource({ sender: new TicketSender({ signer, chain: fixedSenderState(fundedChain()) }), signer });

async function ticketRate(seconds: number, ticketsPerPayment: number): Promise<number> {
  let info = orch.info(GATEWAY_ADDRESS);
  let session = localSource.openSession(info);
  const ev = Number(8_000_000_000n);
  // Units at 1200 wei/pixel so that the fee needs `ticketsPerPayment` tickets of EV 8e9.
  const units = BigInt(Math.ceil((ev * ticketsPerPayment) / 1200));
  let used = 0;
  let tickets = 0;
  const t0 = performance.now();
  const end = t0 + seconds * 1000;
  for (let i = 0; i < 200_000 && performance.now() < end; i++) {
    if (used + ticketsPerPayment + 2 > 600) {
      info = orch.info(GATEWAY_ADDRESS, { sessionId: `s${i}` });
      session = localSource.openSession(info);
      used = 0;
    }
    const err = session.check();
    if (err) throw err;
    const p = await session.pay({ kind: 'units', units });
    p.settle({ status: 'reply', debit: pricePerPixel(info.priceInfo)!.mul(units) });
    used += p.numTickets;
    tickets += p.numTickets;
  }
  return (tickets / (performance.now() - t0)) * 1000;
}

const keyBytes = Buffer.from(GATEWAY_KEY.slice(2), 'hex');
function rawSignRate(seconds: number): number {
  const h = new Uint8Array(32).fill(3);
  let n = 0;
  const t0 = performance.now();
  const end = t0 + seconds * 1000;
  while (n < 100_000 && performance.now() < end) {
    h[0] = n & 0xff;
    secp256k1.sign(h, keyBytes, { lowS: true });
    n++;
  }
  return (n / (performance.now() - t0)) * 1000;
}

await ticketRate(0.5, 1); // warm-up (12-bit k·G table, JIT)
rawSignRate(0.3);
const rawPerS = rawSignRate(SECONDS);
const perTicket1 = await ticketRate(SECONDS, 1);
const perTicket3 = await ticketRate(SECONDS, 3);

// --- (2) paid vs unpaid segment latency against passthrough orchestrators (child processes) ---
const children: OrchestratorChild[] = [];
killOnExit(() => children);
const unpaidO = await spawnOrchestrator(['--offchain', '--passthrough', '--capacity', '1000']);
children.push(unpaidO);
const paidO = await spawnOrchestrator(['--passthrough', '--price', `${PRICE.pricePerUnit}/${PRICE.pixelsPerUnit}`, '--capacity', '1000']);
children.push(paidO);

// The simulated chain makes one L1 block every 12 s; the sender must see the same block numbers.
const chainState = fixedSenderState(fundedChain({ lastSeenL1Block: BigInt(Math.floor(Date.now() / 12_000)) }));
const source = new LocalPaymentSource({ sender: new TicketSender({ signer, chain: chainState }), signer });
const identity = await source.identity();

interface Target {
  name: string;
  info: OrchestratorInfo;
  pay?: PaymentSession;
}

async function open(o: OrchestratorChild, paid: boolean): Promise<Target> {
  const request = paid ? buildOrchestratorRequest({ signer, sig: identity.sig, capabilities }) : buildOrchestratorRequest({ capabilities });
  const { info } = await getOrchestrator(o.uri, request);
  if (paid && !info.ticketParams) throw new Error('the priced orchestrator sent no ticket params');
  return { name: paid ? 'paid' : 'unpaid', info, pay: paid ? source.openSession(info, { manifestId: 'bench-paid', capabilities }) : undefined };
}

let seq = 0;
let ticketsSent = 0;
/** Gateway-side ms spent on payment + SegData signing per paid segment (the rest of the added time is O's checks). */
const gatewayPayMs: number[] = [];
/** One segment, as the gateway's attempt does it; returns ms from hashing to the last rendition byte. */
async function segment(t: Target, data: Uint8Array, durationMs: number): Promise<number> {
  const t0 = performance.now();
  const hash = keccak256(data);
  const hashMs = performance.now() - t0;
  const price = pricePerPixel(t.info.priceInfo);
  let header = '';
  let settle: ((debit: ReturnType<typeof transcodeDebit>) => void) | undefined;
  if (t.pay) {
    const p = await t.pay.pay({ kind: 'fee', fee: estimateFee(profiles, durationMs / 1000, price) });
    header = p.paymentHeader;
    ticketsSent += p.numTickets;
    settle = (debit) => p.settle({ status: 'reply', debit });
  }
  const segData = await signSegData(
    t.pay ? signer : undefined,
    buildSegData({ manifestId: `bench-${t.name}`, seq: seq++, hash, durationMs, profiles, capabilities, authToken: t.info.authToken }),
  );
  if (t.pay) gatewayPayMs.push(performance.now() - t0 - hashMs);
  const reply = await submitSegment({ info: t.info, segData, payment: header, body: data, durationMs });
  settle?.(transcodeDebit(reply.renditions.map((r) => r.pixels), price));
  if (reply.info) {
    // O refreshes params and price with every reply; keep its auth token as the gateway does.
    t.info = reply.info.authToken ? reply.info : { ...reply.info, authToken: t.info.authToken };
    t.pay?.update(t.info);
  }
  const files = await downloadRenditions(reply.renditions.map((r) => r.url));
  if (files.length !== profiles.length || files.some((f) => f.length !== data.length)) throw new Error('unexpected renditions');
  return performance.now() - t0;
}

try {
  const load = loadAverage();
  const { large, small } = benchSegments();
  const unpaid = await open(unpaidO, false);
  const paid = await open(paidO, true);
  const results: Record<string, number | string> = {};
  for (const [label, data] of [['1mb', large], ['small', small]] as const) {
    for (let i = 0; i < 5; i++) {
      await segment(unpaid, data, 2000);
      await segment(paid, data, 2000);
    }
    gatewayPayMs.length = 0;
    const u: number[] = [];
    const p: number[] = [];
    for (let i = 0; i < SEGMENTS; i++) {
      // Alternate so that drift in machine load hits both alike.
      u.push(await segment(unpaid, data, 2000));
      p.push(await segment(paid, data, 2000));
    }
    results[`${label}_segment_bytes`] = data.length;
    results[`${label}_unpaid_median_ms`] = median(u);
    results[`${label}_paid_median_ms`] = median(p);
    results[`${label}_unpaid_p95_ms`] = percentile(u, 95);
    results[`${label}_paid_p95_ms`] = percentile(p, 95);
    results[`${label}_added_median_ms`] = median(p) - median(u);
    results[`${label}_paid_vs_unpaid_ratio`] = median(p) / median(u);
    results[`${label}_gateway_side_pay_and_sign_median_ms`] = median(gatewayPayMs);
  }
  report('payments', {
    load_average_at_start: load,
    raw_secp256k1_sign_per_s: rawPerS,
    local_payment_source_1_ticket_per_payment_tickets_per_s: perTicket1,
    local_payment_source_3_tickets_per_payment_tickets_per_s: perTicket3,
    vs_raw_sign_ratio: perTicket1 / rawPerS,
    target_tickets_per_s: TARGET_TICKETS_PER_S,
    tickets_verdict: perTicket1 >= TARGET_TICKETS_PER_S ? 'PASS' : 'FAIL',
    segments_per_mode: SEGMENTS,
    tickets_per_paid_segment: ticketsSent / (2 * (SEGMENTS + 5)),
    ...results,
    load_average_at_end: loadAverage(),
  });
} finally {
  await Promise.all(children.map((c) => c.stop()));
}
