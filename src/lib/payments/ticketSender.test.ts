import { describe, expect, it } from 'vitest';
import { randomBytes } from 'node:crypto';
import { fromBinary, toBinary } from '@bufbuild/protobuf';
import { PaymentSchema } from '../protocol/gen/net/lp_rpc_pb.js';
import { addressToBytes } from '../protocol/address.js';
import { base64Decode, bytesToHex } from '../protocol/encoding.js';
import { ZERO_HASH, keccak256 } from '../protocol/hash.js';
import { buildPayment, ticketsFromPayment } from '../protocol/payment.js';
import { localSigner, recoverAddress } from '../protocol/signer.js';
import { ticketHash } from '../protocol/ticket.js';
import { keccak256Fast } from '../protocol/keccak.js';
import { keccak_256 } from '@noble/hashes/sha3';
import { fastLocalSigner } from './fastSigner.js';
import { fixedSenderState } from './senderMonitor.js';
import { NoncesExhaustedError, PriceGuardError, SenderFundsError } from './senderValidation.js';
import { TicketSender } from './ticketSender.js';
import { GATEWAY_ADDRESS, GATEWAY_KEY, TestOrchestrator, fundedChain } from '../../../test/payments/helpers.js';

const fast = fastLocalSigner(GATEWAY_KEY);
const slow = localSigner(GATEWAY_KEY);

function newSender(chain = fixedSenderState(fundedChain())) {
  return new TicketSender({ signer: fast, chain });
}

describe('keccak256Fast and fastLocalSigner', () => {
  it('keccak matches @noble/hashes around the 136-byte rate boundaries', () => {
    for (const len of [0, 1, 31, 32, 60, 135, 136, 137, 200, 232, 271, 272, 273, 1000, 1_000_003]) {
      const d = new Uint8Array(randomBytes(len));
      expect(bytesToHex(keccak256Fast(d))).toBe(bytesToHex(keccak_256(d)));
      expect(bytesToHex(keccak256(d))).toBe(bytesToHex(keccak_256(d)));
    }
  });

  it('signs byte-for-byte like protocol localSigner, one by one and in batches', () => {
    expect(fast.address).toBe(GATEWAY_ADDRESS);
    const hashes = Array.from({ length: 40 }, () => new Uint8Array(randomBytes(32)));
    const batch = fast.signHashesSync(hashes);
    hashes.forEach((h, i) => {
      const want = bytesToHex(slow.signHashSync(h));
      expect(bytesToHex(batch[i]!)).toBe(want);
      expect(bytesToHex(fast.signHashSync(h))).toBe(want);
    });
    expect(() => fast.signHashesSync([new Uint8Array(31)])).toThrow(/32-byte hash/);
    // noble's shared 10-bit table gives the same bytes
    const shared = fastLocalSigner(GATEWAY_KEY, { window: 10 });
    expect(bytesToHex(shared.signHashesSync(hashes.slice(0, 3))[2]!)).toBe(bytesToHex(batch[2]!));
  });
});

describe('TicketSender: nonces, price guard, payment header', () => {
  it('builds the same Payment as protocol buildPayment, and every ticket verifies', async () => {
    const o = new TestOrchestrator();
    const info = o.info(GATEWAY_ADDRESS);
    const s = newSender().session(info);
    const signed = await s.createPayment(3);
    const decoded = fromBinary(PaymentSchema, base64Decode(signed.header));
    const reference = await buildPayment({ info, signer: slow, numTickets: 3, firstNonce: 1 });
    expect(bytesToHex(base64Decode(signed.header))).toBe(bytesToHex(toBinary(PaymentSchema, reference)));
    expect(decoded.sender).toEqual(addressToBytes(GATEWAY_ADDRESS));
    expect(decoded.expectedPrice?.pricePerUnit).toBe(1200n);
    expect(decoded.ticketParams?.seed).toEqual(info.ticketParams?.seed);
    expect(decoded.expirationParams?.creationRound).toBe(10n);
    const tickets = ticketsFromPayment(decoded);
    expect(tickets.map((t) => t.ticket.senderNonce)).toEqual([1, 2, 3]);
    for (const { ticket, sig } of tickets) expect(recoverAddress(ticketHash(ticket), sig)).toBe(GATEWAY_ADDRESS);
    expect(signed.batch).toMatchObject({ recipient: o.address, count: 3, firstNonce: 1, faceValue: 10n ** 15n });
    expect(signed.batch?.pmSessionId).toBe(`0x${bytesToHex(info.ticketParams!.recipientRandHash)}`);
    expect(signed.batch?.ev.floor()).toBe(8_000_000_000n);

    // an orchestrator accepts all three and credits 3 × EV
    const r = o.receive(decoded, 1000n);
    expect(r.error).toBeUndefined();
    expect(r.credited.eq(signed.batch!.ev.mul(3n))).toBe(true);
  });

  it('nonces start at 1, continue within a PM session, restart with new params and are never reused', async () => {
    const o = new TestOrchestrator();
    const sender = newSender();
    const first = o.info(GATEWAY_ADDRESS);
    const s = sender.session(first);
    expect((await s.createPayment(2)).batch?.firstNonce).toBe(1);
    expect((await s.createPayment(3)).batch?.firstNonce).toBe(3);
    s.update(o.info(GATEWAY_ADDRESS)); // reply with fresh params → new PM session
    expect((await s.createPayment(1)).batch?.firstNonce).toBe(1);
    s.update(first); // the old params again: continue after 5, never restart
    const again = await s.createPayment(1);
    expect(again.batch?.firstNonce).toBe(6);
    // a second orchestrator session with the same params shares the counter
    expect((await sender.session(first).createPayment(1)).batch?.firstNonce).toBe(7);
    // and the orchestrator accepts every one of those tickets
    const all = o.receive(again.payment, 1000n);
    expect(all.error).toBeUndefined();
  });

  it('concurrent payments on one session get disjoint nonces', async () => {
    const s = newSender().session(new TestOrchestrator().info(GATEWAY_ADDRESS));
    const results = await Promise.all([s.createPayment(4), s.createPayment(4), s.createPayment(4)]);
    const nonces = results.flatMap((r) => r.payment.ticketSenderParams.map((p) => p.senderNonce)).sort((a, b) => a - b);
    expect(nonces).toEqual(Array.from({ length: 12 }, (_, i) => i + 1));
  });

  it('caps nonces at 600 per recipientRandHash, then needs new params', async () => {
    const o = new TestOrchestrator();
    const s = newSender().session(o.info(GATEWAY_ADDRESS, { ev: 1000n, faceValue: 10n ** 6n }));
    await s.createPayment(599);
    const err = await s.createPayment(2).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(NoncesExhaustedError);
    expect((err as NoncesExhaustedError).needsRefresh).toBe(true);
    expect(s.check(2)?.code).toBe('nonces_exhausted');
    expect((await s.createPayment(1)).batch?.firstNonce).toBe(600); // the refused call consumed nothing
    await expect(s.createPayment(1)).rejects.toThrow(/nonces exhausted/);
    s.update(o.info(GATEWAY_ADDRESS));
    expect((await s.createPayment(1)).batch?.firstNonce).toBe(1);
  }, 30_000);

  it('refuses to pay above 2× the session\'s initial price', async () => {
    const o = new TestOrchestrator();
    const s = newSender().session(o.info(GATEWAY_ADDRESS, { price: { pricePerUnit: 1200n, pixelsPerUnit: 1n } }));
    s.update(o.info(GATEWAY_ADDRESS, { price: { pricePerUnit: 2400n, pixelsPerUnit: 1n } }));
    expect((await s.createPayment(1)).batch?.count).toBe(1);
    s.update(o.info(GATEWAY_ADDRESS, { price: { pricePerUnit: 2401n, pixelsPerUnit: 1n } }));
    const err = await s.createPayment(1).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PriceGuardError);
    expect((err as Error).message).toBe('Orchestrator price has more than doubled, Orchestrator price: 2401, Orchestrator initial price: 1200');
    expect(s.check(0)?.code).toBe('price_increased');
    // the guard applies even with zero tickets (go-livepeer checks before building)
    await expect(s.createPayment(0)).rejects.toThrow(/more than doubled/);
  });

  it('zero tickets: sender and expected price only', async () => {
    const info = new TestOrchestrator().info(GATEWAY_ADDRESS);
    const signed = await newSender().session(info).createPayment(0);
    const p = fromBinary(PaymentSchema, base64Decode(signed.header));
    expect(p.ticketParams).toBeUndefined();
    expect(p.ticketSenderParams).toHaveLength(0);
    expect(p.sender).toEqual(addressToBytes(GATEWAY_ADDRESS));
    expect(p.expectedPrice).toEqual(info.priceInfo);
    expect(signed.batch).toBeUndefined();
  });

  it('validates before signing: stream-stopping funds errors, expired params; nothing consumed', async () => {
    const o = new TestOrchestrator();
    const chain = fixedSenderState(fundedChain({ info: { deposit: 0n, withdrawRound: 0n, reserve: { fundsRemaining: 10n ** 18n, claimedInCurrentRound: 0n } } }));
    const sender = newSender(chain);
    const s = sender.session(o.info(GATEWAY_ADDRESS));
    const err = await s.createPayment(1).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SenderFundsError);
    expect((err as SenderFundsError).stopsStream).toBe(true);
    expect((err as Error).message).toBe('no sender deposit');
    chain.set(fundedChain());
    expect((await s.createPayment(1)).batch?.firstNonce).toBe(1);
    chain.set(fundedChain({ lastSeenL1Block: 1039n }));
    await expect(s.createPayment(1)).rejects.toThrow('TicketParams expired');
    expect(sender.checkParams(s.info.ticketParams)?.needsRefresh).toBe(true);
    const none = new TicketSender({ signer: fast, chain: { current: () => undefined } });
    await expect(none.session(o.info(GATEWAY_ADDRESS)).createPayment(1)).rejects.toThrow(/chain state is not available/);
  });

  it('falls back to the sender\'s own round and block hash when O sends no usable expiration params', async () => {
    const o = new TestOrchestrator();
    const chain = fundedChain();
    const info = o.info(GATEWAY_ADDRESS, { creationRound: 0n, creationRoundBlockHash: ZERO_HASH });
    const signed = await newSender(fixedSenderState(chain)).session(info).createPayment(2);
    expect(signed.payment.expirationParams?.creationRound).toBe(10n);
    expect(signed.payment.expirationParams?.creationRoundBlockHash).toEqual(chain.lastInitializedBlockHash);
    const reference = await buildPayment({
      info,
      signer: slow,
      numTickets: 2,
      firstNonce: 1,
      fallbackExpiration: { creationRound: 10n, creationRoundBlockHash: chain.lastInitializedBlockHash },
    });
    expect(signed.header).toBe(Buffer.from(toBinary(PaymentSchema, reference)).toString('base64'));
  });

  it('works with a plain async Signer too', async () => {
    const asyncOnly = { address: slow.address, signHash: (h: Uint8Array) => slow.signHash(h) };
    const o = new TestOrchestrator();
    const s = new TicketSender({ signer: asyncOnly, chain: fixedSenderState(fundedChain()) }).session(o.info(GATEWAY_ADDRESS));
    const signed = await s.createPayment(2);
    expect(o.receive(signed.payment, 1000n).error).toBeUndefined();
  });

  it('an orchestrator rejects a payment whose echoed price was altered', async () => {
    const o = new TestOrchestrator();
    const signed = await newSender().session(o.info(GATEWAY_ADDRESS)).createPayment(1);
    signed.payment.expectedPrice!.pricePerUnit = 1199n;
    expect(o.receive(signed.payment, 1000n).error).toBe('invalid recipientRand for ticket recipientRandHash');
  });
});

