// The root of every gw error: a stable code (what the control API, the CLI's --json and metrics show) and a kind
// (whose fault it is), so no caller has to read a message or a class name to decide what to do with an error.

/**
 * Whose fault an error is: `user` — the caller's input or setup is wrong; `peer` — an orchestrator, chain node,
 * signer, external program or other party outside gw misbehaved or is unreachable; `internal` — a bug in gw.
 */
export type ErrorKind = 'user' | 'peer' | 'internal';

/** Codes of the control API's `{"error":{"code"}}` bodies and of the typed client that reads them. */
export type ApiErrorCode =
  | 'bad_request'
  | 'bad_json'
  | 'not_found'
  | 'unauthorized'
  | 'method_not_allowed'
  | 'body_too_large'
  | 'invalid_setting'
  | 'invalid_price'
  | 'offchain'
  | 'reverted'
  | 'insufficient_funds'
  | 'chain_unavailable'
  | 'chain_error'
  | 'unknown_tx'
  | 'draining'
  | 'internal'
  // the typed client's own: nothing answers, or something that does not speak the API does
  | 'daemon_not_running'
  | 'http_error'
  | 'network_error';

/** Why a funding action is refused before anything is sent (`checkFunding`). */
export type FundingRefusalCode =
  | 'bad_amount'
  | 'insufficient_funds'
  | 'nothing_to_unlock'
  | 'already_unlocking'
  | 'already_unlocked'
  | 'no_unlock'
  | 'nothing_to_withdraw'
  | 'not_unlocked'
  | 'too_early';

/** Codes the command line raises itself (GwUserError and friends). */
export type CliErrorCode =
  | 'failed'
  | 'usage'
  | 'cancelled'
  | 'no_tty'
  | 'exists'
  | 'already_running'
  | 'start_failed'
  | 'bad_password'
  | 'invalid_profiles'
  | 'invalid_amount'
  | 'unknown_setting'
  | 'confirmation_required'
  | 'no_password'
  | 'no_log'
  | 'tx_timeout';

/** Codes of the gateway's own inputs and peers: pushed segments, AI and BYOC requests, orchestrators, ffmpeg. */
export type GatewayErrorCode =
  | 'invalid_orchestrator_uri'
  | 'no_sessions'
  | 'bad_segment'
  | 'max_attempts'
  | 'sender_funds'
  | 'capacity'
  | 'forbidden'
  | 'wire_error'
  | 'orchestrator_unreachable'
  | 'orchestrator_error'
  | 'segment_failed'
  | 'rendition_download_failed'
  | 'bad_job_token'
  | 'discovery_failed'
  | 'bad_signer_message'
  | 'bad_price_feed'
  | 'ffmpeg_not_found'
  | 'transcode_failed'
  | 'segmenter_failed'
  // a trickle channel on an orchestrator ended (404, Lp-Trickle-Closed), or kept failing
  | 'trickle_closed'
  | 'trickle_failed';

/** Keystore problems (`KeystoreError.code`). */
export type KeystoreErrorCode = 'wrong_password' | 'invalid_keystore' | 'unsupported_keystore' | 'key_not_found' | 'address_mismatch';

/** go-livepeer's gateway-side sender errors (pm/sender.go): the deposit or reserve cannot pay. */
export type SenderErrorCode = 'unlock_soon' | 'no_reserve' | 'no_deposit';

/** Why a ticket payment cannot be made (`PaymentValidationError.code`), besides the sender's own funds. */
export type PaymentErrorCode =
  | 'no_ticket_params'
  | 'no_expiration_block'
  | 'expired'
  | 'face_value_too_low'
  | 'ticket_ev_too_high'
  | 'total_ev_too_high'
  | 'face_value_too_high'
  | 'missing_price'
  | 'invalid_ticket_price'
  | 'price_increased'
  | 'nonces_exhausted'
  | 'chain_unavailable'
  | SenderErrorCode;

/** A failed remote-signer call (`RemoteSignerError.code`), after go-livepeer's remote signer statuses. */
export type RemoteSignerErrorCode =
  /** 480: GetOrchestrator again, then retry. */
  | 'refresh'
  /** 481: price above a ceiling; use another orchestrator. */
  | 'price_exceeded'
  /** 482: nothing to pay this cycle. */
  | 'no_tickets'
  /** 400: the request is wrong (state, manifest id, orchestrator info …). */
  | 'signer_bad_request'
  /** 5xx: the signer failed; retry later. */
  | 'server'
  /** Any other status (e.g. chosen by the signer's auth webhook). */
  | 'status'
  | 'timeout'
  | 'network'
  /** The signer answered something that is not the protocol. */
  | 'protocol';

/** Every error code gw uses: closed, so a status or kind table over it is checked for totality by the compiler. */
export type ErrorCode =
  | ApiErrorCode
  | FundingRefusalCode
  | CliErrorCode
  | GatewayErrorCode
  | KeystoreErrorCode
  | PaymentErrorCode
  | RemoteSignerErrorCode;

/** The kind each code has unless the error says otherwise (the client uses it for codes it reads off the wire). */
export const ERROR_KINDS: Readonly<Record<ErrorCode, ErrorKind>> = {
  bad_request: 'user',
  bad_json: 'user',
  not_found: 'user',
  unauthorized: 'user',
  method_not_allowed: 'user',
  body_too_large: 'user',
  invalid_setting: 'user',
  invalid_price: 'user',
  offchain: 'user',
  // a revert is the contract refusing what was asked in the account's state
  reverted: 'user',
  insufficient_funds: 'user',
  chain_unavailable: 'peer',
  chain_error: 'peer',
  unknown_tx: 'user',
  draining: 'peer',
  internal: 'internal',
  daemon_not_running: 'user',
  http_error: 'peer',
  network_error: 'peer',
  bad_amount: 'user',
  nothing_to_unlock: 'user',
  already_unlocking: 'user',
  already_unlocked: 'user',
  no_unlock: 'user',
  nothing_to_withdraw: 'user',
  not_unlocked: 'user',
  too_early: 'user',
  failed: 'user',
  usage: 'user',
  cancelled: 'user',
  no_tty: 'user',
  exists: 'user',
  already_running: 'user',
  start_failed: 'user',
  bad_password: 'user',
  invalid_profiles: 'user',
  invalid_amount: 'user',
  unknown_setting: 'user',
  confirmation_required: 'user',
  no_password: 'user',
  no_log: 'user',
  // the chain did not mine the transaction in time
  tx_timeout: 'peer',
  invalid_orchestrator_uri: 'user',
  no_sessions: 'peer',
  bad_segment: 'user',
  max_attempts: 'peer',
  sender_funds: 'user',
  capacity: 'user',
  forbidden: 'user',
  wire_error: 'peer',
  orchestrator_unreachable: 'peer',
  orchestrator_error: 'peer',
  segment_failed: 'peer',
  rendition_download_failed: 'peer',
  bad_job_token: 'peer',
  discovery_failed: 'peer',
  bad_signer_message: 'peer',
  bad_price_feed: 'peer',
  ffmpeg_not_found: 'user',
  transcode_failed: 'peer',
  segmenter_failed: 'peer',
  trickle_closed: 'peer',
  trickle_failed: 'peer',
  'wrong_password': 'user',
  'invalid_keystore': 'user',
  unsupported_keystore: 'user',
  'key_not_found': 'user',
  'address_mismatch': 'user',
  unlock_soon: 'user',
  no_reserve: 'user',
  no_deposit: 'user',
  // the orchestrator's ticket params or price, or the chain behind them
  no_ticket_params: 'peer',
  no_expiration_block: 'peer',
  expired: 'peer',
  face_value_too_low: 'peer',
  ticket_ev_too_high: 'peer',
  total_ev_too_high: 'peer',
  face_value_too_high: 'peer',
  missing_price: 'peer',
  invalid_ticket_price: 'peer',
  price_increased: 'peer',
  nonces_exhausted: 'peer',
  refresh: 'peer',
  price_exceeded: 'peer',
  no_tickets: 'peer',
  signer_bad_request: 'peer',
  server: 'peer',
  status: 'peer',
  timeout: 'peer',
  network: 'peer',
  protocol: 'peer',
};

/** Whether `value` is one of gw's error codes (for codes read off the wire). */
export function isErrorCode(value: unknown): value is ErrorCode {
  return typeof value === 'string' && Object.hasOwn(ERROR_KINDS, value);
}

/** Options of a GwError: the standard `cause`, and a kind when it differs from the code's usual one. */
export interface GwErrorOptions extends ErrorOptions {
  readonly kind?: ErrorKind;
}

/** Base of every gw error: a stable `code`, whose fault it is (`kind`), and the standard `cause`. */
export class GwError extends Error {
  readonly code: ErrorCode;
  readonly kind: ErrorKind;

  constructor(code: ErrorCode, message: string, options: GwErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'GwError';
    this.code = code;
    this.kind = options.kind ?? ERROR_KINDS[code];
  }
}

/** Whether `err` is a bug in gw: an internal GwError, or anything thrown that is not a GwError at all. */
export function isInternalError(err: unknown): boolean {
  return !(err instanceof GwError) || err.kind === 'internal';
}
