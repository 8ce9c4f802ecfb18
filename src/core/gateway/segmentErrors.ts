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

/** A segment that could not be transcoded. */
export class SegmentFailure extends Error {
  constructor(
    readonly kind: SegmentFailureKind,
    message: string,
  ) {
    super(message);
    this.name = 'SegmentFailure';
  }
}

/** HTTP status for a failure kind, as go-livepeer's push handler answers. */
export function failureStatus(kind: SegmentFailureKind): number {
  switch (kind) {
    case 'non-retryable':
      return 422;
    case 'forbidden':
      return 403;
    case 'max-attempts':
      return 500;
    default:
      return 503;
  }
}
