// Pure sender-state logic: the livepeer_cli state machine and the gateway's pre-payment sender checks.
import { GwError, type SenderErrorCode } from '../errors.js';
import type { ReserveInfo, SenderInfo } from './ticketBroker.js';

/** Funding state of a ticket sender (operators.md §7). */
export type SenderState = 'Empty' | 'Locked' | 'Unlocking' | 'Unlocked';

/** What an operator may do in a state. */
export type SenderAction = 'fund' | 'work' | 'unlock' | 'cancelUnlock' | 'withdraw';

/** State of a sender given its on-chain info and the current round. */
export function senderState(info: SenderInfo, currentRound: bigint): SenderState {
  if (info.deposit === 0n && info.reserve.fundsRemaining === 0n) return 'Empty';
  if (info.withdrawRound === 0n) return 'Locked';
  if (info.withdrawRound > currentRound) return 'Unlocking';
  return 'Unlocked';
}

const ACTIONS: Record<SenderState, readonly SenderAction[]> = {
  Empty: ['fund'],
  Locked: ['work', 'fund', 'unlock'],
  // Funding also cancels an unlock on-chain, but cancelUnlock is the explicit way.
  Unlocking: ['cancelUnlock'],
  Unlocked: ['withdraw'],
};

/** Actions allowed in `state`. */
export function allowedActions(state: SenderState): readonly SenderAction[] {
  return ACTIONS[state];
}

/** go-livepeer's gateway-side sender errors (pm/sender.go), verbatim: they stop the stream. */
export const SENDER_ERRORS = {
  unlock_soon: 'unable to validate sender: deposit and reserve is set to unlock soon',
  no_reserve: 'no sender reserve',
  no_deposit: 'no sender deposit',
} as const satisfies Record<SenderErrorCode, string>;

export type { SenderErrorCode };

/** The sender cannot pay: funds missing or unlocking. */
export class SenderValidationError extends GwError {
  declare readonly code: SenderErrorCode;
  constructor(code: SenderErrorCode) {
    super(code, SENDER_ERRORS[code]);
    this.name = 'SenderValidationError';
  }
}

/**
 * Gateway check before paying: refuses once the withdraw round is at most lastInitializedRound + 1
 * (orchestrators refuse too), then an empty reserve, then an empty deposit — in go-livepeer's order.
 * Returns null when the sender may pay.
 */
export function checkSender(info: SenderInfo, lastInitializedRound: bigint): SenderValidationError | null {
  if (info.withdrawRound !== 0n && info.withdrawRound <= lastInitializedRound + 1n) {
    return new SenderValidationError('unlock_soon');
  }
  if (info.reserve.fundsRemaining === 0n) return new SenderValidationError('no_reserve');
  if (info.deposit === 0n) return new SenderValidationError('no_deposit');
  return null;
}

/** Like checkSender, but throws the SenderValidationError. */
export function validateSender(info: SenderInfo, lastInitializedRound: bigint): void {
  const err = checkSender(info, lastInitializedRound);
  if (err) throw err;
}

/**
 * An orchestrator's share of the reserve this round (its max float before pending tickets):
 * (fundsRemaining + claimedInCurrentRound) / poolSize − alreadyClaimed, floored at 0.
 */
export function reserveShare(reserve: ReserveInfo, poolSize: bigint, alreadyClaimed = 0n): bigint {
  if (poolSize <= 0n) return 0n;
  const share = (reserve.fundsRemaining + reserve.claimedInCurrentRound) / poolSize;
  return share > alreadyClaimed ? share - alreadyClaimed : 0n;
}
