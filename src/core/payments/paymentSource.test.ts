// The PaymentSource interface with a local key and with the devnet remote signer: same calls, verifiable output.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodePaymentHeader, decodeSegDataHeader } from '../../lib/protocol/headers.js';
import { verifyOrchestratorRequest, buildOrchestratorRequest } from '../../lib/protocol/orchestratorRequest.js';
import { Rational } from '../../lib/protocol/rational.js';
import { verifySegDataSig } from '../../lib/protocol/segData.js';
import { Balances, balanceKey } from '../../lib/payments/balances.js';
import { fastLocalSigner } from '../../lib/payments/fastSigner.js';
import { LV2V_PIXELS_PER_SECOND, liveUnits } from '../../lib/payments/liveBilling.js';
import { LocalPaymentSource } from './localPaymentSource.js';
import type { PaymentSource } from './paymentSource.js';
import { RemotePaymentSource } from './remotePaymentSource.js';
import { RemoteSignerClient } from './remoteSigner.js';
import { fixedSenderState } from '../../lib/payments/senderMonitor.js';
import { TicketSender } from '../../lib/payments/ticketSender.js';
import { type SignerServer, startSignerServer } from '../../devnet/signer/server.js';
import { GATEWAY_ADDRESS, GATEWAY_KEY, ORCH_ADDRESS, TestOrchestrator, fundedChain } from '../../../test/payments/helpers.js';

let clock = 1_700_000_000_000;
let server: SignerServer;
const signer = fastLocalSigner(GATEWAY_KEY);
const PRICE = { pricePerUnit: 100n, pixelsPerUnit: 1n };

function local(balances = new Balances()) {
  const sender = new TicketSender({ signer, chain: fixedSenderState(fundedChain()) });
  return new LocalPaymentSource({ sender, signer, balances, now: () => clock });
}

beforeAll(async () => {
  server = await startSignerServer({ signer, chain: fixedSenderState(fundedChain()), now: () => clock });
});
afterAll(async () => {
  await server?.close();
});

describe('liveBilling', () => {
  it('lv2v: 1280×720×30 px/s since the last payment, 60 s first; live: whole seconds up, 10 s first; fixed: 1', () => {
    expect(liveUnits('lv2v', undefined, 0)).toBe(LV2V_PIXELS_PER_SECOND * 60n);
    expect(liveUnits('lv2v', 1000, 6500)).toBe(27_648_000n * 55n / 10n);
    expect(liveUnits('lv2v', 5000, 4000)).toBe(0n);
    expect(liveUnits('live', undefined, 0)).toBe(10n);
    expect(liveUnits('live', 0, 2001)).toBe(3n);
    expect(liveUnits('fixed', 0, 99999)).toBe(1n);
    expect(liveUnits('', 0, 99999, 1234n)).toBe(1234n);
  });
});

describe.each([
  ['local', () => local() as PaymentSource],
  ['remote', () => new RemotePaymentSource(new RemoteSignerClient({ url: server.url })) as PaymentSource],
])('PaymentSource (%s)', (_name, make) => {
  it('identity: the gateway address and a valid OrchestratorRequest signature', async () => {
    const id = await make().identity();
    expect(id.address).toBe(GATEWAY_ADDRESS);
    expect(verifyOrchestratorRequest(buildOrchestratorRequest({ signer: { address: id.address, signHash: async () => id.sig }, sig: id.sig }))).toEqual({ ok: true });
  });

  it('live lv2v payments: tickets an orchestrator accepts and signed empty-segment credentials', async () => {
    const o = new TestOrchestrator();
    const src = make();
    const session = src.openSession(o.info(GATEWAY_ADDRESS, { price: PRICE, authExpiration: BigInt(Math.floor(clock / 1000) + 1800) }), {
      manifestId: 'live-abc',
    });
    expect(session.check()).toBeNull();
    const first = await session.pay({ kind: 'live', type: 'lv2v' });
    expect(first.skipped).toBe(false);
    const payment = decodePaymentHeader(first.paymentHeader);
    expect(o.receive(payment, 1000n).error).toBeUndefined();
    expect(first.numTickets).toBe(payment.ticketSenderParams.length);
    expect(first.batch).toMatchObject({ recipient: ORCH_ADDRESS, firstNonce: 1, count: first.numTickets });
    const seg = decodeSegDataHeader(first.segCredsHeader);
    expect(new TextDecoder().decode(seg.manifestId)).toBe('live-abc');
    expect(verifySegDataSig(seg, GATEWAY_ADDRESS)).toEqual({ ok: true });
    first.settle({ status: 'reply', debit: first.fee ?? Rational.ZERO });

    clock += 5000;
    const second = await session.pay({ kind: 'live', type: 'lv2v' });
    expect(second.batch?.firstNonce).toBe(first.numTickets + 1);
    expect(o.receive(decodePaymentHeader(second.paymentHeader), 1000n).error).toBeUndefined();
  });
});

describe('LocalPaymentSource accounting', () => {
  it('fee requests: tickets for max(fee, EV), settled by the reply\'s debit; failures give the credit back', async () => {
    const o = new TestOrchestrator();
    const balances = new Balances();
    const session = local(balances).openSession(o.info(GATEWAY_ADDRESS, { sessionId: 's-1' }));
    const key = balanceKey(ORCH_ADDRESS, 's-1');
    const one = await session.pay({ kind: 'fee', fee: Rational.of(1n) });
    expect(one.numTickets).toBe(1);
    one.settle({ status: 'reply', debit: 1n });
    const evValue = one.batch!.ev;
    expect(balances.balance(key).eq(evValue.sub(1n))).toBe(true);

    const big = await session.pay({ kind: 'fee', fee: evValue.mul(3n) });
    expect(big.numTickets).toBe(3); // ⌈(3 EV − (EV − 1)) / EV⌉
    expect(balances.balance(key).isZero()).toBe(true); // reserved in flight
    big.settle({ status: 'noReply' });
    expect(balances.balance(key).isZero()).toBe(true); // forfeited

    balances.credit(key, 50n);
    const unsent = await session.pay({ kind: 'units', units: 10n });
    unsent.settle({ status: 'notSent' });
    unsent.settle({ status: 'reply', debit: 1n }); // only the first settle counts
    expect(balances.balance(key).eq(50n)).toBe(true);

    // an orchestrator without a price cannot be paid (go-livepeer validatePrice); the balance is untouched
    const noPrice = o.info(GATEWAY_ADDRESS);
    noPrice.priceInfo = undefined;
    session.update(noPrice);
    await expect(session.pay({ kind: 'fee', fee: undefined })).rejects.toThrow('missing orchestrator price');
    expect(balances.balance(key).eq(50n)).toBe(true);
  });

  it('remote signers take units or time, not a precomputed fee', async () => {
    const remote = new RemotePaymentSource(new RemoteSignerClient({ url: server.url }));
    const s = remote.openSession(new TestOrchestrator().info(GATEWAY_ADDRESS));
    await expect(s.pay({ kind: 'fee', fee: Rational.of(5n) })).rejects.toThrow(/units/);
  });
});
