// POST /generate-live-payment for the devnet signer, following go-livepeer's GenerateLivePayment: checks in its
// order and with its texts, billing at the session's initial price, balance carried in the signed state.
import { fromBinary } from '@bufbuild/protobuf';
import { randomBytes } from 'node:crypto';
import { toChecksumAddress } from '../../lib/protocol/address.js';
import { type Capabilities, CapabilitiesSchema, type OrchestratorInfo, OrchestratorInfoSchema } from '../../lib/protocol/gen/net/lp_rpc_pb.js';
import { Rational } from '../../lib/protocol/rational.js';
import type { Signer } from '../../lib/protocol/signer.js';
import { Balances, balanceKey } from '../../lib/payments/balances.js';
import { isLivePaymentType, liveUnits, unitsFee } from '../../lib/payments/liveBilling.js';
import {
  ORCHESTRATOR_URL_HEADER,
  STATUS_NO_TICKETS,
  STATUS_PRICE_EXCEEDED,
  STATUS_REFRESH_SESSION,
  decodeBytesField,
  getKey,
  parseStateJson,
} from '../../lib/payments/remoteSignerWire.js';
import { emptySegmentCredentials } from '../../lib/payments/segCreds.js';
import { PaymentValidationError } from '../../lib/payments/senderValidation.js';
import type { TicketSender } from '../../lib/payments/ticketSender.js';
import { type PaymentState, StateError, newPaymentState, openState, sealState } from './state.js';

/** O's auth token is refreshed in the last 10 % of its 30-minute validity. */
export const AUTH_REFRESH_BEFORE_EXPIRY_S = 180n;
/** go-livepeer refuses batches above this size. */
export const MAX_TICKETS_PER_CALL = 100;

export interface LivePaymentContext {
  sender: TicketSender;
  /** The sender's key: signs the state and the segment credentials. */
  signer: Signer;
  now: () => number;
  /** Ceiling on O's price per unit, wei (481 above it). */
  maxPricePerUnit?: Rational;
}

/** An HTTP answer: status, JSON body (or error text) and extra headers. */
export interface SignerReply {
  status: number;
  body?: unknown;
  error?: string;
  headers?: Record<string, string>;
  /** The state id the request carried, for concurrency bookkeeping. */
  stateId?: string;
}

const fail = (status: number, error: string, extra: Partial<SignerReply> = {}): SignerReply => ({ status, error, ...extra });

function address20(b: Uint8Array): string {
  const out = new Uint8Array(20);
  if (b.length >= 20) out.set(b.subarray(b.length - 20));
  else out.set(b, 20 - b.length);
  return toChecksumAddress(out);
}

/** Go's big.Rat.RatString. */
function ratString(r: Rational): string {
  return r.isInteger() ? r.num.toString() : `${r.num}/${r.den}`;
}

function parseInPixels(v: unknown): bigint | undefined {
  if (v === undefined || v === null) return 0n;
  if (typeof v !== 'number' || !Number.isSafeInteger(v)) return undefined;
  return BigInt(v);
}

/** Handles one /generate-live-payment body; never throws for client mistakes. */
export async function generateLivePayment(ctx: LivePaymentContext, body: unknown): Promise<SignerReply> {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return fail(400, 'request body must be a JSON object');
  const req = body as Record<string, unknown>;
  let info: OrchestratorInfo;
  let stateBytes: { state: Uint8Array; sig: Uint8Array } | undefined;
  let capsBytes: Uint8Array;
  try {
    const orch = decodeBytesField(req, 'orchestrator');
    if (orch.length === 0) return fail(400, 'missing orchestrator');
    info = fromBinary(OrchestratorInfoSchema, orch);
    stateBytes = parseStateJson(getKey(req, 'state'));
    capsBytes = decodeBytesField(req, 'capabilities');
  } catch (err) {
    return fail(400, (err as Error).message);
  }
  const price = info.priceInfo;
  if (!price || price.pricePerUnit === 0n || price.pixelsPerUnit === 0n) return fail(400, 'missing or zero priceInfo');
  const params = info.ticketParams;
  if (!params) return fail(400, 'missing ticketParams in OrchestratorInfo');
  const orchAddr = address20(info.address);
  const typeRaw = getKey(req, 'type');
  const type = typeof typeRaw === 'string' ? typeRaw : '';
  const appRaw = getKey(req, 'app');
  const app = typeof appRaw === 'string' ? appRaw : '';

  let state: PaymentState;
  if (stateBytes) {
    try {
      state = openState(ctx.sender.address, stateBytes.state, stateBytes.sig);
    } catch (err) {
      if (err instanceof StateError) return fail(400, err.message);
      throw err;
    }
    if (state.OrchestratorAddress !== orchAddr) return fail(400, 'orchestratorAddress mismatch', { stateId: state.StateID });
    if (state.App !== app) return fail(400, 'app mismatch', { stateId: state.StateID });
    if (state.Type !== type) return fail(400, 'type mismatch', { stateId: state.StateID });
  } else {
    state = newPaymentState({
      orchestratorAddress: orchAddr,
      initialPricePerUnit: price.pricePerUnit,
      initialPixelsPerUnit: price.pixelsPerUnit,
      type,
      app,
    });
  }
  const stateId = state.StateID;
  const manifestRaw = getKey(req, 'manifestId');
  let manifestId = typeof manifestRaw === 'string' ? manifestRaw : '';
  if (!manifestId) {
    if (stateBytes) return fail(400, 'missing manifestID', { stateId });
    manifestId = randomBytes(8).toString('hex');
  }
  let capabilities: Capabilities | undefined;
  if (capsBytes.length > 0) {
    try {
      capabilities = fromBinary(CapabilitiesSchema, capsBytes);
    } catch (err) {
      return fail(400, (err as Error).message, { stateId });
    }
  }

  // go-livepeer shouldRefreshSession: auth token near expiry or params expired → 480.
  const now = ctx.now();
  const refresh = { status: STATUS_REFRESH_SESSION, headers: { [ORCHESTRATOR_URL_HEADER]: info.transcoder }, stateId };
  if (!info.authToken) return fail(400, 'remote signer could not check whether to refresh session: missing auth token', { stateId });
  if (BigInt(Math.floor(now / 1000)) > info.authToken.expiration - AUTH_REFRESH_BEFORE_EXPIRY_S) {
    return { ...refresh, error: 'refresh session for remote signer' };
  }
  const paramsErr = ctx.sender.checkParams(params, 1);
  if (paramsErr?.code === 'expired') return { ...refresh, error: 'refresh session for remote signer' };
  if (paramsErr) return fail(400, `remote signer could not check whether to refresh session: ${paramsErr.message}`, { stateId });

  if (!isLivePaymentType(type)) return fail(400, 'invalid job type', { stateId });
  const inPixels = parseInPixels(getKey(req, 'inPixels'));
  if (inPixels === undefined) return fail(400, 'inPixels must be an integer', { stateId });
  const last = state.LastUpdate ? Date.parse(state.LastUpdate) : undefined;
  const units = liveUnits(type, last, now, inPixels);
  if (units <= 0n) return fail(400, 'missing pixels or job type', { stateId });

  const orchPrice = Rational.of(price.pricePerUnit, price.pixelsPerUnit);
  if (ctx.maxPricePerUnit && orchPrice.gt(ctx.maxPricePerUnit)) {
    return fail(
      STATUS_PRICE_EXCEEDED,
      `orchestrator price ${orchPrice.toDecimalString(3)} exceeds maximum price ${ctx.maxPricePerUnit.toDecimalString(3)}`,
      { stateId },
    );
  }
  const initialPrice = { pricePerUnit: BigInt(state.InitialPricePerUnit), pixelsPerUnit: BigInt(state.InitialPixelsPerUnit) };
  const fee = unitsFee(units, initialPrice);
  const pm = ctx.sender.session(info, {
    initialPrice,
    ...(state.PMSessionID ? { usedNonces: { pmSessionId: state.PMSessionID, last: state.SenderNonce } } : {}),
  });
  const balances = new Balances();
  const key = balanceKey(address20(params.recipient), stateId);
  balances.credit(key, Rational.parse(state.Balance));
  const update = balances.stageUpdate(key, fee, pm.ev);
  if (update.numTickets <= 0) return fail(STATUS_NO_TICKETS, 'no tickets', { stateId });
  if (update.numTickets > MAX_TICKETS_PER_CALL) {
    return fail(400, `numTickets ${update.numTickets} exceeds maximum of ${MAX_TICKETS_PER_CALL}`, { stateId });
  }
  let signed;
  try {
    signed = await pm.createPayment(update.numTickets);
  } catch (err) {
    const priceRise = err instanceof PaymentValidationError && err.code === 'price_increased';
    return fail(priceRise ? STATUS_PRICE_EXCEEDED : 500, (err as Error).message, { stateId });
  }
  const seg = await emptySegmentCredentials(ctx.signer, {
    manifestId,
    authToken: info.authToken,
    ...(capabilities ? { capabilities } : {}),
  });
  const balance = balances.completeUpdate(update, { status: 'reply', debit: fee });
  const batch = signed.batch;
  const next: PaymentState = {
    ...state,
    Balance: ratString(balance),
    LastUpdate: new Date(now).toISOString(),
    PMSessionID: batch?.pmSessionId ?? state.PMSessionID,
    SenderNonce: batch ? batch.firstNonce + batch.count - 1 : state.SenderNonce,
    SequenceNumber: state.SequenceNumber + 1,
  };
  return {
    status: 200,
    body: { payment: signed.header, segCreds: seg.header, state: await sealState(ctx.signer, next) },
    stateId,
  };
}
