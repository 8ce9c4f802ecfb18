// Pure parts of the devnet orchestrator: the self-signed certificate and fault configuration parsing.
import { X509Certificate, createPrivateKey } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { generateSelfSignedCert } from '../../src/devnet/orchestrator/cert.js';
import { applyFaultPatch, FaultInjector, parseLatency, parsePrice } from '../../src/devnet/orchestrator/faults.js';
import { optionsFromFlags } from '../../src/devnet/orchestrator/orchestratorFlags.js';
import { create } from '@bufbuild/protobuf';
import {
  addressToBytes,
  buildPayment,
  bytesToBigint,
  localSigner,
  OrchestratorInfoSchema,
  privateKeyToAddress,
  Rational,
  ticketsFromPayment,
} from '../../src/lib/protocol/index.js';
import { simulatedChain } from '../../src/devnet/orchestrator/chainView.js';
import { systemClock } from '../../src/devnet/orchestrator/clock.js';
import { Recipient } from '../../src/devnet/orchestrator/recipient.js';
import { Sessions } from '../../src/devnet/orchestrator/sessions.js';
import { DEV_KEYS } from './helpers/payments.js';

describe('self-signed certificate', () => {
  it('is a valid 1-year ECDSA P-256 CA certificate for the host, signed by its own key', () => {
    const now = new Date('2026-01-02T03:04:05Z');
    const c = generateSelfSignedCert(['127.0.0.1', 'localhost'], now);
    const x = new X509Certificate(c.certPem);
    expect(x.ca).toBe(true);
    expect(x.subjectAltName).toBe('DNS:127.0.0.1, IP Address:127.0.0.1, DNS:localhost');
    expect(x.checkIP('127.0.0.1')).toBe('127.0.0.1');
    expect(x.publicKey.asymmetricKeyDetails?.namedCurve).toBe('prime256v1');
    expect(x.verify(x.publicKey)).toBe(true);
    expect(x.checkPrivateKey(createPrivateKey(c.keyPem))).toBe(true);
    expect(new Date(x.validTo).getTime() - now.getTime()).toBe(365 * 24 * 3600 * 1000);
    expect(x.keyUsage).toContain('1.3.6.1.5.5.7.3.1');
    expect(generateSelfSignedCert(['::1']).certPem).not.toBe(c.certPem);
    expect(new X509Certificate(generateSelfSignedCert(['::1']).certPem).subjectAltName).toBe('DNS:::1, IP Address:0:0:0:0:0:0:0:1');
  });
});

describe('fault configuration', () => {
  it('parses latency and prices', () => {
    expect(parseLatency('100ms')).toBe(100);
    expect(parseLatency('1.5s')).toBe(1500);
    expect(parseLatency('50-300ms')).toEqual([50, 300]);
    expect(() => parseLatency('300-50ms')).toThrow(/min ≤ max/);
    expect(() => parseLatency('fast')).toThrow(/invalid latency/);
    expect(parsePrice('1200/1')).toEqual({ pricePerUnit: 1200n, pixelsPerUnit: 1n });
    expect(parsePrice('7')).toEqual({ pricePerUnit: 7n, pixelsPerUnit: 1n });
    expect(() => parsePrice('1/0')).toThrow(/positive/);
    expect(() => parsePrice('1.5/1')).toThrow(/invalid price/);
  });

  it('applies run-time patches and draws faults per segment', () => {
    let price = { pricePerUnit: 1n, pixelsPerUnit: 1n };
    let r = 0.5;
    const f = new FaultInjector({ failNext: 1 }, { setPrice: (a, b) => (price = { pricePerUnit: a, pixelsPerUnit: b }), price: () => price, random: () => r });
    expect(f.nextSegment()).toEqual({ latencyMs: 0, error: 'OrchestratorBusy' });
    expect(f.nextSegment()).toEqual({ latencyMs: 0 });
    applyFaultPatch(f, { errorRate: 0.6, latency: [10, 20], dieAfter: 2, price: '3/2' });
    expect(f.nextSegment()).toEqual({ latencyMs: 15, error: 'devnet injected transcode error' });
    r = 0.9;
    expect(f.nextSegment().error).toBeUndefined();
    expect(f.state()).toMatchObject({ errorRate: 0.6, latency: [10, 20], dieAfter: 2, pricePerUnit: '3', pixelsPerUnit: '2' });
    expect(f.segmentAnswered()).toBe(false);
    expect(f.segmentAnswered()).toBe(true);
    expect(() => applyFaultPatch(f, { bogus: 1 })).toThrow(/unknown fault field/);
    expect(() => applyFaultPatch(f, { failNext: -1 })).toThrow(/non-negative/);
    applyFaultPatch(f, { reset: true });
    expect(f.state()).toMatchObject({ failNext: 0, latency: null, errorRate: 0, dieAfter: null });
  });

  it('turns command-line flags into orchestrator options', () => {
    const o = optionsFromFlags({ price: '1500/2', port: '0', 'fail-next': '2', latency: '5-10ms', 'error-rate': '0.25', 'eth-url': 'http://127.0.0.1:8545', controller: '0x5FbDB2315678afecb367f032d93F642f64180aa3' }, { GW_DEVNET_ETH_KEY: '59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d' });
    expect(o).toMatchObject({ pricePerUnit: 1500n, pixelsPerUnit: 2n, port: 0, faults: { failNext: 2, latency: [5, 10], errorRate: 0.25 }, chain: { rpcUrl: 'http://127.0.0.1:8545' } });
    expect(o.ethKey).toBe('0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d');
    expect(() => optionsFromFlags({ 'eth-url': 'http://x' })).toThrow(/go together/);
    expect(() => optionsFromFlags({ 'error-rate': '1.5' })).toThrow(/between 0 and 1/);
    expect(() => optionsFromFlags({ 'eth-key': 'nope' })).toThrow(/private key/);
  });
});

describe('recipient and sessions', () => {
  it('accepts a bounded number of nonces per recipientRand, then "too many values"', async () => {
    const gw = localSigner(DEV_KEYS.gateway);
    const orchAddr = privateKeyToAddress(DEV_KEYS.orchestrator);
    const r = new Recipient({ address: orchAddr, ticketEV: 1000n, redeemGas: 0n, maxFaceValue: 0n, paramsExpirationBlocks: 40n, maxSenderNonces: 3 }, simulatedChain(systemClock));
    const price = Rational.of(1n);
    const params = await r.ticketParams(addressToBytes(gw.address), price);
    const info = create(OrchestratorInfoSchema, { ticketParams: params, priceInfo: { pricePerUnit: 1n, pixelsPerUnit: 1n } });
    const payment = await buildPayment({ info, signer: gw, numTickets: 4, firstNonce: 1 });
    const results = [];
    for (const { ticket, sig } of ticketsFromPayment(payment)) {
      results.push(await r.receiveTicket(ticket, sig, bytesToBigint(params.seed), bytesToBigint(params.expirationBlock), price));
    }
    expect(results.map((x) => x.error?.message)).toEqual([undefined, undefined, undefined, `invalid ticket senderNonce: too many values sender=${gw.address} nonce=4`]);
    const other = await r.receiveTicket(ticketsFromPayment(payment)[0]!.ticket, ticketsFromPayment(payment)[1]!.sig, bytesToBigint(params.seed), bytesToBigint(params.expirationBlock), price);
    expect(other.error?.message).toBe('invalid ticket signature');
    expect(other.error?.fatal).toBe(false);
  });

  it('keeps the last 12 rendition objects of a session', () => {
    const s = new Sessions(systemClock, 1);
    expect(s.acquire('a')).toBe(true);
    expect(s.acquire('b')).toBe(false);
    for (let i = 0; i < 14; i++) s.put('a', `P/${i}.ts`, new Uint8Array([i]));
    expect(s.get('a', 'P/0.ts')).toBeUndefined();
    expect(s.get('a', 'P/1.ts')).toBeUndefined();
    expect(s.get('a', 'P/2.ts')).toEqual(new Uint8Array([2]));
    expect(s.get('a', 'P/13.ts')).toEqual(new Uint8Array([13]));
  });
});
