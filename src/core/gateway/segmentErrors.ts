import { GwError, type ErrorCode } from '../../lib/errors.js';

/** Why a segment could not be transcoded, in terms the ingest layers map to HTTP statuses and events. */
export type SegmentFailureKind =
  /** no orchestrator could be selected (HTTP push: 503 `No sessions available`) */
  | 'no-sessions'
  /** the input itself is bad (lpms non-retryable errors; HTTP push: 422) */
  | 'non-retryable'
  /** every attempt failed (HTTP push: 500) */
  | 'max-attempts'
  /** deposit/reserve problems: the stream is stopped (HTTP push: 503) */
  | 'sender-validation'
  /** too many concurrent streams (HTTP push: 503) */
  | 'capacity'
  /** the auth webhook refused the stream (HTTP push: 403) */
  | 'forbidden'
  /** the gateway is shutting down (503) */
  | 'draining';

/** The error code of each failure kind; the HTTP status comes from the code (core/http/errorResponse.ts). */
const FAILURE_CODES = {
  'no-sessions': 'no_sessions',
  'non-retryable': 'bad_segment',
  'max-attempts': 'max_attempts',
  'sender-validation': 'sender_funds',
  capacity: 'capacity',
  forbidden: 'forbidden',
  draining: 'draining',
} as const satisfies Record<SegmentFailureKind, ErrorCode>;

/** A segment that could not be transcoded; `failure` says why (`kind`, as on every GwError, says whose fault). */
export class SegmentFailure extends GwError {
  declare readonly code: (typeof FAILURE_CODES)[SegmentFailureKind];
  constructor(
    readonly failure: SegmentFailureKind,
    message: string,
  ) {
    super(FAILURE_CODES[failure], message);
    this.name = 'SegmentFailure';
  }
}
