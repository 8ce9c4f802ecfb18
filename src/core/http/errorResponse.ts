// The one place where an error becomes an HTTP answer: the status of every error code, and the body (and, for a bug,
// the log line with its stack) of any thrown value. The control API and the gateway HTTP port both answer from here.
import type { ErrorBody } from '../../api/contract.js';
import { isInternalError, type ErrorCode, type GwError } from '../../lib/errors.js';
import type { Logger } from '../logger.js';

/** HTTP status of each error code; a Record over the closed union, so a new code without a status does not compile. */
export const HTTP_STATUS: Readonly<Record<ErrorCode, number>> = {
  bad_request: 400,
  bad_json: 400,
  not_found: 404,
  unauthorized: 401,
  method_not_allowed: 405,
  body_too_large: 413,
  invalid_setting: 400,
  invalid_price: 400,
  offchain: 409,
  reverted: 409,
  insufficient_funds: 409,
  chain_unavailable: 503,
  chain_error: 502,
  unknown_tx: 404,
  draining: 503,
  internal: 500,
  daemon_not_running: 503,
  http_error: 502,
  network_error: 502,
  bad_amount: 400,
  nothing_to_unlock: 409,
  already_unlocking: 409,
  already_unlocked: 409,
  no_unlock: 409,
  nothing_to_withdraw: 409,
  not_unlocked: 409,
  too_early: 409,
  failed: 400,
  usage: 400,
  cancelled: 400,
  no_tty: 400,
  exists: 409,
  already_running: 409,
  start_failed: 503,
  bad_password: 401,
  invalid_profiles: 400,
  invalid_amount: 400,
  unknown_setting: 400,
  confirmation_required: 400,
  no_password: 400,
  no_log: 404,
  tx_timeout: 504,
  invalid_orchestrator_uri: 400,
  // go-livepeer's push handler: 503 No sessions available, 422 for bad input, 500 once every attempt failed
  no_sessions: 503,
  bad_segment: 422,
  max_attempts: 500,
  sender_funds: 503,
  capacity: 503,
  forbidden: 403,
  wire_error: 502,
  orchestrator_unreachable: 502,
  orchestrator_error: 502,
  segment_failed: 502,
  rendition_download_failed: 502,
  bad_job_token: 502,
  discovery_failed: 503,
  bad_signer_message: 502,
  bad_price_feed: 502,
  ffmpeg_not_found: 503,
  transcode_failed: 502,
  segmenter_failed: 502,
  trickle_closed: 502,
  trickle_failed: 502,
  'wrong_password': 401,
  'invalid_keystore': 400,
  unsupported_keystore: 400,
  'key_not_found': 404,
  'address_mismatch': 400,
  unlock_soon: 409,
  no_reserve: 409,
  no_deposit: 409,
  no_ticket_params: 502,
  no_expiration_block: 502,
  expired: 502,
  face_value_too_low: 502,
  ticket_ev_too_high: 502,
  total_ev_too_high: 502,
  face_value_too_high: 502,
  missing_price: 502,
  invalid_ticket_price: 502,
  price_increased: 502,
  nonces_exhausted: 502,
  refresh: 502,
  price_exceeded: 502,
  no_tickets: 502,
  signer_bad_request: 502,
  server: 502,
  status: 502,
  timeout: 504,
  network: 502,
  protocol: 502,
};

/** The HTTP status for an error code. */
export function httpStatusFor(code: ErrorCode): number {
  return HTTP_STATUS[code];
}

/** What an HTTP handler answers for an error: the status and the API's `{"error":{"code","message"}}` body. */
export interface ErrorResponse {
  readonly status: number;
  readonly body: ErrorBody;
}

/** Told to the caller instead of a bug's own message, which may say more about gw's insides than it should. */
export const INTERNAL_MESSAGE = 'internal error in the gw daemon; its log (gw logs) has the details';

/**
 * Turns any thrown value into an answer. A GwError of kind user or peer answers its code's status with its own
 * message; a bug (kind internal, or anything that is not a GwError) is logged at error level with its stack and
 * answers 500 `internal` with a generic message.
 */
export function errorResponse(err: unknown, log: Pick<Logger, 'error'> | undefined, context: Record<string, unknown> = {}): ErrorResponse {
  if (!isInternalError(err)) {
    const e = err as GwError;
    return { status: httpStatusFor(e.code), body: { error: { code: e.code, message: e.message } } };
  }
  log?.error({ ...context, err: err instanceof Error ? err : new Error(String(err)) }, 'internal error (a bug in gw)');
  return { status: HTTP_STATUS.internal, body: { error: { code: 'internal', message: INTERNAL_MESSAGE } } };
}
