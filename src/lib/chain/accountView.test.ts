// Pure funding logic: runway, reserve guidance, pre-checks, request bodies.
import { describe, expect, it } from 'vitest';
import { buildAccountView, checkFunding, fundingNotes, reserveGuidance, type FundingCheckInput } from './accountView.js';
import { estimateRunway, formatRunway, spendRate, SpendWindow } from './runway.js';
import { parseFundingBody } from '../../core/control/routes/chain.js';
import { parseEth, parseGwei } from '../payments/units.js';

describe('runway', () => {
  it('keeps a sliding window of spend and drops old samples', () => {
    const w = new SpendWindow(600_000, 0);
    w.record(100n, 1_000);
    w.record(50n, 300_000);
    expect(w.rate(300_000)).toMatchObject({ evWei: 150n, spanMs: 300_000 });
    // 601 s: the first sample is out, the span is the full window.
    expect(w.rate(601_000)).toMatchObject({ evWei: 50n, spanMs: 600_000 });
    expect(w.rate(901_000).evWei).toBe(0n);
    expect(() => w.record(-1n)).toThrow(RangeError);
  });

  it('estimates the runway exactly with bigints', () => {
    // 0.01 ETH of EV in 10 minutes → 0.06 ETH per hour; a 1 ETH deposit lasts 1000/60 h.
    const rate = spendRate(parseEth('0.01'), 600_000);
    expect(rate.perHourWei).toBe(parseEth('0.06'));
    const r = estimateRunway(parseEth('1'), rate);
    expect(r.seconds).toBe(60_000);
    expect(formatRunway(r.seconds)).toBe('16h 40m');
    expect(estimateRunway(parseEth('1'), spendRate(0n, 600_000)).seconds).toBeNull();
  });

  it('formats durations with the two largest units', () => {
    expect(formatRunway(null)).toBe('unknown — no spend yet');
    expect(formatRunway(45)).toBe('45s');
    expect(formatRunway(3600)).toBe('1h');
    expect(formatRunway(3 * 86_400 + 4 * 3600 + 59)).toBe('3d 4h');
    expect(formatRunway(400 * 86_400)).toBe('more than a year');
  });
});

describe('reserve guidance', () => {
  const base = { depositWei: parseEth('1'), poolSizeSource: 'flag' as const, gasPriceWei: null, depositMultiplier: 1, maxFaceValueSeenWei: null };

  it('recommends 0.36 ETH for 100 orchestrators at 3 gwei and shows the per-orchestrator share', () => {
    const g = reserveGuidance({ ...base, reserveWei: parseEth('0.36'), poolSize: 100 });
    expect(g).toMatchObject({
      recommendedReserveWei: parseEth('0.36').toString(),
      minPerOrchestratorWei: parseEth('0.0036').toString(),
      perOrchestratorWei: parseEth('0.0036').toString(),
      reserveOk: true,
      warnings: [],
    });
  });

  it('warns about a small reserve, a gas price above 3 gwei, and a deposit that cannot cover a ticket', () => {
    const g = reserveGuidance({
      ...base,
      reserveWei: parseEth('0.1'),
      poolSize: 100,
      gasPriceWei: parseGwei('10'),
      depositWei: parseEth('0.05'),
      depositMultiplier: 2,
      maxFaceValueSeenWei: parseEth('0.03'),
    });
    expect(g.reserveOk).toBe(false);
    expect(g.reserveAtCurrentGasWei).toBe(parseEth('1.2').toString());
    expect(g.maxFaceValueAllowedWei).toBe(parseEth('0.025').toString());
    expect(g.depositCoversFaceValue).toBe(false);
    expect(g.warnings.join('\n')).toContain('reserve 0.1 ETH is below the recommended 0.36 ETH');
    expect(g.warnings.join('\n')).toContain('at the current gas price the rule asks for 1.2 ETH');
    expect(g.warnings.join('\n')).toContain('the deposit cannot cover one ticket: the largest face value seen is 0.03 ETH');
  });

  it('skips the face-value check when no ticket was seen', () => {
    expect(reserveGuidance({ ...base, reserveWei: 0n, poolSize: 1 }).depositCoversFaceValue).toBeNull();
  });
});

describe('funding pre-checks', () => {
  const c = (o: Partial<FundingCheckInput>): FundingCheckInput => ({
    state: 'Locked',
    withdrawRound: 0n,
    currentRound: 10n,
    unlockPeriod: 5n,
    balanceWei: parseEth('1'),
    valueWei: 0n,
    ...o,
  });

  it('refuses what the TicketBroker would revert, naming the round', () => {
    expect(checkFunding('withdraw', c({ state: 'Unlocking', withdrawRound: 15n }))).toEqual({ code: 'too_early', message: 'withdrawal opens in round 15 (current round 10)' });
    expect(checkFunding('withdraw', c({ state: 'Empty' }))?.code).toBe('nothing_to_withdraw');
    expect(checkFunding('withdraw', c({ state: 'Locked' }))?.message).toContain('gw deposit unlock');
    expect(checkFunding('withdraw', c({ state: 'Unlocked', withdrawRound: 9n }))).toBeNull();
    expect(checkFunding('unlock', c({ state: 'Unlocking', withdrawRound: 15n }))?.code).toBe('already_unlocking');
    expect(checkFunding('unlock', c({ state: 'Empty' }))?.code).toBe('nothing_to_unlock');
    expect(checkFunding('unlock', c({}))).toBeNull();
    expect(checkFunding('cancel-unlock', c({}))?.code).toBe('no_unlock');
    expect(checkFunding('deposit', c({ valueWei: parseEth('2') }))?.message).toBe('the account holds 1 ETH: not enough to send 2 ETH plus gas');
    expect(checkFunding('deposit-and-reserve', c({ valueWei: parseEth('0.5') }))).toBeNull();
  });

  it('tells what an unlock does before it is confirmed', () => {
    const notes = fundingNotes('unlock', { state: 'Locked', currentRound: 10n, unlockPeriod: 5n }).join('\n');
    expect(notes).toContain('#1184');
    expect(notes).toContain('funds can be withdrawn from round 15');
    expect(fundingNotes('deposit', { state: 'Unlocking', currentRound: 10n, unlockPeriod: 5n })[0]).toContain('cancels the unlock');
  });

  it('builds the account view with wei strings and the sender state', () => {
    const v = buildAccountView({
      network: 'devnet',
      chainId: 31337,
      address: '0x0000000000000000000000000000000000000001',
      balanceWei: parseEth('2'),
      info: { deposit: parseEth('1'), withdrawRound: 0n, reserve: { fundsRemaining: parseEth('0.5'), claimedInCurrentRound: 0n } },
      currentRound: 4n,
      lastInitializedRound: 4n,
      unlockPeriod: 2n,
      blockNumber: 99n,
      poolSize: 2,
      poolSizeSource: 'devnet orchestrators',
      gasPriceWei: null,
      depositMultiplier: 1,
      maxFaceValueSeenWei: null,
      spend: { rate: spendRate(parseEth('0.001'), 600_000), windowMs: 600_000 },
      source: 'daemon',
    });
    expect(v).toMatchObject({
      depositWei: '1000000000000000000',
      reserveWei: '500000000000000000',
      senderState: 'Locked',
      withdrawRound: null,
      projectedWithdrawRound: '6',
      payError: null,
      runway: { seconds: 600_000, text: '6d 22h' },
    });
  });
});

describe('funding request bodies', () => {
  it('accepts wei strings and names the bad field', () => {
    expect(parseFundingBody('deposit', { amountWei: '360000000000000000' })).toEqual({ amountWei: parseEth('0.36') });
    expect(parseFundingBody('deposit-and-reserve', { depositWei: '0', reserveWei: '7' })).toEqual({ depositWei: 0n, reserveWei: 7n });
    expect(parseFundingBody('deposit-and-reserve', { depositWei: '0', reserveWei: '0' })).toContain('nothing to fund');
    expect(parseFundingBody('deposit', { amountWei: '-1' })).toContain('"amountWei" must be a decimal string of wei');
    expect(parseFundingBody('deposit', { amountWei: '1e18' })).toContain('"amountWei"');
    expect(parseFundingBody('reserve', { amountWei: '9'.repeat(78) })).toContain('larger than a uint256');
    expect(parseFundingBody('reserve', [])).toContain('expected a JSON object');
    expect(parseFundingBody('withdraw', undefined)).toEqual({});
    expect(parseFundingBody('withdraw', { amountWei: '1' })).toContain('this action takes no fields');
  });
});
