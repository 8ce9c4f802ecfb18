import { describe, expect, it } from 'vitest';
import { create } from '@bufbuild/protobuf';
import { buildPayment, effectiveExpirationParams, ticketParamsEV, ticketsFromPayment } from './payment.js';
import { decodePaymentHeader, decodeSegDataHeader, encodePaymentHeader, encodeSegDataHeader } from './headers.js';
import { buildOrchestratorRequest, orchestratorRequestSig, verifyOrchestratorRequest } from './orchestratorRequest.js';
import { signTranscodeResult, transcodeResultHash, verifyTranscodeResult } from './transcodeData.js';
import { OrchestratorInfoSchema, SegDataSchema, TicketParamsSchema } from './gen/net/lp_rpc_pb.js';
import { addressToBytes } from './address.js';
import { bigintToBytes, bytesToHex, utf8 } from './encoding.js';
import { ZERO_HASH, keccak256 } from './hash.js';
import { localSigner, verifySig } from './signer.js';
import { recipientRandHash, ticketHash, winProbForEV } from './ticket.js';
import { transcodingJobCapabilities } from './jobCapabilities.js';

const signer = localSigner('ac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80');
const orch = localSigner('59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d');

function h2Info() {
  return create(OrchestratorInfoSchema, {
    transcoder: 'https://127.0.0.1:8935',
    ticketParams: {
      recipient: addressToBytes('0x70997970C51812dc3A010C7d01b50e0d17dc79C8'),
      faceValue: bigintToBytes(10n ** 15n),
      winProb: bigintToBytes(winProbForEV(8_000_000_000n, 10n ** 15n)),
      recipientRandHash: recipientRandHash(12345n),
      seed: new Uint8Array(32).fill(0xaa),
      expirationBlock: bigintToBytes(1000n),
      expirationParams: { creationRound: 3500n, creationRoundBlockHash: keccak256(utf8('block')) },
    },
    priceInfo: { pricePerUnit: 1200n, pixelsPerUnit: 1n },
  });
}

describe('buildPayment', () => {
  it('echoes params 1–6 and the price, signs consecutive nonces (first ticket = vector H2)', async () => {
    const info = h2Info();
    const p = await buildPayment({ info, signer, numTickets: 3, firstNonce: 1 });
    expect(p.ticketParams?.expirationParams).toBeUndefined();
    expect(p.ticketParams?.seed).toEqual(info.ticketParams?.seed);
    expect(p.ticketParams?.expirationBlock).toEqual(info.ticketParams?.expirationBlock);
    expect(p.expectedPrice).toEqual(info.priceInfo);
    expect(p.expirationParams?.creationRound).toBe(3500n);
    expect(p.sender).toEqual(addressToBytes(signer.address));
    expect(p.ticketSenderParams.map((t) => t.senderNonce)).toEqual([1, 2, 3]);
    expect(bytesToHex(p.ticketSenderParams[0]?.sig as Uint8Array)).toBe(
      'c7ebc21f4d44f7f253b2f91bd9f18181e724c82e228726c055a9d8f1c0b42f44605a633d3123222e6db56f6262060897ed8d3c5ac6f6b86c9172f0a2e70202d31c',
    );

    // receiver: header round trip, rebuild, verify every ticket
    const back = decodePaymentHeader(encodePaymentHeader(p));
    const tickets = ticketsFromPayment(back);
    expect(tickets).toHaveLength(3);
    expect(bytesToHex(ticketHash(tickets[0]!.ticket))).toBe('09bef5bf46bd9250ed05840549b4331b2c39c30a01e85aa6938cdf873ac31977');
    for (const { ticket, sig } of tickets) expect(verifySig(signer.address, ticketHash(ticket), sig)).toEqual({ ok: true });
  });

  it('EV of the params', () => {
    const ev = ticketParamsEV(h2Info().ticketParams!);
    expect(ev.floor()).toBe(8_000_000_000n);
    expect(ev.gt(8_000_000_000n)).toBe(true);
  });

  it('zero tickets still carries params, sender and price', async () => {
    const p = await buildPayment({ info: h2Info(), signer, numTickets: 0, firstNonce: 1 });
    expect(p.ticketSenderParams).toHaveLength(0);
    expect(p.ticketParams).toBeDefined();
  });

  it('errors without params or price', async () => {
    await expect(buildPayment({ info: create(OrchestratorInfoSchema, {}), signer, numTickets: 1, firstNonce: 1 })).rejects.toThrow('no ticket params');
    const noPrice = h2Info();
    noPrice.priceInfo = undefined;
    await expect(buildPayment({ info: noPrice, signer, numTickets: 1, firstNonce: 1 })).rejects.toThrow('missing orchestrator price');
  });

  it('falls back to B\'s round when O\'s expiration params are unusable', () => {
    const fb = { creationRound: 77n, creationRoundBlockHash: new Uint8Array(32).fill(1) };
    const none = create(TicketParamsSchema, {});
    expect(effectiveExpirationParams(none, fb)).toBe(fb);
    const zeroHash = create(TicketParamsSchema, { expirationParams: { creationRound: 5n, creationRoundBlockHash: ZERO_HASH } });
    expect(effectiveExpirationParams(zeroHash, fb)).toBe(fb);
    expect(effectiveExpirationParams(zeroHash)).toEqual({ creationRound: 5n, creationRoundBlockHash: ZERO_HASH });
    const good = h2Info().ticketParams!;
    expect(effectiveExpirationParams(good, fb).creationRound).toBe(3500n);
  });
});

describe('headers', () => {
  it('off-chain payment header is empty and decodes to an empty Payment', () => {
    expect(encodePaymentHeader(undefined)).toBe('');
    expect(decodePaymentHeader('').ticketParams).toBeUndefined();
  });
  it('segment header round trip; malformed input throws', () => {
    const seg = create(SegDataSchema, { manifestId: utf8('m'), seq: 3n, duration: 2000, capabilities: transcodingJobCapabilities({ profiles: [] }) });
    const v = encodeSegDataHeader(seg);
    expect(v).toMatch(/^[A-Za-z0-9+/]+={0,2}$/);
    expect(decodeSegDataHeader(v)).toEqual(seg);
    expect(() => decodeSegDataHeader('not base64!')).toThrow();
    expect(() => decodeSegDataHeader('/////w==')).toThrow();
  });
});

describe('OrchestratorRequest', () => {
  it('signs the EIP-55 address string (vector H1) and verifies on the O side', async () => {
    const sig = await orchestratorRequestSig(signer);
    expect(bytesToHex(sig).slice(0, 16)).toBe('47d66008c2c5b067');
    const req = buildOrchestratorRequest({ signer, sig, capabilities: transcodingJobCapabilities({ profiles: [] }) });
    expect(verifyOrchestratorRequest(req)).toEqual({ ok: true });
    req.address = addressToBytes(orch.address);
    expect(verifyOrchestratorRequest(req).ok).toBe(false);
  });
  it('off-chain request is unsigned', () => {
    const req = buildOrchestratorRequest({ ignoreCapacityCheck: true });
    expect(req.address.length).toBe(0);
    expect(req.sig.length).toBe(0);
    expect(req.ignoreCapacityCheck).toBe(true);
    expect(() => buildOrchestratorRequest({ signer })).toThrow('signature missing');
  });
});

describe('TranscodeData.sig', () => {
  it('account-sign of keccak256 over the rendition hashes', async () => {
    const r = [utf8('rendition 0'), utf8('rendition 1')];
    const want = keccak256(new Uint8Array([...keccak256(r[0]!), ...keccak256(r[1]!)]));
    expect(transcodeResultHash(r)).toEqual(want);
    const sig = await signTranscodeResult(orch, r);
    expect(verifyTranscodeResult(orch.address, r, sig)).toEqual({ ok: true });
    expect(verifyTranscodeResult(orch.address, [r[1]!, r[0]!], sig).ok).toBe(false);
  });
});
