// Control routes of the gateway account: GET /v1/account, POST /v1/funding/*, GET /v1/tx/:hash.
// HTTP in and out only: the funding service sends and tracks. Writes answer 202 with the tx hash as soon as it is
// broadcast; GET /v1/tx/:hash follows it until mined.
import type { Context, Hono } from 'hono';
import { BaseError, type Hash } from 'viem';
import type { FundingAction } from '../../../lib/chain/accountView.js';
import { toChainError } from '../../../lib/chain/errors.js';
import { GwError } from '../../../lib/errors.js';
import type { FundingTxResponse } from '../../../api/contract.js';
import type { FundingService } from '../../chain/fundingService.js';
import type { ChainAccount } from '../../chain/gatewayChain.js';
import { routesOf } from '../../../api/routes.js';
import { apiError, readJson, type ControlRouteModule, type RouteTable } from '../app.js';

export const CHAIN_ROUTES: RouteTable = routesOf('chain');

export const OFFCHAIN_MESSAGE = 'this gateway runs off-chain: no account or deposit (start with --network …)';
const MAX_UINT256 = 2n ** 256n - 1n;

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

/** Answers a failed chain call by its error's code (toChainError decided it from viem's error types); a bug is rethrown. */
function chainFailure(c: Context, err: unknown): Response {
  if (err instanceof GwError) return apiError(c, err.code, err.message);
  if (err instanceof BaseError) {
    const e = toChainError('chain call', err);
    return apiError(c, e.code, e.message);
  }
  throw err;
}

async function readOptionalJson(c: Context): Promise<unknown> {
  const text = await c.req.text();
  if (text.trim() === '') return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch (err) {
    return apiError(c, 'bad_json', `request body is not valid JSON: ${(err as Error).message}`);
  }
}

/** What the chain routes call: the account (null off-chain) and its funding service. */
export interface ChainRouteDeps {
  readonly account: Pick<ChainAccount, 'accountView'>;
  readonly funding: Pick<FundingService, 'submit' | 'status'>;
}

/** The account and funding routes; with null (an off-chain daemon) every route answers 409 `offchain`. */
export function chainRoutes(deps: ChainRouteDeps | null): ControlRouteModule {
  const register = (app: Hono) => {
    if (!deps) {
      for (const [path, methods] of Object.entries(CHAIN_ROUTES)) {
        for (const m of methods) app.on(m, path, (c) => apiError(c, 'offchain', OFFCHAIN_MESSAGE));
      }
      return;
    }
    const { account, funding } = deps;

    app.get('/v1/account', async (c) => {
      const raw = c.req.query('poolSize');
      let poolSize: number | undefined;
      if (raw !== undefined) {
        if (!/^\d{1,6}$/.test(raw) || Number(raw) < 1) return apiError(c, 'bad_request', '"poolSize" must be a whole number of orchestrators ≥ 1');
        poolSize = Number(raw);
      }
      try {
        return c.json(await account.accountView(poolSize !== undefined ? { poolSize } : {}));
      } catch (err) {
        return chainFailure(c, err);
      }
    });

    for (const action of Object.keys(AMOUNT_FIELDS) as FundingAction[]) {
      app.post(`/v1/funding/${action}`, async (c) => {
        const body = AMOUNT_FIELDS[action].length > 0 ? await readJson(c) : await readOptionalJson(c);
        if (body instanceof Response) return body;
        const amounts = parseFundingBody(action, body);
        if (typeof amounts === 'string') return apiError(c, 'bad_request', amounts);
        try {
          const r = await funding.submit(action, amounts);
          if ('refusal' in r) return apiError(c, r.refusal.code, r.refusal.message);
          return c.json(r satisfies FundingTxResponse, 202);
        } catch (err) {
          return chainFailure(c, err);
        }
      });
    }

    app.get('/v1/tx/:hash', async (c) => {
      const hash = c.req.param('hash');
      if (!/^0x[0-9a-fA-F]{64}$/.test(hash)) return apiError(c, 'bad_request', 'a transaction hash is 0x followed by 64 hex digits');
      try {
        const view = await funding.status(hash as Hash);
        return view ? c.json(view) : apiError(c, 'unknown_tx', `no transaction ${hash.toLowerCase()} is known to this gateway or its chain node`);
      } catch (err) {
        return chainFailure(c, err);
      }
    });
  };
  return { routes: CHAIN_ROUTES, register };
}
