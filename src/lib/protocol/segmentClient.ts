// POST <transcoder>/segment (§7.1, §7.3) and the rendition downloads that follow it (§7.4).
import { fromBinary } from '@bufbuild/protobuf';
import { RenditionDownloadError, SegmentError, TransportError, UNKNOWN_RESPONSE, latencyScore, segmentTimeouts } from './errors.js';
import { type OrchestratorInfo, type SegData, type TranscodeData, type TranscodeResult, TranscodeResultSchema } from './gen/net/lp_rpc_pb.js';
import { PAYMENT_HEADER, SEGMENT_HEADER, encodeSegDataHeader } from './headers.js';
import type { H2Pool } from './h2Pool.js';
import { wireRequest } from './httpTransport.js';
import { segmentUrl } from './orchestratorUri.js';

/** HTTP dial timeout for work requests. */
export const SEGMENT_DIAL_TIMEOUT_MS = 2000;
/** Rendition GET deadline. */
export const RENDITION_TIMEOUT_MS = 4000;
/** Largest segment or rendition accepted (go-livepeer's limit). */
export const MAX_SEGMENT_BYTES = 300_000_000;
/** Content type of segment bytes (MPEG-TS, and MP4 too). */
export const SEGMENT_CONTENT_TYPE = 'video/MP2T';
/**
 * PING checks while a /segment exchange or a rendition download is pending: an orchestrator that stopped (after
 * flushing its 200, mid transcode, or before serving a rendition) is given up within 1.5 s instead of the deadline
 * (8 s for a 2 s segment's request, 4 s per rendition), so even a hang fails over within one segment duration. A
 * second without a PING answer is far beyond any live HTTP/2 peer.
 */
export const SEGMENT_LIVENESS = { checkEveryMs: 500, answerWithinMs: 1000 } as const;
/** Content type when the body is the URL of an object already in a store. */
export const SEGMENT_URI_CONTENT_TYPE = 'application/vnd+livepeer.uri';

/** Inputs of one submission. */
export interface SubmitSegmentInput {
  /** The session's latest OrchestratorInfo (its `transcoder` is the work URL base). */
  info: OrchestratorInfo;
  /** Signed SegData (Livepeer-Segment), or its already encoded header value. */
  segData: SegData | string;
  /** Livepeer-Payment value (empty string off-chain). */
  payment: string;
  /** Segment bytes, or the UTF-8 URL of the segment when contentType is SEGMENT_URI_CONTENT_TYPE. */
  body: Uint8Array;
  /** Segment duration (drives the timeouts). */
  durationMs: number;
  timeoutMultiplier?: number;
  contentType?: string;
  signal?: AbortSignal;
  pool?: H2Pool;
}

/** One rendition as O reported it: segments[i] ↔ profile i. */
export interface RenditionRef {
  url: string;
  pixels: bigint;
}

/** A successful transcode. */
export interface SegmentReply {
  seq: bigint;
  result: TranscodeData;
  /** The fresh OrchestratorInfo from the reply (new ticket params; replaces the session's). */
  info: OrchestratorInfo | undefined;
  renditions: RenditionRef[];
  /** Start → body read. */
  latencyMs: number;
  /** latencyMs / max(1.5 s, duration). */
  latencyScore: number;
  /** Start → response headers (upload + O's checks). */
  uploadMs: number;
}

/** Submits a segment; throws SegmentError with go-livepeer's texts (see errors.ts) on any failure. */
export async function submitSegment(input: SubmitSegmentInput): Promise<SegmentReply> {
  const { totalMs, headersMs } = segmentTimeouts(input.durationMs, input.timeoutMultiplier);
  const start = performance.now();
  let res;
  try {
    res = await wireRequest(segmentUrl(input.info.transcoder), {
      method: 'POST',
      headers: {
        [SEGMENT_HEADER]: typeof input.segData === 'string' ? input.segData : encodeSegDataHeader(input.segData),
        [PAYMENT_HEADER]: input.payment,
        'content-type': input.contentType ?? SEGMENT_CONTENT_TYPE,
      },
      body: input.body,
      dialTimeoutMs: SEGMENT_DIAL_TIMEOUT_MS,
      headersTimeoutMs: headersMs,
      totalTimeoutMs: totalMs,
      maxBytes: MAX_SEGMENT_BYTES,
      signal: input.signal,
      pool: input.pool,
      liveness: SEGMENT_LIVENESS,
    });
  } catch (err) {
    if (err instanceof TransportError) {
      const spent = err.phase === 'body';
      throw new SegmentError(`${spent ? 'body' : 'header'} timeout: ${err.message}`, { paymentSpent: spent, label: spent ? 'BodyTimeout' : 'HeaderTimeout', cause: err });
    }
    throw new SegmentError(`header timeout: ${(err as Error).message}`, { paymentSpent: false, label: 'HeaderTimeout', cause: err });
  }
  const latencyMs = performance.now() - start;
  if (res.status !== 200) {
    throw new SegmentError(res.body.toString('utf8').trim(), { paymentSpent: true, status: res.status });
  }
  let tr: TranscodeResult;
  try {
    tr = fromBinary(TranscodeResultSchema, res.body);
  } catch (err) {
    throw new SegmentError((err as Error).message, { paymentSpent: true, status: 200, cause: err });
  }
  const r = tr.result;
  if (r.case === 'error') throw new SegmentError(r.value, { paymentSpent: true, status: 200, info: tr.info });
  if (r.case !== 'data') throw new SegmentError(UNKNOWN_RESPONSE, { paymentSpent: true, status: 200, info: tr.info });
  return {
    seq: tr.seq,
    result: r.value,
    info: tr.info,
    renditions: r.value.segments.map((s) => ({ url: s.url, pixels: s.pixels })),
    latencyMs,
    latencyScore: latencyScore(latencyMs, input.durationMs),
    uploadMs: res.headersMs,
  };
}

/** Options of a rendition download. */
export interface DownloadOptions {
  timeoutMs?: number;
  /** Per file. */
  maxBytes?: number;
  signal?: AbortSignal;
  pool?: H2Pool;
}

/** GETs all renditions in parallel; the first failure cancels the others and fails the whole download. */
export async function downloadRenditions(urls: readonly string[], opts: DownloadOptions = {}): Promise<Buffer[]> {
  const timeoutMs = opts.timeoutMs ?? RENDITION_TIMEOUT_MS;
  const ctrl = new AbortController();
  const onOuterAbort = (): void => ctrl.abort(opts.signal?.reason);
  if (opts.signal?.aborted) ctrl.abort(opts.signal.reason);
  else opts.signal?.addEventListener('abort', onOuterAbort, { once: true });
  try {
    return await Promise.all(
      urls.map(async (url, index) => {
        let target: URL;
        try {
          target = new URL(url);
        } catch {
          throw new RenditionDownloadError(`rendition ${index}: invalid URL ${JSON.stringify(url)}`, url, index);
        }
        try {
          const res = await wireRequest(target, {
            method: 'GET',
            dialTimeoutMs: SEGMENT_DIAL_TIMEOUT_MS,
            headersTimeoutMs: timeoutMs,
            totalTimeoutMs: timeoutMs,
            maxBytes: opts.maxBytes ?? MAX_SEGMENT_BYTES,
            signal: ctrl.signal,
            pool: opts.pool,
            liveness: SEGMENT_LIVENESS,
          });
          if (res.status !== 200) {
            const text = res.body.subarray(0, 200).toString('utf8').trim();
            throw new RenditionDownloadError(`rendition ${index}: HTTP ${res.status}${text ? ` ${text}` : ''}`, url, index);
          }
          return res.body;
        } catch (err) {
          ctrl.abort();
          if (err instanceof RenditionDownloadError) throw err;
          throw new RenditionDownloadError(`rendition ${index}: ${(err as Error).message}`, url, index, { cause: err });
        }
      }),
    );
  } finally {
    opts.signal?.removeEventListener('abort', onOuterAbort);
  }
}
