import { describe, expect, it } from 'vitest';
import { create } from '@bufbuild/protobuf';
import { TicketParamsSchema } from '../protocol/gen/net/lp_rpc_pb.js';
import { bigintToBytes } from '../protocol/encoding.js';
import { MAX_WIN_PROB } from '../protocol/ticket.js';
import {
  DEFAULT_SENDER_VALIDATION_SETTINGS,
  type PaymentValidationError,
  SenderFundsError,
  TicketParamsExpiredError,
  checkPriceIncrease,
  checkTicketParams,
  parseTicketParams,
  resolveValidationSettings,
  validateTicketParams,
  type SenderSnapshot,
} from './senderValidation.js';
import { ETH } from '../../../test/payments/helpers.js';

// 2^256 − 1 is divisible by 3, so winProb = max/3 gives EV = faceValue / 3 exactly.
const THIRD = MAX_WIN_PROB / 3n;

function params(faceValue: bigint, winProb: bigint, expirationBlock = 1040n) {
  return parseTicketParams(
    create(TicketParamsSchema, {
      faceValue: bigintToBytes(faceValue),
      winProb: bigintToBytes(winProb),
      expirationBlock: bigintToBytes(expirationBlock),
    }),
  );
}

function sender(over: { deposit?: bigint; reserve?: bigint; withdrawRound?: bigint; block?: bigint } = {}): SenderSnapshot {
  return {
    info: {
      deposit: over.deposit ?? ETH,
      withdrawRound: over.withdrawRound ?? 0n,
      reserve: { fundsRemaining: over.reserve ?? ETH, claimedInCurrentRound: 0n },
    },
    lastInitializedRound: 10n,
    lastSeenL1Block: over.block ?? 1000n,
  };
}

const msg = (e: PaymentValidationError | null) => e?.message ?? null;

describe('checkTicketParams: go-livepeer texts, in order', () => {
  it('defaults are -maxTicketEV 3e12, -maxTotalEV 2e13, -depositMultiplier 1', () => {
    expect(DEFAULT_SENDER_VALIDATION_SETTINGS).toEqual({ maxTicketEV: 3_000_000_000_000n, maxTotalEV: 20_000_000_000_000n, depositMultiplier: 1n });
  });

  it('1. no params, expiration block 0', () => {
    expect(msg(checkTicketParams(undefined, 1, sender()))).toBe('ticketParams is nil');
    const e = checkTicketParams(params(9000n, THIRD, 0n), 1, sender());
    expect(e?.message).toBe('ticketParams expiration block is 0');
    expect(e?.code).toBe('no_expiration_block');
  });

  it('2. expired when at most 1 L1 block is left; beats every EV and funds check', () => {
    const expired = checkTicketParams(params(9000n, THIRD, 1001n), 1, sender());
    expect(expired).toBeInstanceOf(TicketParamsExpiredError);
    expect(expired?.message).toBe('TicketParams expired');
    expect(expired?.needsRefresh).toBe(true);
    expect(expired?.stopsStream).toBe(false);
    expect(checkTicketParams(params(9000n, THIRD, 1000n), 1, sender())?.code).toBe('expired');
    expect(checkTicketParams(params(9000n, THIRD, 900n), 1, sender())?.code).toBe('expired');
    expect(checkTicketParams(params(9000n, THIRD, 1002n), 1, sender())).toBeNull();
    // EV ≥ faceValue and no deposit would fail later — expired wins
    expect(msg(checkTicketParams(params(1000n, MAX_WIN_PROB, 1001n), 1, sender({ deposit: 0n })))).toBe('TicketParams expired');
  });

  it('3. EV 0 (free orchestrator) is accepted before the funds checks', () => {
    expect(checkTicketParams(params(0n, 0n), 1, sender({ deposit: 0n, reserve: 0n }))).toBeNull();
    expect(checkTicketParams(params(10n ** 15n, 0n), 50, sender({ deposit: 0n, reserve: 0n }))).toBeNull();
  });

  it('4. EV ≥ faceValue', () => {
    const e = checkTicketParams(params(1000n, MAX_WIN_PROB), 1, sender());
    expect(e?.message).toBe('ticket faceValue too low faceValue=1000');
    expect(e?.code).toBe('face_value_too_low');
  });

  it('5. EV > max ticket EV (FloatString(5)), before the funds checks', () => {
    const p = params(12_000_000_000_000n, THIRD); // EV 4e12
    expect(msg(checkTicketParams(p, 1, sender({ deposit: 0n })))).toBe(
      'ticket EV 4000000000000.00000 > max ticket EV 3000000000000.00000',
    );
    const third = params(10n, THIRD); // EV 10/3
    expect(msg(checkTicketParams(third, 1, sender(), { ...DEFAULT_SENDER_VALIDATION_SETTINGS, maxTicketEV: 3n }))).toBe(
      'ticket EV 3.33333 > max ticket EV 3.00000',
    );
  });

  it('6. sender funds: unlock soon, then no reserve, then no deposit — stream-stopping', () => {
    const p = params(9000n, THIRD);
    const unlock = checkTicketParams(p, 1, sender({ withdrawRound: 11n, reserve: 0n, deposit: 0n }));
    expect(unlock).toBeInstanceOf(SenderFundsError);
    expect(unlock?.message).toBe('unable to validate sender: deposit and reserve is set to unlock soon');
    expect(unlock?.stopsStream).toBe(true);
    expect(msg(checkTicketParams(p, 1, sender({ withdrawRound: 10n })))).toBe('unable to validate sender: deposit and reserve is set to unlock soon');
    expect(checkTicketParams(p, 1, sender({ withdrawRound: 12n }))).toBeNull();
    const noReserve = checkTicketParams(p, 1, sender({ reserve: 0n, deposit: 0n }));
    expect([noReserve?.message, noReserve?.code, noReserve?.stopsStream]).toEqual(['no sender reserve', 'no_reserve', true]);
    const noDeposit = checkTicketParams(p, 1, sender({ deposit: 0n }));
    expect([noDeposit?.message, noDeposit?.stopsStream]).toEqual(['no sender deposit', true]);
  });

  it('7. batch EV > max total EV', () => {
    const p = params(9_000_000_000_000n, THIRD); // EV 3e12
    expect(checkTicketParams(p, 6, sender())).toBeNull();
    const e = checkTicketParams(p, 7, sender());
    expect(e?.message).toBe('total ticket EV 21000000000000.00000 for 7 tickets > max total ticket EV 20000000000000.00000');
    expect(e?.stopsStream).toBe(false);
  });

  it('8. faceValue > deposit / depositMultiplier (integer division)', () => {
    const p = params(9_000_000_000_000n, THIRD);
    expect(msg(checkTicketParams(p, 1, sender({ deposit: 8_000_000_000_000n })))).toBe(
      'ticket faceValue 9000000000000 > max faceValue 8000000000000',
    );
    const settings = resolveValidationSettings({ depositMultiplier: 2n });
    expect(msg(checkTicketParams(p, 1, sender({ deposit: 17_999_999_999_999n }), settings))).toBe(
      'ticket faceValue 9000000000000 > max faceValue 8999999999999',
    );
    expect(checkTicketParams(p, 1, sender({ deposit: 18_000_000_000_000n }), settings)).toBeNull();
  });

  it('validateTicketParams throws the same error; settings are checked', () => {
    expect(() => validateTicketParams(params(1000n, MAX_WIN_PROB), 1, sender())).toThrow('ticket faceValue too low faceValue=1000');
    expect(() => resolveValidationSettings({ depositMultiplier: 0n })).toThrow(/depositMultiplier/);
  });
});

describe('checkPriceIncrease (validatePrice)', () => {
  const p = (pricePerUnit: bigint, pixelsPerUnit: bigint) => ({ pricePerUnit, pixelsPerUnit });

  it('missing or unusable current price', () => {
    expect(checkPriceIncrease(undefined, p(1n, 1n))?.message).toBe('missing orchestrator price');
    expect(checkPriceIncrease(p(1n, 0n), p(1n, 1n))?.code).toBe('invalid_ticket_price');
  });

  it('allows up to exactly 2× the initial price, refuses above with go-livepeer\'s RatString text', () => {
    expect(checkPriceIncrease(p(2400n, 1n), p(1200n, 1n))).toBeNull();
    expect(checkPriceIncrease(p(2401n, 1n), p(1200n, 1n))?.message).toBe(
      'Orchestrator price has more than doubled, Orchestrator price: 2401, Orchestrator initial price: 1200',
    );
    expect(checkPriceIncrease(p(7n, 10n), p(1n, 3n))?.message).toBe(
      'Orchestrator price has more than doubled, Orchestrator price: 7/10, Orchestrator initial price: 1/3',
    );
    // reduced fractions compare exactly: 4800/2 = 2400 ≤ 2 × 1200
    expect(checkPriceIncrease(p(4800n, 2n), p(1200n, 1n))).toBeNull();
  });

  it('skips the comparison without a usable initial price (go logs and continues)', () => {
    expect(checkPriceIncrease(p(10n ** 9n, 1n), undefined)).toBeNull();
    expect(checkPriceIncrease(p(10n ** 9n, 1n), p(1n, 0n))).toBeNull();
  });
});
