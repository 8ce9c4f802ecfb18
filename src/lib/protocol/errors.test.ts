import { describe, expect, it } from 'vitest';
import {
  NON_RETRYABLE_ERRORS,
  OrchestratorError,
  RenditionDownloadError,
  SegmentError,
  TransportError,
  classifySegmentError,
  latencyScore,
  segmentTimeouts,
} from './errors.js';

describe('classifySegmentError', () => {
  it('treats exactly the lpms NonRetryableErrs as non-retryable', () => {
    expect(NON_RETRYABLE_ERRORS.size).toBe(19);
    for (const text of NON_RETRYABLE_ERRORS) {
      expect(classifySegmentError(new SegmentError(text, { paymentSpent: true }))).toBe('non-retryable');
    }
    // Exact match only: wrapped or re-cased texts are ordinary failures.
    expect(classifySegmentError('error: Invalid argument')).toBe('retryable');
    expect(classifySegmentError('invalid argument')).toBe('retryable');
    expect(classifySegmentError('TranscoderInvalidVideo ')).toBe('retryable');
  });

  it('treats the max-attempts wrapper as non-retryable', () => {
    expect(classifySegmentError(new Error('hit max transcode attempts: OrchestratorBusy'))).toBe('non-retryable');
  });

  it('recognises capacity refusals', () => {
    expect(classifySegmentError(new SegmentError('OrchestratorCapped', { paymentSpent: true, status: 403 }))).toBe('orchestrator-capped');
    expect(classifySegmentError(new OrchestratorError('OrchestratorCapped', 2))).toBe('orchestrator-capped');
    expect(classifySegmentError('insufficient capacity')).toBe('orchestrator-capped');
    expect(classifySegmentError('OrchestratorBusy')).toBe('retryable');
  });

  it('asks for fresh ticket params on expiry and nonce errors', () => {
    expect(classifySegmentError('TicketParams expired')).toBe('ticket-params-expired');
    expect(classifySegmentError('invalid ticket senderNonce: already seen senderNonce=3')).toBe('ticket-params-expired');
  });

  it('stops the stream on deposit/reserve errors', () => {
    expect(classifySegmentError('unable to validate sender: deposit and reserve is set to unlock soon')).toBe('sender-validation');
    expect(classifySegmentError('no sender reserve')).toBe('sender-validation');
    expect(classifySegmentError('no sender deposit')).toBe('sender-validation');
    // O's own face-value capping is about one orchestrator, not our funds.
    expect(classifySegmentError('insufficient sender reserve')).toBe('retryable');
  });

  it('retries everything else', () => {
    for (const text of ['Insufficient balance', 'OrchestratorBusy', 'UnknownResponse', 'MediaStats Failure', 'Forbidden', 'invalid auth token', 'header timeout: x', 'body timeout: y']) {
      expect(classifySegmentError(text)).toBe('retryable');
    }
    expect(classifySegmentError(new TransportError('no sender deposit', 'dial', 'refused'))).toBe('retryable');
    expect(classifySegmentError(new RenditionDownloadError('rendition 0: HTTP 404', 'https://x/y', 0))).toBe('retryable');
    expect(classifySegmentError(42)).toBe('retryable');
  });
});

describe('segmentTimeouts', () => {
  it('uses the floors for short segments', () => {
    expect(segmentTimeouts(2000)).toEqual({ totalMs: 8000, headersMs: 2000 });
    expect(segmentTimeouts(0)).toEqual({ totalMs: 8000, headersMs: 2000 });
  });
  it('scales with the duration above the floors', () => {
    expect(segmentTimeouts(10_000)).toEqual({ totalMs: 40_000, headersMs: 5000 });
    expect(segmentTimeouts(4000)).toEqual({ totalMs: 16_000, headersMs: 2000 });
    expect(segmentTimeouts(6000)).toEqual({ totalMs: 24_000, headersMs: 3000 });
  });
  it('applies a multiplier only when > 1', () => {
    expect(segmentTimeouts(2000, 3)).toEqual({ totalMs: 24_000, headersMs: 6000 });
    expect(segmentTimeouts(2000, 0.5)).toEqual({ totalMs: 8000, headersMs: 2000 });
    expect(segmentTimeouts(10_000, 1.5)).toEqual({ totalMs: 60_000, headersMs: 7500 });
  });
  it('rejects nonsense durations', () => {
    expect(() => segmentTimeouts(-1)).toThrow(RangeError);
    expect(() => segmentTimeouts(Number.NaN)).toThrow(RangeError);
  });
});

describe('latencyScore', () => {
  it('divides by max(1.5 s, duration)', () => {
    expect(latencyScore(1500, 1000)).toBe(1);
    expect(latencyScore(1000, 2000)).toBe(0.5);
  });
});
