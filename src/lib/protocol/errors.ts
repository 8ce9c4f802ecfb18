// Errors of the gateway ⇄ orchestrator wire and their classification for the retry logic
// (go-livepeer server/broadcast.go processSegment/isNonRetryableError, lpms ffmpeg/ffmpeg_errors.go).
import { GwError, type GatewayErrorCode } from '../errors.js';
import type { OrchestratorInfo } from './gen/net/lp_rpc_pb.js';

/** Where a transport failure happened. */
export type TransportPhase = 'dial' | 'headers' | 'body';
/** Why it happened, as far as the socket layer tells. */
export type TransportReason = 'timeout' | 'refused' | 'unreachable' | 'reset' | 'tls' | 'aborted' | 'protocol' | 'too-large' | 'unresponsive';

/** Codes of the wire errors: each says which step with the orchestrator failed. */
export type WireErrorCode = Extract<GatewayErrorCode, 'wire_error' | 'orchestrator_unreachable' | 'orchestrator_error' | 'segment_failed' | 'rendition_download_failed'>;

/** Base of every error raised by the wire clients: the orchestrator (a peer) failed us. */
export class WireError extends GwError {
  declare readonly code: WireErrorCode;
  constructor(message: string, options?: { cause?: unknown }, code: WireErrorCode = 'wire_error') {
    super(code, message, options);
    this.name = 'WireError';
  }
}

/** Connection or stream failure before a usable reply (no orchestrator text involved). */
export class TransportError extends WireError {
  constructor(
    message: string,
    readonly phase: TransportPhase,
    readonly reason: TransportReason,
    options?: { cause?: unknown },
  ) {
    super(message, options, 'orchestrator_unreachable');
    this.name = 'TransportError';
  }
}

/** A gRPC call answered with status ≠ 0; `message` is the orchestrator's Go error text (e.g. `OrchestratorCapped`). */
export class OrchestratorError extends WireError {
  constructor(
    message: string,
    readonly grpcStatus: number,
  ) {
    super(message, undefined, 'orchestrator_error');
    this.name = 'OrchestratorError';
  }
}

/**
 * A `/segment` attempt that failed. `message` follows go-livepeer's texts: `header timeout: …`, `body timeout: …`,
 * the trimmed non-200 body, `TranscodeResult.error`, or `UnknownResponse`.
 */
export class SegmentError extends WireError {
  constructor(
    message: string,
    readonly details: {
      /** Response headers arrived: any payment sent counts as spent (§7.3). */
      paymentSpent: boolean;
      /** HTTP status when one was received. */
      status?: number;
      /** Fresh OrchestratorInfo carried by an error reply, when any. */
      info?: OrchestratorInfo;
      /** Metric label for failures gw itself names (timeouts); others are labelled from the orchestrator's text. */
      label?: string;
      cause?: unknown;
    },
  ) {
    super(message, { cause: details.cause }, 'segment_failed');
    this.name = 'SegmentError';
  }

  get paymentSpent(): boolean {
    return this.details.paymentSpent;
  }
}

/** A rendition GET failed; the whole attempt fails with it. */
export class RenditionDownloadError extends WireError {
  constructor(
    message: string,
    readonly url: string,
    readonly index: number,
    options?: { cause?: unknown },
  ) {
    super(message, options, 'rendition_download_failed');
    this.name = 'RenditionDownloadError';
  }
}

/** The error text go-livepeer uses when a TranscodeResult carries neither data nor error. */
export const UNKNOWN_RESPONSE = 'UnknownResponse';
/** Prefix of the error that ends a segment after all attempts. */
export const MAX_ATTEMPTS_PREFIX = 'hit max transcode attempts';

/** lpms NonRetryableErrs: transcoder errors that another orchestrator would hit too. Matched exactly. */
export const NON_RETRYABLE_ERRORS: ReadonlySet<string> = new Set([
  'Unsupported input pixel format',
  'Error initializing filtergraph',
  'Too many outputs',
  'Unsupported input codec',
  'No keyframes in input',
  'Unrecoverable state, restart process',
  'Encoded frames runaway',
  'Decoder not found',
  'Demuxer not found',
  'Encoder not found',
  'Muxer not found',
  'Option not found',
  'Invalid argument',
  'TranscoderInvalidResolution',
  'TranscoderInvalidVideo',
  'TranscoderUnrecognizedFormat',
  'TranscoderUnrecognizedProfile',
  'TranscoderInvalidGOP',
  'TranscoderIncompatibleDevices',
]);

/** Sender (deposit/reserve) validation failures: they stop the stream, not just one orchestrator (§8.3 step 6). */
export const SENDER_VALIDATION_ERRORS: readonly string[] = Object.freeze([
  'deposit and reserve is set to unlock soon',
  'no sender reserve',
  'no sender deposit',
]);

/**
 * What the session manager does with a failed attempt:
 * - `non-retryable`: keep the orchestrator, stop retrying the segment (the input is at fault);
 * - `orchestrator-capped`: the orchestrator is full — drop it and try another;
 * - `ticket-params-expired`: refresh the OrchestratorInfo (new params/nonce space) and retry;
 * - `sender-validation`: our deposit/reserve is unusable — stop the stream;
 * - `retryable`: suspend the orchestrator and retry elsewhere.
 */
export type SegmentErrorClass = 'non-retryable' | 'orchestrator-capped' | 'ticket-params-expired' | 'sender-validation' | 'retryable';

function errorText(err: unknown): string {
  if (err instanceof Error) return err.message;
  if (typeof err === 'string') return err;
  return String(err);
}

/** Classifies a failed segment attempt by its error text (pure; exact matches where go-livepeer matches exactly). */
export function classifySegmentError(err: unknown): SegmentErrorClass {
  const text = errorText(err);
  if (NON_RETRYABLE_ERRORS.has(text) || text.startsWith(MAX_ATTEMPTS_PREFIX)) return 'non-retryable';
  // Transport failures never carry orchestrator text, whatever their cause says.
  if (err instanceof TransportError || err instanceof RenditionDownloadError) return 'retryable';
  if (SENDER_VALIDATION_ERRORS.some((s) => text.includes(s))) return 'sender-validation';
  if (text.includes('TicketParams expired') || text.includes('invalid ticket senderNonce')) return 'ticket-params-expired';
  if (text === 'OrchestratorCapped' || text.endsWith(': OrchestratorCapped') || text === 'insufficient capacity') return 'orchestrator-capped';
  return 'retryable';
}

/** `/segment` timeouts (§7.1): whole request max(8 s, 4 × dur), until headers max(2 s, 0.5 × dur); × multiplier when > 1. */
export function segmentTimeouts(durationMs: number, timeoutMultiplier = 1): { totalMs: number; headersMs: number } {
  if (!(durationMs >= 0) || !Number.isFinite(durationMs)) throw new RangeError(`invalid segment duration ${durationMs}`);
  const m = timeoutMultiplier > 1 ? timeoutMultiplier : 1;
  return {
    totalMs: Math.max(8000, 4 * durationMs) * m,
    headersMs: Math.max(2000, 0.5 * durationMs) * m,
  };
}

/** Go's LatencyScore: round trip / max(1.5 s, segment duration); ≤ 1 is good. */
export function latencyScore(latencyMs: number, durationMs: number): number {
  return latencyMs / Math.max(1500, durationMs);
}

/**
 * The `error_code` metric label of a failed `/segment` attempt (go-livepeer's segment_source_upload_failed labels).
 * Failures gw names itself carry their label; otherwise the label comes from the orchestrator's Go error text, the
 * only thing a peer tells us, with go-livepeer's well-known names picked out of it.
 */
export function segmentErrorLabel(err: unknown): string {
  if (err instanceof SegmentError && err.details.label) return err.details.label;
  const text = err instanceof Error ? err.message : String(err);
  for (const known of ['OrchestratorBusy', 'OrchestratorCapped']) if (text.includes(known)) return known;
  if (text.includes('Insufficient balance')) return 'InsufficientBalance';
  if (text.includes('TicketParams expired')) return 'TicketParamsExpired';
  return text.split(/[:\n]/)[0]!.slice(0, 40);
}
