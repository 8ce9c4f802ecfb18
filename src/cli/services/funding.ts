// Deposit/reserve funding, unlock, cancel-unlock and withdraw through the daemon: explain, confirm, send, follow.
import { createInterface } from 'node:readline/promises';
import { Errors, Flags } from '@oclif/core';
import { ControlClient } from '../../api/controlClient.js';
import type { GwPaths } from '../../lib/settings/paths.js';
import { checkFunding, fundingNotes, reserveGuidance, type AccountView, type FundingAction } from '../../lib/chain/accountView.js';
import type { TxStatusView } from '../../api/contract.js';
import { AmountParseError, formatEth, parseAmount } from '../../lib/payments/units.js';
import { GwUserError } from '../baseCommand.js';
import { Spinner } from '../spinner.js';
import { fetchAccount, renderAccount } from './account.js';

/** What to do; amounts in wei. */
export type FundingRequest =
  | { action: 'deposit' | 'reserve'; amountWei: bigint }
  | { action: 'deposit-and-reserve'; depositWei: bigint; reserveWei: bigint }
  | { action: 'unlock' | 'cancel-unlock' | 'withdraw' };

/** `--json` result of every funding command. */
export interface FundingResult {
  action: FundingAction;
  txHash: string;
  status: TxStatusView['status'];
  blockNumber: string | null;
  feeWei: string | null;
  explorerUrl: string | null;
  account: AccountView;
}

/** Where a command's output goes. */
export interface FundingOutput {
  /** stdout (suppressed by oclif under --json). */
  log(line: string): void;
  /** stderr. */
  warn(line: string): void;
  json: boolean;
}

/** Parses an ETH amount argument exactly ("0.36", "0.36 ETH", "300 gwei"); a bad one is a usage error. */
export function parseEthArg(name: string, text: string): bigint {
  if (!/\d/.test(text)) throw new Errors.CLIError(`${name}: not a number: ${JSON.stringify(text)}; expected an ETH amount like 0.36`, { exit: 2 });
  try {
    return parseAmount(text, 'ETH');
  } catch (err) {
    if (err instanceof AmountParseError) throw new Errors.CLIError(`${name}: ${err.message}`, { exit: 2 });
    throw err;
  }
}

function valueOf(r: FundingRequest): bigint {
  if (r.action === 'deposit' || r.action === 'reserve') return r.amountWei;
  if (r.action === 'deposit-and-reserve') return r.depositWei + r.reserveWei;
  return 0n;
}

function amountsOf(r: FundingRequest): { amountWei?: bigint; depositWei?: bigint; reserveWei?: bigint } {
  if (r.action === 'deposit' || r.action === 'reserve') return { amountWei: r.amountWei };
  if (r.action === 'deposit-and-reserve') return { depositWei: r.depositWei, reserveWei: r.reserveWei };
  return {};
}

const orchestrators = (n: number) => `${n} orchestrator${n === 1 ? '' : 's'}`;
const eth = (wei: string | bigint) => formatEth(typeof wei === 'bigint' ? wei : BigInt(wei));

/** Lines that say what the transaction will do, its side effects, and the reserve guidance afterwards. */
export function describeFunding(r: FundingRequest, v: AccountView): string[] {
  const deposit = BigInt(v.depositWei);
  const reserve = BigInt(v.reserveWei);
  const lines: string[] = [];
  let after = { deposit, reserve };
  switch (r.action) {
    case 'deposit':
      after = { deposit: deposit + r.amountWei, reserve };
      lines.push(`Fund the deposit of ${v.address} with ${eth(r.amountWei)} (TicketBroker.fundDeposit).`);
      lines.push(`  deposit ${eth(deposit)} → ${eth(after.deposit)}`);
      break;
    case 'reserve':
      after = { deposit, reserve: reserve + r.amountWei };
      lines.push(`Fund the reserve of ${v.address} with ${eth(r.amountWei)} (TicketBroker.fundReserve).`);
      lines.push(`  reserve ${eth(reserve)} → ${eth(after.reserve)}`);
      break;
    case 'deposit-and-reserve':
      after = { deposit: deposit + r.depositWei, reserve: reserve + r.reserveWei };
      lines.push(
        `Fund ${v.address}: deposit ${eth(r.depositWei)} and reserve ${eth(r.reserveWei)} in one transaction ` +
          `(TicketBroker.fundDepositAndReserve), ${eth(r.depositWei + r.reserveWei)} in total.`,
      );
      lines.push(`  deposit ${eth(deposit)} → ${eth(after.deposit)}`, `  reserve ${eth(reserve)} → ${eth(after.reserve)}`);
      break;
    case 'unlock':
      lines.push(`Unlock deposit ${eth(deposit)} and reserve ${eth(reserve)} of ${v.address} (TicketBroker.unlock).`);
      break;
    case 'cancel-unlock':
      lines.push(`Cancel the unlock of ${v.address} (withdraw round ${v.withdrawRound ?? '-'}) (TicketBroker.cancelUnlock).`);
      break;
    case 'withdraw':
      lines.push(`Withdraw deposit ${eth(deposit)} + reserve ${eth(reserve)} = ${eth(deposit + reserve)} to ${v.address} (TicketBroker.withdraw).`);
      break;
  }
  const notes = fundingNotes(r.action, {
    state: v.senderState,
    currentRound: BigInt(v.currentRound),
    unlockPeriod: BigInt(v.unlockPeriod),
  });
  lines.push(...notes.map((n) => `  note: ${n}`));
  if (valueOf(r) > 0n) {
    const g = v.reserveGuidance;
    const next = reserveGuidance({
      depositWei: after.deposit,
      reserveWei: after.reserve,
      poolSize: g.poolSize,
      poolSizeSource: g.poolSizeSource,
      gasPriceWei: g.currentGasPriceWei === null ? null : BigInt(g.currentGasPriceWei),
      depositMultiplier: v.depositMultiplier,
      maxFaceValueSeenWei: g.maxFaceValueSeenWei === null ? null : BigInt(g.maxFaceValueSeenWei),
    });
    lines.push(
      `  reserve share per orchestrator: ${eth(next.perOrchestratorWei)} (reserve / ${orchestrators(next.poolSize)}, ${next.poolSizeSource})`,
      `  recommended reserve: ${eth(next.recommendedReserveWei)} (reserve ≥ gas price × 1.2M gas × pool size; 0.36 ETH for 100 at 3 gwei)`,
    );
    for (const w of next.warnings) lines.push(`  warning: ${w}`);
  }
  return lines;
}

async function confirm(question: string): Promise<boolean> {
  const rl = createInterface({ input: process.stdin, output: process.stderr });
  try {
    const answer = await rl.question(question);
    return /^y(es)?$/i.test(answer.trim());
  } finally {
    rl.close();
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Polls GET /v1/tx/:hash until the transaction is mined (or the timeout passes). */
export async function waitForMined(client: ControlClient, hash: string, options: { intervalMs: number; timeoutMs: number }): Promise<TxStatusView> {
  const deadline = Date.now() + options.timeoutMs;
  for (;;) {
    const s = await client.tx(hash);
    if (s.status !== 'pending') return s;
    if (Date.now() > deadline) {
      throw new GwUserError(`transaction ${hash} is not mined after ${Math.round(options.timeoutMs / 1000)} s; check it later with \`gw account\``, 'tx_timeout');
    }
    await sleep(options.intervalMs);
  }
}

function explorerUrl(v: AccountView, hash: string): string | null {
  return v.chainId === 42161 ? `https://arbiscan.io/tx/${hash}` : null;
}

/**
 * Runs one funding action: reads the account from the daemon, refuses what the TicketBroker would revert,
 * explains and asks for confirmation (unless `yes`; without a terminal `yes` is required), sends, prints the
 * tx hash at once, waits for it to be mined and prints the new state.
 */
export async function runFunding(opts: {
  paths: GwPaths;
  request: FundingRequest;
  yes: boolean;
  poolSize?: number;
  out: FundingOutput;
  timeoutMs?: number;
}): Promise<FundingResult> {
  const { request, out } = opts;
  const client = ControlClient.forPaths(opts.paths, 60_000);
  const before = await fetchAccount(client, opts.poolSize);
  const refusal = checkFunding(request.action, {
    state: before.senderState,
    withdrawRound: BigInt(before.withdrawRound ?? '0'),
    currentRound: BigInt(before.currentRound),
    unlockPeriod: BigInt(before.unlockPeriod),
    balanceWei: BigInt(before.ethBalanceWei),
    valueWei: valueOf(request),
  });
  if (refusal) throw new GwUserError(refusal.message, refusal.code);

  for (const line of describeFunding(request, before)) out.log(line);
  if (!opts.yes) {
    if (!process.stdin.isTTY) {
      throw new GwUserError(
        'refusing to send a transaction without confirmation: stdin is not a terminal. Re-run with --yes to confirm.',
        'confirmation_required',
      );
    }
    if (!(await confirm('Send this transaction? [y/N] '))) throw new GwUserError('cancelled: nothing was sent', 'cancelled');
  }

  const sent = await client.fund(request.action, amountsOf(request));
  const link = explorerUrl(before, sent.txHash);
  out.log(`Transaction sent: ${sent.txHash}${link ? ` (${link})` : ''}`);
  const spinner = new Spinner(`waiting for ${sent.txHash.slice(0, 10)}… to be mined`, !out.json && Boolean(process.stderr.isTTY)).start();
  let mined: TxStatusView;
  try {
    mined = await waitForMined(client, sent.txHash, {
      intervalMs: before.network === 'devnet' ? 100 : 1000,
      timeoutMs: opts.timeoutMs ?? 10 * 60 * 1000,
    });
  } catch (err) {
    spinner.stop('✗ not confirmed');
    throw err;
  }
  if (mined.status === 'reverted') {
    spinner.stop('✗ reverted');
    throw new GwUserError(`transaction ${sent.txHash} ${mined.reason ?? 'reverted'}: nothing changed`, 'reverted');
  }
  spinner.stop(`✓ mined in block ${mined.blockNumber}`);
  const account = await fetchAccount(client, opts.poolSize);
  out.log(`Mined in block ${mined.blockNumber}${mined.feeWei ? ` (fee ${eth(mined.feeWei)})` : ''}.`);
  out.log(renderAccount(account));
  return {
    action: request.action,
    txHash: sent.txHash,
    status: mined.status,
    blockNumber: mined.blockNumber ?? null,
    feeWei: mined.feeWei ?? null,
    explorerUrl: link,
    account,
  };
}

/** Flags every funding command takes. */
export const fundingFlags = {
  yes: Flags.boolean({ char: 'y', description: 'Send without asking (required when stdin is not a terminal)' }),
  'pool-size': Flags.integer({
    min: 1,
    description: 'Orchestrators sharing the reserve, for the guidance (default: 100 on arbitrum-one-mainnet, the registered pool on a devnet)',
  }),
};

/** The output side of an oclif command. */
export function commandOutput(cmd: { log(line: string): void; logToStderr(line: string): void; jsonEnabled(): boolean }): FundingOutput {
  return { log: (l) => cmd.log(l), warn: (l) => cmd.logToStderr(l), json: cmd.jsonEnabled() };
}
