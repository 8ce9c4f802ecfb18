// The gateway account as the control API and `gw account` show it, reserve sizing guidance (operators.md §8),
// and the pre-checks of funding actions. Pure: callers gather the chain reads.
import { formatEth } from '../payments/units.js';
import { estimateRunway, formatRunway, type SpendRate } from './runway.js';
import { checkSender, senderState, type SenderState } from './senderState.js';
import type { SenderInfo } from './ticketBroker.js';
import type { FundingRefusalCode } from '../errors.js';

/** Gas an orchestrator spends to redeem one winning ticket on Arbitrum (go-livepeer `redeemGasL2`). */
export const REDEEM_GAS = 1_200_000n;
/** Gas price behind the maintainers' 0.36 ETH reserve guidance. */
export const REFERENCE_GAS_PRICE_WEI = 3_000_000_000n;
/** Active orchestrator pool size assumed on Arbitrum One. */
export const MAINNET_POOL_SIZE = 100;

/** Funding actions of the control API and the CLI. */
export type FundingAction = 'deposit' | 'reserve' | 'deposit-and-reserve' | 'unlock' | 'cancel-unlock' | 'withdraw';

export type PoolSizeSource = 'flag' | 'mainnet default' | 'devnet orchestrators';

/** How the reserve compares with what orchestrators need (amounts are wei decimal strings). */
export interface ReserveGuidance {
  readonly poolSize: number;
  readonly poolSizeSource: PoolSizeSource;
  /** reserve / pool size: what each orchestrator may draw on per round. */
  readonly perOrchestratorWei: string;
  readonly redeemGas: string;
  readonly referenceGasPriceWei: string;
  /** Cost of one redemption at the reference gas price: the minimum share per orchestrator. */
  readonly minPerOrchestratorWei: string;
  /** referenceGasPrice × redeemGas × poolSize (0.36 ETH for 100 orchestrators at 3 gwei). */
  readonly recommendedReserveWei: string;
  readonly currentGasPriceWei: string | null;
  /** The same rule at the chain's current gas price. */
  readonly reserveAtCurrentGasWei: string | null;
  readonly reserveOk: boolean;
  /** Largest ticket face value an orchestrator quoted this gateway, when it has sent any. */
  readonly maxFaceValueSeenWei: string | null;
  /** deposit / depositMultiplier: the largest face value the gateway accepts. */
  readonly maxFaceValueAllowedWei: string;
  /** null when no face value was seen yet. */
  readonly depositCoversFaceValue: boolean | null;
  readonly warnings: string[];
}

export interface RunwayView {
  /** EV sent in the window (wei). */
  readonly evSpentWei: string;
  readonly windowMs: number;
  readonly perHourWei: string;
  /** Seconds until the deposit is spent at the recent rate; null without spend. */
  readonly seconds: number | null;
  readonly text: string;
}

/** GET /v1/account and `gw account show --json`. Wei and round numbers are decimal strings. */
export interface AccountView {
  readonly network: string;
  readonly chainId: number;
  readonly address: string;
  readonly ethBalanceWei: string;
  readonly depositWei: string;
  readonly reserveWei: string;
  readonly reserveClaimedInCurrentRoundWei: string;
  readonly senderState: SenderState;
  /** Round from which funds can be withdrawn; null unless Unlocking or Unlocked. */
  readonly withdrawRound: string | null;
  readonly currentRound: string;
  readonly lastInitializedRound: string;
  readonly unlockPeriod: string;
  /** Withdraw round an unlock sent now would get (current round + unlock period). */
  readonly projectedWithdrawRound: string;
  /** Why the gateway cannot pay orchestrators now (go-livepeer's sender errors), or null. */
  readonly payError: string | null;
  readonly blockNumber: string;
  /** Max ticket face value = deposit / depositMultiplier. */
  readonly depositMultiplier: number;
  readonly runway: RunwayView | null;
  readonly reserveGuidance: ReserveGuidance;
  /** 'daemon': the running daemon answered; 'chain': read directly (no spend data). */
  readonly source: 'daemon' | 'chain';
}

/** Chain reads and daemon data a view is built from. */
export interface AccountInput {
  network: string;
  chainId: number;
  address: string;
  balanceWei: bigint;
  info: SenderInfo;
  currentRound: bigint;
  lastInitializedRound: bigint;
  unlockPeriod: bigint;
  blockNumber: bigint;
  poolSize: number;
  poolSizeSource: PoolSizeSource;
  gasPriceWei: bigint | null;
  depositMultiplier: number;
  maxFaceValueSeenWei: bigint | null;
  /** Recent spend from the daemon; null when not known (daemon not running). */
  spend: { rate: SpendRate; windowMs: number } | null;
  source: 'daemon' | 'chain';
}

/** Reserve sizing: the per-orchestrator share and the `gasPrice × 1.2M × poolSize` rule. */
export function reserveGuidance(input: {
  depositWei: bigint;
  reserveWei: bigint;
  poolSize: number;
  poolSizeSource: PoolSizeSource;
  gasPriceWei: bigint | null;
  depositMultiplier: number;
  maxFaceValueSeenWei: bigint | null;
}): ReserveGuidance {
  const pool = BigInt(Math.max(1, Math.floor(input.poolSize)));
  const perOrchestrator = input.reserveWei / pool;
  const minPer = REFERENCE_GAS_PRICE_WEI * REDEEM_GAS;
  const recommended = minPer * pool;
  const atCurrent = input.gasPriceWei === null ? null : input.gasPriceWei * REDEEM_GAS * pool;
  const allowedFace = input.depositWei / BigInt(Math.max(1, input.depositMultiplier));
  const covers = input.maxFaceValueSeenWei === null ? null : allowedFace >= input.maxFaceValueSeenWei;
  const warnings: string[] = [];
  if (input.reserveWei === 0n) {
    warnings.push('no reserve: orchestrators refuse a gateway without one');
  } else if (input.reserveWei < recommended) {
    warnings.push(
      `reserve ${formatEth(input.reserveWei)} is below the recommended ${formatEth(recommended)} ` +
        `(3 gwei × 1.2M gas × ${pool} orchestrator${pool === 1n ? '' : 's'}): each orchestrator's share is ${formatEth(perOrchestrator)}, ` +
        `so gas spikes can make them refuse tickets with "insufficient sender reserve"`,
    );
  }
  if (atCurrent !== null && atCurrent > recommended && input.reserveWei < atCurrent) {
    warnings.push(`at the current gas price the rule asks for ${formatEth(atCurrent)} of reserve`);
  }
  if (input.depositWei === 0n) warnings.push('no deposit: the gateway cannot pay for work');
  if (covers === false && input.maxFaceValueSeenWei !== null) {
    warnings.push(
      `the deposit cannot cover one ticket: the largest face value seen is ${formatEth(input.maxFaceValueSeenWei)}, ` +
        `but deposit / depositMultiplier is ${formatEth(allowedFace)}`,
    );
  }
  return {
    poolSize: Number(pool),
    poolSizeSource: input.poolSizeSource,
    perOrchestratorWei: perOrchestrator.toString(),
    redeemGas: REDEEM_GAS.toString(),
    referenceGasPriceWei: REFERENCE_GAS_PRICE_WEI.toString(),
    minPerOrchestratorWei: minPer.toString(),
    recommendedReserveWei: recommended.toString(),
    currentGasPriceWei: input.gasPriceWei?.toString() ?? null,
    reserveAtCurrentGasWei: atCurrent?.toString() ?? null,
    reserveOk: input.reserveWei >= recommended,
    maxFaceValueSeenWei: input.maxFaceValueSeenWei?.toString() ?? null,
    maxFaceValueAllowedWei: allowedFace.toString(),
    depositCoversFaceValue: covers,
    warnings,
  };
}

/** Builds the account view from chain reads and daemon data. */
export function buildAccountView(input: AccountInput): AccountView {
  const { info } = input;
  const state = senderState(info, input.currentRound);
  const payError = checkSender(info, input.lastInitializedRound);
  let runway: RunwayView | null = null;
  if (input.spend) {
    const r = estimateRunway(info.deposit, input.spend.rate);
    runway = {
      evSpentWei: input.spend.rate.evWei.toString(),
      windowMs: input.spend.windowMs,
      perHourWei: input.spend.rate.perHourWei.toString(),
      seconds: r.seconds,
      text: formatRunway(r.seconds),
    };
  }
  return {
    network: input.network,
    chainId: input.chainId,
    address: input.address,
    ethBalanceWei: input.balanceWei.toString(),
    depositWei: info.deposit.toString(),
    reserveWei: info.reserve.fundsRemaining.toString(),
    reserveClaimedInCurrentRoundWei: info.reserve.claimedInCurrentRound.toString(),
    senderState: state,
    // After a withdrawal the broker keeps the old round; like livepeer_cli, show it only while it matters.
    withdrawRound: state === 'Unlocking' || state === 'Unlocked' ? info.withdrawRound.toString() : null,
    currentRound: input.currentRound.toString(),
    lastInitializedRound: input.lastInitializedRound.toString(),
    unlockPeriod: input.unlockPeriod.toString(),
    projectedWithdrawRound: (input.currentRound + input.unlockPeriod).toString(),
    payError: payError?.message ?? null,
    blockNumber: input.blockNumber.toString(),
    depositMultiplier: input.depositMultiplier,
    runway,
    reserveGuidance: reserveGuidance({
      depositWei: info.deposit,
      reserveWei: info.reserve.fundsRemaining,
      poolSize: input.poolSize,
      poolSizeSource: input.poolSizeSource,
      gasPriceWei: input.gasPriceWei,
      depositMultiplier: input.depositMultiplier,
      maxFaceValueSeenWei: input.maxFaceValueSeenWei,
    }),
    source: input.source,
  };
}

/** Why a funding action cannot be done now. */
export interface FundingRefusal {
  readonly code: FundingRefusalCode;
  readonly message: string;
}

/** What a pre-check needs to know. */
export interface FundingCheckInput {
  state: SenderState;
  withdrawRound: bigint;
  currentRound: bigint;
  unlockPeriod: bigint;
  balanceWei: bigint;
  /** ETH the action sends (deposit + reserve); 0 for unlock, cancel and withdraw. */
  valueWei: bigint;
}

/** Refuses actions the TicketBroker would revert, with a message saying what to do instead; null when fine. */
export function checkFunding(action: FundingAction, c: FundingCheckInput): FundingRefusal | null {
  const rounds = `(current round ${c.currentRound})`;
  switch (action) {
    case 'deposit':
    case 'reserve':
    case 'deposit-and-reserve':
      if (c.valueWei <= 0n) return { code: 'bad_amount', message: 'the amount must be greater than 0' };
      if (c.balanceWei < c.valueWei) {
        return {
          code: 'insufficient_funds',
          message: `the account holds ${formatEth(c.balanceWei)}: not enough to send ${formatEth(c.valueWei)} plus gas`,
        };
      }
      return null;
    case 'unlock':
      if (c.state === 'Empty') return { code: 'nothing_to_unlock', message: 'nothing to unlock: deposit and reserve are zero' };
      if (c.state === 'Unlocking') {
        return {
          code: 'already_unlocking',
          message: `an unlock is already in progress: funds can be withdrawn from round ${c.withdrawRound} ${rounds}`,
        };
      }
      if (c.state === 'Unlocked') {
        return { code: 'already_unlocked', message: `the unlock is complete since round ${c.withdrawRound}: withdraw with \`gw deposit withdraw\`` };
      }
      return null;
    case 'cancel-unlock':
      if (c.state === 'Empty' || c.state === 'Locked') return { code: 'no_unlock', message: 'no unlock in progress: nothing to cancel' };
      return null;
    case 'withdraw':
      if (c.state === 'Empty') return { code: 'nothing_to_withdraw', message: 'nothing to withdraw: deposit and reserve are zero' };
      if (c.state === 'Locked') {
        return {
          code: 'not_unlocked',
          message: `funds are locked: run \`gw deposit unlock\` first, then wait ${c.unlockPeriod} rounds ${rounds}`,
        };
      }
      if (c.state === 'Unlocking') {
        return { code: 'too_early', message: `withdrawal opens in round ${c.withdrawRound} ${rounds}` };
      }
      return null;
  }
}

/** Side effects worth telling the operator before they confirm. */
export function fundingNotes(action: FundingAction, c: Pick<FundingCheckInput, 'state' | 'currentRound' | 'unlockPeriod'>): string[] {
  const notes: string[] = [];
  const funding = action === 'deposit' || action === 'reserve' || action === 'deposit-and-reserve';
  if (funding && (c.state === 'Unlocking' || c.state === 'Unlocked')) {
    notes.push('funding also cancels the unlock in progress: the funds lock again');
  }
  if (action === 'unlock') {
    notes.push(
      'work stops almost at once: the gateway and orchestrators refuse to use a sender whose unlock ends within a round (go-livepeer #1184)',
    );
    notes.push(`funds can be withdrawn from round ${c.currentRound + c.unlockPeriod} (current round ${c.currentRound} + unlock period ${c.unlockPeriod})`);
  }
  if (action === 'cancel-unlock') notes.push('the funds lock again and the gateway can pay for work');
  if (action === 'withdraw') notes.push('the whole deposit and reserve go back to the account');
  return notes;
}
