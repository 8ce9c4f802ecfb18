import { describe, expect, it } from 'vitest';
import {
  allowedActions,
  checkSender,
  reserveShare,
  SENDER_ERRORS,
  senderState,
  SenderValidationError,
  validateSender,
} from './senderState.js';
import type { SenderInfo } from './ticketBroker.js';

const info = (deposit: bigint, reserve: bigint, withdrawRound = 0n, claimed = 0n): SenderInfo => ({
  deposit,
  withdrawRound,
  reserve: { fundsRemaining: reserve, claimedInCurrentRound: claimed },
});

describe('senderState', () => {
  it('Empty when deposit and reserve are zero, whatever the withdraw round', () => {
    expect(senderState(info(0n, 0n), 5n)).toBe('Empty');
    // withdraw() leaves withdrawRound set on-chain
    expect(senderState(info(0n, 0n, 3n), 5n)).toBe('Empty');
  });
  it('Locked with funds and no unlock', () => {
    expect(senderState(info(1n, 0n), 5n)).toBe('Locked');
    expect(senderState(info(0n, 1n), 5n)).toBe('Locked');
  });
  it('Unlocking while withdrawRound > currentRound', () => {
    expect(senderState(info(1n, 1n, 7n), 5n)).toBe('Unlocking');
    expect(senderState(info(1n, 1n, 6n), 5n)).toBe('Unlocking');
  });
  it('Unlocked once withdrawRound <= currentRound', () => {
    expect(senderState(info(1n, 1n, 5n), 5n)).toBe('Unlocked');
    expect(senderState(info(1n, 1n, 2n), 5n)).toBe('Unlocked');
  });
  it('allowed actions follow the state table', () => {
    expect(allowedActions('Empty')).toEqual(['fund']);
    expect(allowedActions('Locked')).toEqual(['work', 'fund', 'unlock']);
    expect(allowedActions('Unlocking')).toEqual(['cancelUnlock']);
    expect(allowedActions('Unlocked')).toEqual(['withdraw']);
  });
});

describe('checkSender / validateSender (go-livepeer order and texts)', () => {
  it('accepts a funded, locked sender', () => {
    expect(checkSender(info(10n, 10n), 4n)).toBeNull();
    expect(() => validateSender(info(10n, 10n), 4n)).not.toThrow();
  });
  it('unlock soon: withdrawRound <= lastInitializedRound + 1', () => {
    expect(checkSender(info(10n, 10n, 5n), 4n)?.message).toBe(
      'unable to validate sender: deposit and reserve is set to unlock soon',
    );
    expect(checkSender(info(10n, 10n, 3n), 4n)?.code).toBe('unlock_soon');
    // two rounds away is still fine
    expect(checkSender(info(10n, 10n, 6n), 4n)).toBeNull();
  });
  it('the unlock check comes before the funds checks', () => {
    expect(checkSender(info(0n, 0n, 5n), 4n)?.code).toBe('unlock_soon');
  });
  it('no reserve is reported before no deposit', () => {
    expect(checkSender(info(0n, 0n), 4n)?.message).toBe('no sender reserve');
    expect(checkSender(info(5n, 0n), 4n)?.message).toBe('no sender reserve');
    expect(checkSender(info(0n, 5n), 4n)?.message).toBe('no sender deposit');
  });
  it('validateSender throws a SenderValidationError', () => {
    expect(() => validateSender(info(0n, 5n), 1n)).toThrow(SenderValidationError);
    expect(() => validateSender(info(0n, 5n), 1n)).toThrow(SENDER_ERRORS.no_deposit);
  });
});

describe('reserveShare', () => {
  it('splits the round-start reserve over the pool minus what was claimed', () => {
    const r = { fundsRemaining: 900n, claimedInCurrentRound: 100n };
    expect(reserveShare(r, 100n)).toBe(10n);
    expect(reserveShare(r, 100n, 4n)).toBe(6n);
    expect(reserveShare(r, 100n, 15n)).toBe(0n);
    expect(reserveShare(r, 0n)).toBe(0n);
    expect(reserveShare({ fundsRemaining: 360000000000000000n, claimedInCurrentRound: 0n }, 100n)).toBe(3600000000000000n);
  });
});
