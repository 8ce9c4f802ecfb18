// Funding the gateway account in the TicketBroker: one transaction at a time (the pre-check and the send must see
// the same state and nonce), each followed until mined so `gw deposit fund` can report its block and fee.
import type { Hash } from 'viem';
import type { FundingTxResponse, TxStatusView } from '../../api/contract.js';
import { checkFunding, type FundingAction } from '../../lib/chain/accountView.js';
import type { ChainClient, PendingTx } from '../../lib/chain/chainClient.js';
import type { Logger } from '../logger.js';
import type { ChainAccount } from './gatewayChain.js';
import type { FundingRefusalCode } from '../../lib/errors.js';

/** Wei amounts of one funding action, as parsed at the HTTP edge. */
export interface FundingAmounts {
  readonly amountWei?: bigint;
  readonly depositWei?: bigint;
  readonly reserveWei?: bigint;
}

/** A funding action the chain state does not allow (e.g. unlock while unlocking), with why. */
export interface FundingRefusal {
  readonly code: FundingRefusalCode;
  readonly message: string;
}

const TX_WAIT_MS = 10 * 60 * 1000;
const MAX_TRACKED = 200;

interface Tracked {
  action: FundingAction;
  status: TxStatusView['status'];
  blockNumber?: bigint;
  feeWei?: bigint;
  reason?: string;
}

/** Sends funding transactions for the daemon's account and tracks them until mined. */
export class FundingService {
  private readonly tracked = new Map<string, Tracked>();
  private queue: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly account: Pick<ChainAccount, 'address' | 'client' | 'refresh'>,
    private readonly log?: Logger,
  ) {}

  /** Checks the action against the chain, then broadcasts it: a refusal, or the tx hash (not yet mined). */
  submit(action: FundingAction, amounts: FundingAmounts): Promise<{ refusal: FundingRefusal } | FundingTxResponse> {
    return this.serialize(async () => {
      const { client, address } = this.account;
      const valueWei = (amounts.amountWei ?? 0n) + (amounts.depositWei ?? 0n) + (amounts.reserveWei ?? 0n);
      const [status, unlockPeriod, balanceWei] = await Promise.all([
        client.getSenderStatus(address),
        client.unlockPeriod(),
        valueWei > 0n ? client.balance(address) : Promise.resolve(0n),
      ]);
      const refusal = checkFunding(action, {
        state: status.state,
        withdrawRound: status.info.withdrawRound,
        currentRound: status.currentRound,
        unlockPeriod,
        balanceWei,
        valueWei,
      });
      if (refusal) return { refusal };
      const pending = await send(client, action, amounts);
      const entry: Tracked = { action, status: 'pending' };
      this.tracked.set(pending.hash, entry);
      if (this.tracked.size > MAX_TRACKED) this.tracked.delete(this.tracked.keys().next().value as string);
      this.log?.info({ action, txHash: pending.hash, valueWei: valueWei.toString() }, 'funding transaction sent');
      this.follow(pending.hash, entry);
      return { txHash: pending.hash, action };
    });
  }

  /** A transaction's status: tracked ones from memory, others from the chain node; undefined when nobody knows it. */
  async status(hash: Hash): Promise<TxStatusView | undefined> {
    const key = hash.toLowerCase() as Hash;
    const t = this.tracked.get(key) ?? this.tracked.get(hash);
    if (t) {
      return {
        hash: key,
        status: t.status,
        action: t.action,
        ...(t.blockNumber !== undefined ? { blockNumber: t.blockNumber.toString() } : {}),
        ...(t.feeWei !== undefined ? { feeWei: t.feeWei.toString() } : {}),
        ...(t.reason !== undefined ? { reason: t.reason } : {}),
      };
    }
    const { publicClient } = this.account.client;
    const receipt = await publicClient.getTransactionReceipt({ hash: key }).catch(() => null);
    if (receipt) {
      return {
        hash: key,
        status: receipt.status === 'success' ? 'success' : 'reverted',
        blockNumber: receipt.blockNumber.toString(),
        feeWei: (receipt.gasUsed * receipt.effectiveGasPrice).toString(),
        ...(receipt.status === 'success' ? {} : { reason: `reverted in block ${receipt.blockNumber}` }),
      };
    }
    const tx = await publicClient.getTransaction({ hash: key }).catch(() => null);
    return tx ? { hash: key, status: 'pending' } : undefined;
  }

  private serialize<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.queue.then(fn, fn);
    this.queue = run.catch(() => undefined);
    return run;
  }

  private follow(hash: Hash, entry: Tracked): void {
    const { client } = this.account;
    void client.publicClient
      .waitForTransactionReceipt({ hash, timeout: TX_WAIT_MS, pollingInterval: client.network.name === 'devnet' ? 50 : 1000 })
      .then(async (r) => {
        await this.account.refresh().catch(() => undefined);
        entry.blockNumber = r.blockNumber;
        entry.feeWei = r.gasUsed * r.effectiveGasPrice;
        entry.status = r.status === 'success' ? 'success' : 'reverted';
        if (entry.status === 'reverted') entry.reason = `reverted in block ${r.blockNumber}`;
        this.log?.info({ action: entry.action, txHash: hash, status: entry.status, block: r.blockNumber.toString() }, 'funding transaction mined');
      })
      .catch((err: unknown) => {
        // Forget it: status() then asks the chain directly.
        this.tracked.delete(hash);
        this.log?.warn({ action: entry.action, txHash: hash, err: (err as Error).message }, 'lost track of a funding transaction');
      });
  }
}

function send(client: ChainClient, action: FundingAction, a: FundingAmounts): Promise<PendingTx> {
  switch (action) {
    case 'deposit':
      return client.fundDeposit(a.amountWei as bigint);
    case 'reserve':
      return client.fundReserve(a.amountWei as bigint);
    case 'deposit-and-reserve':
      return client.fundDepositAndReserve(a.depositWei as bigint, a.reserveWei as bigint);
    case 'unlock':
      return client.unlock();
    case 'cancel-unlock':
      return client.cancelUnlock();
    case 'withdraw':
      return client.withdraw();
  }
}
