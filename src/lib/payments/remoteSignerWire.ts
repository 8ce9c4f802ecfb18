// JSON wire format of go-livepeer's remote signer (server/remote_signer.go, ai-live-signer.md §9), shared by the
// client and the devnet signer: Go-style JSON ([]byte = standard base64, keys matched case-insensitively),
// status codes 480/481/482 and the {"error":{"message"}} error body. Pure parsing/encoding, no I/O.
import { type Address, isAddress, toChecksumAddress } from '../protocol/address.js';
import { base64Decode, hexToBytes } from '../protocol/encoding.js';
import { GwError } from '../errors.js';

/** Refresh the orchestrator session (GetOrchestrator again), then retry. */
export const STATUS_REFRESH_SESSION = 480;
/** The orchestrator's price is above a ceiling: use another orchestrator. */
export const STATUS_PRICE_EXCEEDED = 481;
/** No tickets are needed this cycle: skip the payment. */
export const STATUS_NO_TICKETS = 482;
/** Header of a 480 reply naming the orchestrator to refresh. */
export const ORCHESTRATOR_URL_HEADER = 'Livepeer-Orchestrator-URL';

export const SIGN_ORCHESTRATOR_INFO_PATH = '/sign-orchestrator-info';
export const GENERATE_LIVE_PAYMENT_PATH = '/generate-live-payment';
export const DISCOVER_ORCHESTRATORS_PATH = '/discover-orchestrators';

/** The signer's opaque, signed state; round-trip it verbatim (both fields are base64). */
export interface RemoteSignerState {
  State: string;
  Sig: string;
}

/** POST /generate-live-payment body as sent. */
export interface RemotePaymentRequestJson {
  orchestrator: string;
  state?: RemoteSignerState;
  manifestId?: string;
  type?: string;
  inPixels?: number;
  capabilities?: string;
  app?: string;
}

/** POST /generate-live-payment 200 body. */
export interface RemotePaymentResponseJson {
  payment: string;
  segCreds?: string;
  state: RemoteSignerState;
}

/** POST /sign-orchestrator-info 200 body. */
export interface OrchestratorInfoSigJson {
  address: string;
  signature: string;
}

/** One entry of GET /discover-orchestrators. */
export interface DiscoveredOrchestrator {
  /** The orchestrator's service URI. */
  address: string;
  score?: number;
  capabilities: string[];
}

/** A malformed message from the other side. */
export class WireFormatError extends GwError {
  constructor(message: string) {
    super('bad_signer_message', message);
    this.name = 'WireFormatError';
  }
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Value of `key` matched case-insensitively, as Go's encoding/json does. */
export function getKey(obj: Record<string, unknown>, key: string): unknown {
  if (key in obj) return obj[key];
  const lower = key.toLowerCase();
  for (const k of Object.keys(obj)) if (k.toLowerCase() === lower) return obj[k];
  return undefined;
}

function optString(obj: Record<string, unknown>, key: string): string | undefined {
  const v = getKey(obj, key);
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'string') throw new WireFormatError(`${key} must be a string`);
  return v;
}

/** Decodes a Go []byte field (standard padded base64); null/absent is empty. */
export function decodeBytesField(obj: Record<string, unknown>, key: string): Uint8Array {
  const v = optString(obj, key);
  if (v === undefined) return new Uint8Array(0);
  try {
    return base64Decode(v);
  } catch {
    throw new WireFormatError(`${key} is not valid base64`);
  }
}

/** Parses a state object ({State, Sig}); undefined when absent or both empty. */
export function parseStateJson(v: unknown): { state: Uint8Array; sig: Uint8Array } | undefined {
  if (v === undefined || v === null) return undefined;
  if (!isObject(v)) throw new WireFormatError('state must be an object');
  const state = decodeBytesField(v, 'State');
  const sig = decodeBytesField(v, 'Sig');
  return state.length === 0 && sig.length === 0 ? undefined : { state, sig };
}

/** Parses and checks a /generate-live-payment 200 body. */
export function parsePaymentResponse(body: unknown): RemotePaymentResponseJson {
  if (!isObject(body)) throw new WireFormatError('payment response is not a JSON object');
  const payment = optString(body, 'payment');
  if (payment === undefined) throw new WireFormatError('payment response has no payment');
  decodeBytesField(body, 'payment');
  const segCreds = optString(body, 'segCreds');
  if (segCreds) decodeBytesField(body, 'segCreds');
  const stateObj = getKey(body, 'state');
  if (!isObject(stateObj)) throw new WireFormatError('payment response has no state');
  const State = optString(stateObj, 'State');
  const Sig = optString(stateObj, 'Sig');
  if (!State || !Sig) throw new WireFormatError('payment response state is incomplete');
  decodeBytesField(stateObj, 'State');
  decodeBytesField(stateObj, 'Sig');
  return { payment, ...(segCreds ? { segCreds } : {}), state: { State, Sig } };
}

/** Parses a /sign-orchestrator-info 200 body: EIP-55 address and a 65-byte signature. */
export function parseOrchestratorInfoSig(body: unknown): { address: Address; signature: Uint8Array } {
  if (!isObject(body)) throw new WireFormatError('sign-orchestrator-info response is not a JSON object');
  const address = optString(body, 'address');
  const signature = optString(body, 'signature');
  if (!address || !isAddress(address)) throw new WireFormatError('sign-orchestrator-info response has no valid address');
  let sig: Uint8Array;
  try {
    sig = hexToBytes(signature ?? '');
  } catch {
    throw new WireFormatError('sign-orchestrator-info signature is not hex');
  }
  if (sig.length !== 65) throw new WireFormatError(`sign-orchestrator-info signature has ${sig.length} bytes, want 65`);
  return { address: toChecksumAddress(address), signature: sig };
}

/** Parses a /discover-orchestrators 200 body (unknown fields ignored). */
export function parseDiscoveryResponse(body: unknown): DiscoveredOrchestrator[] {
  if (!Array.isArray(body)) throw new WireFormatError('discover-orchestrators response is not a JSON array');
  return body.map((item, i) => {
    if (!isObject(item)) throw new WireFormatError(`discover-orchestrators entry ${i} is not an object`);
    const address = optString(item, 'address');
    if (!address) throw new WireFormatError(`discover-orchestrators entry ${i} has no address`);
    const score = getKey(item, 'score');
    const caps = getKey(item, 'capabilities');
    return {
      address,
      ...(typeof score === 'number' ? { score } : {}),
      capabilities: Array.isArray(caps) ? caps.filter((c): c is string => typeof c === 'string') : [],
    };
  });
}

/** go-livepeer's JSON error body text, if the body is one. */
export function errorMessageOf(body: unknown): string | undefined {
  if (!isObject(body)) return undefined;
  const err = getKey(body, 'error');
  if (isObject(err)) {
    const m = getKey(err, 'message');
    if (typeof m === 'string') return m;
  }
  return undefined;
}

/** The JSON error body go-livepeer sends. */
export function errorBody(message: string): string {
  return JSON.stringify({ error: { message } });
}
