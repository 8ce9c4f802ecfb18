// Control routes of the gateway account: GET /v1/account, POST /v1/funding/*, GET /v1/tx/:hash.
// Writes answer 202 with the tx hash as soon as it is broadcast; GET /v1/tx/:hash follows it until mined.
import type { Context, Hono } from 'hono';
import type { Hash } from 'viem';
import { checkFunding, type FundingAction } from '../../../lib/chain/accountView.js';
import type { PendingTx } from '../../../lib/chain/chainClient.js';
import { ChainError, toChainError } from '../../../lib/chain/errors.js';
import type { ChainRouteSource } from '../../chain/gatewayChain.js';
import type { Logger } from '../../logger.js';
import type { FundingTxResponse, TxStatusView } from '../../../api/contract.js';
import { apiError, readJson, type ControlRouteModule, type RouteTable } from '../app.js';

export const CHAIN_ROUTES: RouteTable = {
  '/v1/account': ['GET'],
  '/v1/funding/deposit': ['POST'],
  '/v1/funding/reserve': ['POST'],
  '/v1/funding/deposit-and-reserve': ['POST'],
  '/v1/funding/unlock': ['POST'],
  '/v1/funding/cancel-unlock': ['POST'],
  '/v1/funding/withdraw': ['POST'],
  '/v1/tx/:hash': ['GET'],
};

export const OFFCHAIN_MESSAGE = 'this gateway runs off-chain: no account or deposit (start with --network …)';
const MAX_UINT256 = 2n ** 256n - 1n;
const TX_WAIT_MS = 10 * 60 * 1000;
const MAX_TRACKED = 200;

/** Fields each funding route takes: wei amounts as strings of digits. */
const AMOUNT_FIELDS: Record<FundingAction, readonly string[]> = {
  deposit: ['amountWei'],
  reserve: ['amountWei'],
  'deposit-and-reserve': ['depositWei', 'reserveWei'],
  unlock: [],
  'cancel-unlock': [],
  withdraw: [],
};

/** Parses a funding body into wei amounts, or an error message naming the field. */
export function parseFundingBody(action: FundingAction, body: unknown): Record<string, bigint> | string {
  const fields = AMOUNT_FIELDS[action];
  if (body === undefined) body = {};
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    return fields.length > 0 ? `expected a JSON object like {"${fields[0]}": "360000000000000000"}` : 'expected an empty JSON object';
  }
  const obj = body as Record<string, unknown>;
  const extra = Object.keys(obj).find((k) => !fields.includes(k));
  if (extra !== undefined) {
    return fields.length > 0 ? `unknown field "${extra}"; expected ${fields.map((f) => `"${f}"`).join(' and ')}` : `unknown field "${extra}"; this action takes no fields`;
  }
  const out: Record<string, bigint> = {};
  for (const f of fields) {
    const v = obj[f];
    if (v === undefined) return `"${f}" is required: a decimal string of wei, e.g. "360000000000000000"`;
    if (typeof v !== 'string' || !/^\d{1,78}$/.test(v)) return `"${f}" must be a decimal string of wei (digits only), e.g. "360000000000000000"`;
    const wei = BigInt(v);
    if (wei > MAX_UINT256) return `"${f}" is larger than a uint256`;
    out[f] = wei;
  }
  if (fields.length === 1 && out[fields[0] as string] === 0n) return `"${fields[0]}" must be greater than 0`;
  if (fields.length === 2 && out.depositWei === 0n && out.reserveWei === 0n) return '"depositWei" and "reserveWei" are both 0: nothing to fund';
  return out;
}

interface Tracked {
  action: FundingAction;
  status: TxStatusView['status'];
  blockNumber?: bigint;
  feeWei?: bigint;
  reason?: string;
}

function chainFailure(c: Context, err: unknown): Response {
  const e = err instanceof ChainError ? err : toChainError('chain call', err);
  if (e.reason !== undefined) return apiError(c, 409, 'reverted', e.message);
  if (/cannot reach|timed out|took too long/i.test(e.message)) return apiError(c, 503, 'chain_unavailable', e.message);
  if (/insufficient ETH/.test(e.message)) return apiError(c, 409, 'insufficient_funds', e.message);
  return apiError(c, 500, 'chain_error', e.message);
}

async function readOptionalJson(c: Context): Promise<unknown> {
  const text = await c.req.text();
  if (text.trim() === '') return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch (err) {
    return apiError(c, 400, 'bad_json', `request body is not valid JSON: ${(err as Error).message}`);
  }
}

/** The routes for `chain`; with null (an off-chain daemon) every route answers 409 `offchain`. */
export function chainRoutes(chain: ChainRouteSource | null, log?: Logger): ControlRouteModule {
  const register = (app: Hono) => {
    if (!chain) {
      for (const [path, methods] of Object.entries(CHAIN_ROUTES)) {
        for (const m of methods) app.on(m, path, (c) => apiError(c, 409, 'offchain', OFFCHAIN_MESSAGE));
      }
      return;
    }
    const { client, address } = chain;
    const tracked = new Map<string, Tracked>();
    let queue: Promise<unknown> = Promise.resolve();
    // One write at a time: the pre-check and the send must see the same state and nonce.
    const serialize = <T>(fn: () => Promise<T>): Promise<T> => {
      const run = queue.then(fn, fn);
      queue = run.catch(() => undefined);
      return run;
    };

    const follow = (hash: Hash, entry: Tracked) => {
      void client.publicClient
        .waitForTransactionReceipt({ hash, timeout: TX_WAIT_MS, pollingInterval: client.network.name === 'devnet' ? 50 : 1000 })
        .then(async (r) => {
          await chain.refresh().catch(() => undefined);
          entry.blockNumber = r.blockNumber;
          entry.feeWei = r.gasUsed * r.effectiveGasPrice;
          entry.status = r.status === 'success' ? 'success' : 'reverted';
          if (entry.status === 'reverted') entry.reason = `reverted in block ${r.blockNumber}`;
          log?.info({ action: entry.action, txHash: hash, status: entry.status, block: r.blockNumber.toString() }, 'funding transaction mined');
        })
        .catch((err: unknown) => {
          // Forget it: GET /v1/tx/:hash then asks the chain directly.
          tracked.delete(hash);
          log?.warn({ action: entry.action, txHash: hash, err: (err as Error).message }, 'lost track of a funding transaction');
        });
    };

    const submit = (action: FundingAction, amounts: Record<string, bigint>) =>
      serialize(async (): Promise<{ refusal: { code: string; message: string } } | { hash: Hash }> => {
        const valueWei = (amounts.amountWei ?? 0n) + (amounts.depositWei ?? 0n) + (amounts.reserveWei ?? 0n);
        const funding = valueWei > 0n;
        const [status, unlockPeriod, balanceWei] = await Promise.all([
          client.getSenderStatus(address),
          client.unlockPeriod(),
          funding ? client.balance(address) : Promise.resolve(0n),
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
        let pending: PendingTx;
        switch (action) {
          case 'deposit':
            pending = await client.fundDeposit(amounts.amountWei as bigint);
            break;
          case 'reserve':
            pending = await client.fundReserve(amounts.amountWei as bigint);
            break;
          case 'deposit-and-reserve':
            pending = await client.fundDepositAndReserve(amounts.depositWei as bigint, amounts.reserveWei as bigint);
            break;
          case 'unlock':
            pending = await client.unlock();
            break;
          case 'cancel-unlock':
            pending = await client.cancelUnlock();
            break;
          case 'withdraw':
            pending = await client.withdraw();
            break;
        }
        const entry: Tracked = { action, status: 'pending' };
        tracked.set(pending.hash, entry);
        if (tracked.size > MAX_TRACKED) tracked.delete(tracked.keys().next().value as string);
        log?.info({ action, txHash: pending.hash, valueWei: valueWei.toString() }, 'funding transaction sent');
        follow(pending.hash, entry);
        return { hash: pending.hash };
      });

    app.get('/v1/account', async (c) => {
      const raw = c.req.query('poolSize');
      let poolSize: number | undefined;
      if (raw !== undefined) {
        if (!/^\d{1,6}$/.test(raw) || Number(raw) < 1) return apiError(c, 400, 'bad_request', '"poolSize" must be a whole number of orchestrators ≥ 1');
        poolSize = Number(raw);
      }
      try {
        return c.json(await chain.accountView(poolSize !== undefined ? { poolSize } : {}));
      } catch (err) {
        return chainFailure(c, err);
      }
    });

    for (const action of Object.keys(AMOUNT_FIELDS) as FundingAction[]) {
      app.post(`/v1/funding/${action}`, async (c) => {
        const body = AMOUNT_FIELDS[action].length > 0 ? await readJson(c) : await readOptionalJson(c);
        if (body instanceof Response) return body;
        const amounts = parseFundingBody(action, body);
        if (typeof amounts === 'string') return apiError(c, 400, 'bad_request', amounts);
        try {
          const r = await submit(action, amounts);
          if ('refusal' in r) return apiError(c, r.refusal.code === 'bad_amount' ? 400 : 409, r.refusal.code, r.refusal.message);
          return c.json({ txHash: r.hash, action } satisfies FundingTxResponse, 202);
        } catch (err) {
          return chainFailure(c, err);
        }
      });
    }

    app.get('/v1/tx/:hash', async (c) => {
      const hash = c.req.param('hash');
      if (!/^0x[0-9a-fA-F]{64}$/.test(hash)) return apiError(c, 400, 'bad_request', 'a transaction hash is 0x followed by 64 hex digits');
      const key = hash.toLowerCase() as Hash;
      const t = tracked.get(key) ?? tracked.get(hash);
      if (t) {
        const view: TxStatusView = {
          hash: key,
          status: t.status,
          action: t.action,
          ...(t.blockNumber !== undefined ? { blockNumber: t.blockNumber.toString() } : {}),
          ...(t.feeWei !== undefined ? { feeWei: t.feeWei.toString() } : {}),
          ...(t.reason !== undefined ? { reason: t.reason } : {}),
        };
        return c.json(view);
      }
      try {
        const receipt = await client.publicClient.getTransactionReceipt({ hash: key }).catch(() => null);
        if (receipt) {
          const view: TxStatusView = {
            hash: key,
            status: receipt.status === 'success' ? 'success' : 'reverted',
            blockNumber: receipt.blockNumber.toString(),
            feeWei: (receipt.gasUsed * receipt.effectiveGasPrice).toString(),
            ...(receipt.status === 'success' ? {} : { reason: `reverted in block ${receipt.blockNumber}` }),
          };
          return c.json(view);
        }
        const tx = await client.publicClient.getTransaction({ hash: key }).catch(() => null);
        if (tx) return c.json({ hash: key, status: 'pending' } satisfies TxStatusView);
        return apiError(c, 404, 'unknown_tx', `no transaction ${key} is known to this gateway or its chain node`);
      } catch (err) {
        return chainFailure(c, err);
      }
    });
  };
  return { routes: CHAIN_ROUTES, register };
}
