import { describe, expect, it } from 'vitest';
import { Rational } from '../../src/lib/protocol/rational.js';
import { BALANCE_IDLE_TTL_MS, Balances, balanceKey } from '../../src/lib/payments/balances.js';

const r = (n: bigint, d = 1n) => Rational.of(n, d);
const K = balanceKey('0x70997970C51812dc3A010C7d01b50e0d17dc79C8', 'sess-1');

describe('Balances (go-livepeer core/accounting.go, newBalanceUpdate/completeBalanceUpdate)', () => {
  it('keys by (recipient, O session id), recipient case-insensitive; a new session id starts at zero', () => {
    const b = new Balances();
    b.credit(K, 100n);
    expect(b.balance(balanceKey('0x70997970c51812dc3a010c7d01b50e0d17dc79c8', 'sess-1')).eq(100n)).toBe(true);
    expect(b.balance(balanceKey('0x70997970C51812dc3A010C7d01b50e0d17dc79C8', 'sess-2')).isZero()).toBe(true);
  });

  it('reserve reads and zeroes', () => {
    const b = new Balances();
    b.credit(K, r(7n, 2n));
    expect(b.reserve(K).eq(r(7n, 2n))).toBe(true);
    expect(b.balance(K).isZero()).toBe(true);
    expect(b.reserve(K).isZero()).toBe(true);
  });

  it('first request: minCredit = max(fee, ev), n = ⌈minCredit / ev⌉; reply adds existing + new − debit', () => {
    const b = new Balances();
    const u = b.stageUpdate(K, r(250n), r(100n));
    expect([u.numTickets, u.newCredit.num, u.existingCredit.num, u.minCredit.num]).toEqual([3, 300n, 0n, 250n]);
    expect(b.completeUpdate(u, { status: 'reply', debit: 240n }).eq(60n)).toBe(true);
    // next request uses the 60 left over: ⌈(250 − 60)/100⌉ = 2 tickets
    const u2 = b.stageUpdate(K, r(250n), r(100n));
    expect([u2.numTickets, u2.existingCredit.num]).toEqual([2, 60n]);
    expect(b.balance(K).isZero()).toBe(true); // reserved while in flight
    expect(b.completeUpdate(u2, { status: 'reply', debit: 250n }).eq(10n)).toBe(true);
  });

  it('a fee below one ticket EV still buys one ticket (O needs a ticket EV of balance)', () => {
    const b = new Balances();
    const u = b.stageUpdate(K, r(1n, 3n), r(100n));
    expect([u.numTickets, u.minCredit.num]).toEqual([1, 100n]);
  });

  it('enough existing credit → 0 tickets; not sent → the reserved credit is added back', () => {
    const b = new Balances();
    b.credit(K, 500n);
    const u = b.stageUpdate(K, r(250n), r(100n));
    expect(u.numTickets).toBe(0);
    expect(b.balance(K).isZero()).toBe(true);
    expect(b.completeUpdate(u, { status: 'notSent' }).eq(500n)).toBe(true);
  });

  it('sent without a usable reply: existing and new credit are forfeited', () => {
    const b = new Balances();
    b.credit(K, 40n);
    const u = b.stageUpdate(K, r(250n), r(100n));
    expect(u.numTickets).toBe(3); // ⌈210/100⌉
    expect(b.completeUpdate(u, { status: 'noReply' }).isZero()).toBe(true);
    expect(b.balance(K).isZero()).toBe(true);
  });

  it('debit larger than the credit leaves a negative balance, which the next request makes up', () => {
    const b = new Balances();
    const u = b.stageUpdate(K, r(100n), r(100n));
    expect(b.completeUpdate(u, { status: 'reply', debit: 350n }).eq(-250n)).toBe(true);
    const u2 = b.stageUpdate(K, r(100n), r(100n));
    expect([u2.numTickets, u2.existingCredit.num]).toEqual([4, -250n]); // ⌈(100 + 250)/100⌉
  });

  it('exact rationals: fractional fee and EV', () => {
    const b = new Balances();
    const u = b.stageUpdate(K, r(1001n, 10n), r(100n, 3n)); // ⌈100.1 / 33.33…⌉ = 4
    expect(u.numTickets).toBe(4);
    expect(b.completeUpdate(u, { status: 'reply', debit: r(1001n, 10n) }).eq(r(997n, 30n))).toBe(true); // 400/3 − 100.1
  });

  it('no price (fee undefined) or a free O (ev 0): no tickets, nothing reserved', () => {
    const b = new Balances();
    b.credit(K, 5n);
    const u = b.stageUpdate(K, undefined, r(100n));
    expect(u.numTickets).toBe(0);
    expect(b.balance(K).eq(5n)).toBe(true);
    expect(b.stageUpdate(K, r(1000n), Rational.ZERO).numTickets).toBe(0);
  });

  it('completing twice is refused', () => {
    const b = new Balances();
    const u = b.stageUpdate(K, r(10n), r(10n));
    b.completeUpdate(u, { status: 'notSent' });
    expect(() => b.completeUpdate(u, { status: 'notSent' })).toThrow(/already completed/);
  });

  it('purges entries idle for more than 10 minutes', () => {
    let now = 1_000_000;
    const b = new Balances({ now: () => now });
    b.credit(K, 1n);
    b.credit(balanceKey('0x70997970C51812dc3A010C7d01b50e0d17dc79C8', 'other'), 1n);
    now += BALANCE_IDLE_TTL_MS - 1;
    b.debit(K, 1n); // touched
    now += 2;
    expect(b.purgeIdle()).toBe(1);
    expect(b.size).toBe(1);
    now += BALANCE_IDLE_TTL_MS + 1;
    expect(b.purgeIdle()).toBe(1);
    expect(b.size).toBe(0);
  });
});
