/**
 * bench/protocol: (1) signed tickets per second on one core — TicketSender + fastLocalSigner (the daemon's path)
 * and the plain buildPayment + localSigner path — next to raw noble secp256k1 signatures/s measured in the same
 * run (target ≥ 3,000 tickets/s through TicketSender); (2) GetOrchestrator round trips per second against a devnet
 * orchestrator in a child process (simulated chain, signed request; and off-chain), sequential and 8 concurrent,
 * next to a bare HTTP/2 request on the same connection (404) as the transport baseline.
 */
import { secp256k1 } from '@noble/curves/secp256k1';
import { fastLocalSigner } from '../src/lib/payments/fastSigner.js';
import { fixedSenderState } from '../src/lib/payments/senderMonitor.js';
import { TicketSender } from '../src/lib/payments/ticketSender.js';
import { resolveProfiles } from '../src/lib/media/profilesConfig.js';
import { transcodingJobCapabilities } from '../src/lib/protocol/jobCapabilities.js';
import { H2Pool } from '../src/lib/protocol/h2Pool.js';
import { wireRequest } from '../src/lib/protocol/httpTransport.js';
import { getOrchestrator } from '../src/lib/protocol/orchestratorClient.js';
import { buildOrchestratorRequest, orchestratorRequestSig } from '../src/lib/protocol/orchestratorRequest.js';
import { buildPayment } from '../src/lib/protocol/payment.js';
import { localSigner } from '../src/lib/protocol/signer.js';
import type { OrchestratorRequest } from '../src/lib/protocol/gen/net/lp_rpc_pb.js';
import { GATEWAY_ADDRESS, GATEWAY_KEY, TestOrchestrator, fundedChain } from '../test/payments/helpers.js';
import { killOnExit, loadAverage, spawnOrchestrator, type OrchestratorChild } from './lib/harness.js';
import { report } from './stats.js';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 2);
const TARGET_TICKETS_PER_S = 3000;

/** Runs `fn` repeatedly for about `seconds` (and at most `maxOps` times); ops per second. */
async function rate(seconds: number, maxOps: number, fn: () => unknown): Promise<number> {
  const t0 = performance.now();
  const end = t0 + seconds * 1000;
  let ops = 0;
  while (ops < maxOps && performance.now() < end) {
    for (let i = 0; i < 20 && ops < maxOps; i++, ops++) await fn();
  }
  return (ops / (performance.now() - t0)) * 1000;
}

// --- signing throughput (this process, one thread) ---
const orch = new TestOrchestrator();
const sender = new TicketSender({ signer: fastLocalSigner(GATEWAY_KEY), chain: fixedSenderState(fundedChain()) });

/** createPayment(n) in a loop; a fresh PM session (new ticket params) every 600 nonces, as an orchestrator does. */
function senderLoop(batch: number): () => Promise<void> {
  let session = sender.session(orch.info(GATEWAY_ADDRESS));
  let used = 0;
  return async () => {
    if (used + batch > 600) {
      session = sender.session(orch.info(GATEWAY_ADDRESS));
      used = 0;
    }
    const p = await session.createPayment(batch);
    if (p.payment.ticketSenderParams.length !== batch) throw new Error('wrong ticket count');
    used += batch;
  };
}

const keyBytes = Buffer.from(GATEWAY_KEY.slice(2), 'hex');
const hash = new Uint8Array(32).fill(7);
let counter = 0;
const rawSign = () => {
  hash[0] = counter++ & 0xff;
  secp256k1.sign(hash, keyBytes, { lowS: true });
};

const plain = localSigner(GATEWAY_KEY);
let plainNonce = 1;
let plainInfo = orch.info(GATEWAY_ADDRESS);
const plainLoop = async () => {
  if (plainNonce > 600) {
    plainInfo = orch.info(GATEWAY_ADDRESS);
    plainNonce = 1;
  }
  const p = await buildPayment({ info: plainInfo, signer: plain, numTickets: 1, firstNonce: plainNonce++ });
  if (p.ticketSenderParams.length !== 1) throw new Error('wrong ticket count');
};

// Warm-up: the 12-bit k·G table (~0.4 s), JIT.
await rate(0.5, 2000, senderLoop(1));
await rate(0.3, 1000, rawSign);
await rate(0.3, 1000, plainLoop);

const rawPerS = await rate(SECONDS, 100_000, rawSign);
const single = await rate(SECONDS, 100_000, senderLoop(1));
const batch10 = (await rate(SECONDS, 20_000, senderLoop(10))) * 10;
const plainPerS = await rate(SECONDS, 100_000, plainLoop);

// --- GetOrchestrator round trips (orchestrator in a child process) ---
const children: OrchestratorChild[] = [];
killOnExit(() => children);
const onchain = await spawnOrchestrator(['--price', '1200/1', '--capacity', '100000']);
children.push(onchain);
const offchain = await spawnOrchestrator(['--offchain', '--capacity', '100000']);
children.push(offchain);

const caps = transcodingJobCapabilities({ profiles: resolveProfiles(['P240p30fps16x9', 'P360p30fps16x9']).net, httpPush: true });
const gatewaySigner = localSigner(GATEWAY_KEY);
const signedReq = buildOrchestratorRequest({ signer: gatewaySigner, sig: await orchestratorRequestSig(gatewaySigner), capabilities: caps });
const offReq = buildOrchestratorRequest({ capabilities: caps });

async function rtRate(uri: string, req: OrchestratorRequest | 'baseline', concurrency: number, seconds: number): Promise<{ perS: number; errors: number }> {
  const pool = new H2Pool();
  const one = async () => {
    if (req === 'baseline') {
      const r = await wireRequest(new URL('/stream/none/none/0.ts', uri), { method: 'GET', dialTimeoutMs: 3000, headersTimeoutMs: 3000, totalTimeoutMs: 3000, pool });
      if (r.status !== 404) throw new Error(`baseline: HTTP ${r.status}`);
    } else {
      const { info } = await getOrchestrator(uri, req, { pool, timeoutMs: 5000 });
      if (req === signedReq && !info.ticketParams) throw new Error('no ticket params from the on-chain orchestrator');
    }
  };
  try {
    await one(); // dial
    for (let i = 0; i < 50; i++) await one(); // warm
    let ops = 0;
    let errors = 0;
    const t0 = performance.now();
    const end = t0 + seconds * 1000;
    await Promise.all(
      Array.from({ length: concurrency }, async () => {
        while (performance.now() < end && ops < 200_000) {
          try {
            await one();
            ops++;
          } catch {
            errors++;
            if (errors > 100) throw new Error('too many GetOrchestrator errors');
          }
        }
      }),
    );
    return { perS: (ops / (performance.now() - t0)) * 1000, errors };
  } finally {
    await pool.close();
  }
}

try {
  const load = loadAverage();
  const seqOn = await rtRate(onchain.uri, signedReq, 1, SECONDS);
  const conOn = await rtRate(onchain.uri, signedReq, 8, SECONDS);
  const seqOff = await rtRate(offchain.uri, offReq, 1, SECONDS);
  const conOff = await rtRate(offchain.uri, offReq, 8, SECONDS);
  const seqBase = await rtRate(onchain.uri, 'baseline', 1, SECONDS);
  const conBase = await rtRate(onchain.uri, 'baseline', 8, SECONDS);
  report('protocol', {
    load_average_at_start: load,
    raw_secp256k1_sign_per_s: rawPerS,
    ticket_sender_1_ticket_per_payment_tickets_per_s: single,
    ticket_sender_10_tickets_per_payment_tickets_per_s: batch10,
    build_payment_local_signer_tickets_per_s: plainPerS,
    ticket_sender_vs_raw_sign_ratio: single / rawPerS,
    build_payment_vs_raw_sign_ratio: plainPerS / rawPerS,
    target_tickets_per_s: TARGET_TICKETS_PER_S,
    tickets_verdict: single >= TARGET_TICKETS_PER_S ? 'PASS' : 'FAIL',
    get_orchestrator_onchain_sequential_per_s: seqOn.perS,
    get_orchestrator_onchain_8_concurrent_per_s: conOn.perS,
    get_orchestrator_offchain_sequential_per_s: seqOff.perS,
    get_orchestrator_offchain_8_concurrent_per_s: conOff.perS,
    h2_404_baseline_sequential_per_s: seqBase.perS,
    h2_404_baseline_8_concurrent_per_s: conBase.perS,
    get_orchestrator_onchain_sequential_vs_baseline_ratio: seqOn.perS / seqBase.perS,
    get_orchestrator_errors: seqOn.errors + conOn.errors + seqOff.errors + conOff.errors,
    load_average_at_end: loadAverage(),
  });
} finally {
  await Promise.all(children.map((c) => c.stop()));
}
