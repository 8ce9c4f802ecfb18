import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { RejectReason } from '../../api/events.js';
import { AI_PIPELINES } from '../../lib/protocol/aiPipelines.js';
import { SuccessRateWindow } from './successRate.js';

// Fault counters get a zero series for every label set known before the first fault (below): a dashboard panel
// over a counter that never moved would otherwise say "No data" instead of 0, and an alert could not tell "no
// errors" from "not scraped". Codes go-livepeer uses and gw labels with; the orchestrator label is left out.
const UPLOAD_ERROR_CODES = ['OrchestratorBusy', 'OrchestratorCapped'];
const TRANSCODE_ERROR_CODES = ['NoOrchestrators', 'MaxAttempts', 'OrchestratorBusy', 'OrchestratorCapped'];
const DISCOVERY_ERROR_CODES = ['unreachable', 'price too high', 'incompatible', 'bad ticket params', 'blocklisted', 'error'] satisfies RejectReason[];
/** Sender states of the TicketBroker account (lib/chain/senderState.ts), one `gw_sender_state` series each. */
const SENDER_STATES = ['Empty', 'Locked', 'Unlocking', 'Unlocked'];
/** go-livepeer's real-time counters (monitor/census.go) by the lowest ratio (segment duration ÷ time to transcode) each counts. */
const REALTIME_COUNTERS: ReadonlyArray<readonly [number, string, string]> = [
  [3, '3x', '3x real time or faster'],
  [2, '2x', '2x to 3x real time'],
  [1, '1x', '1x to 2x real time'],
  [0.5, 'half', 'half to 1x real time'],
  [0, 'slow', 'slower than half real time'],
];

/**
 * Every metric the daemon exports, declared in one typed factory. Names and labels follow go-livepeer's
 * `monitor/census.go` (namespace `livepeer_`, ETH values in gwei) so the livepeer-monitoring Grafana dashboards
 * work unchanged; gw-only metrics live under `gw_`. Modules take `Metrics | null` so unit tests can pass null.
 */
export function createMetrics(opts: { nodeId: string }) {
  const registry = new Registry();
  registry.setDefaultLabels({ node_id: opts.nodeId, node_type: 'bctr' });
  collectDefaultMetrics({ register: registry });
  const r = [registry];
  const latencyBuckets = [0.1, 0.25, 0.5, 0.75, 1, 1.5, 2, 3, 4, 5, 7.5, 10];
  // Registered at the first segment outcome: an idle gateway has no success rate (not a rate of 0).
  const successRate = new Gauge({ name: 'livepeer_success_rate', help: 'Transcoded / source segments over the last 30 outcomes', registers: [] });
  const outcomes = new SuccessRateWindow();
  const realtimeRatio = new Histogram({
    name: 'livepeer_http_client_segment_transcoded_realtime_ratio',
    help: 'Source segment duration / time from its arrival to all renditions (HTTP push and RTMP)',
    buckets: [0.5, 1, 2, 3, 5, 10, 50, 100],
    registers: r,
  });
  const realtimeCounts = REALTIME_COUNTERS.map(([min, name, what]) => ({
    min,
    counter: new Counter({ name: `livepeer_http_client_segment_transcoded_realtime_${name}`, help: `Segments transcoded ${what}`, registers: r }),
  }));
  const ticketsSent = new Counter({ name: 'livepeer_tickets_sent', help: 'Tickets sent (video, AI and live AI)', registers: r });
  const ticketValueSent = new Counter({ name: 'livepeer_ticket_value_sent', help: 'Expected value of tickets sent (gwei)', registers: r });
  const gwEvSpentWei = new Counter({ name: 'gw_ev_spent_wei_total', help: 'Expected value of tickets sent (wei)', registers: r });
  const faceValueSent = new Counter({ name: 'gw_ticket_face_value_sent_wei_total', help: 'Face value of tickets sent (wei): what winning tickets would draw from the deposit', registers: r });
  const redeemed = new Counter({ name: 'gw_winning_tickets_redeemed_total', help: "This gateway's winning tickets redeemed on chain (TicketBroker WinningTicketRedeemed)", registers: r });
  const redeemedWei = new Counter({ name: 'gw_winning_tickets_redeemed_wei_total', help: "Face value of this gateway's winning tickets redeemed on chain (wei)", registers: r });
  const senderState = new Gauge({ name: 'gw_sender_state', help: 'TicketBroker sender state of the gateway account: 1 for the current state (on-chain only)', labelNames: ['state'], registers: [] });
  const m = {
    registry,
    streamCreated: new Counter({ name: 'livepeer_stream_created_total', help: 'Streams created', registers: r }),
    streamStarted: new Counter({ name: 'livepeer_stream_started_total', help: 'Streams started', registers: r }),
    streamEnded: new Counter({ name: 'livepeer_stream_ended_total', help: 'Streams ended', registers: r }),
    currentSessions: new Gauge({ name: 'livepeer_current_sessions_total', help: 'Streams being transcoded', registers: r }),
    maxSessions: new Gauge({ name: 'livepeer_max_sessions_total', help: 'Max concurrent streams', registers: r }),
    sourceAppeared: new Counter({ name: 'livepeer_segment_source_appeared_total', help: 'Source segments added to the stream playlist (seg_type: rtmp or http-push)', labelNames: ['profile', 'seg_type'], registers: r }),
    sourceEmerged: new Counter({ name: 'livepeer_segment_source_emerged_total', help: 'Source segments emerged from the segmenter', registers: r }),
    sourceEmergedUnprocessed: new Counter({ name: 'livepeer_segment_source_emerged_unprocessed_total', help: 'Raw count of emerged segments', registers: r }),
    sourceUploaded: new Counter({ name: 'livepeer_segment_source_uploaded_total', help: 'Segments uploaded to an orchestrator', labelNames: ['orchestrator_uri'], registers: r }),
    sourceUploadFailed: new Counter({ name: 'livepeer_segment_source_upload_failed_total', help: 'Segment uploads that failed', labelNames: ['error_code', 'orchestrator_uri'], registers: r }),
    transcodedDownloaded: new Counter({ name: 'livepeer_segment_transcoded_downloaded_total', help: 'Transcoded segments downloaded', registers: r }),
    transcoded: new Counter({ name: 'livepeer_segment_transcoded_total', help: 'Segments transcoded', labelNames: ['profiles', 'trusted', 'verified'], registers: r }),
    transcodedUnprocessed: new Counter({ name: 'livepeer_segment_transcoded_unprocessed_total', help: 'Per-orchestrator transcode successes', labelNames: ['profiles', 'orchestrator_uri'], registers: r }),
    transcodeFailed: new Counter({ name: 'livepeer_segment_transcode_failed_total', help: 'Segments that failed to transcode', labelNames: ['error_code'], registers: r }),
    transcodedAllAppeared: new Counter({ name: 'livepeer_segment_transcoded_all_appeared_total', help: 'Segments with all renditions present', labelNames: ['profiles'], registers: r }),
    successRate,
    /** One source segment finished (transcoded or failed for good): updates livepeer_success_rate. */
    recordSegmentOutcome(transcoded: boolean): void {
      if (!registry.getSingleMetric('livepeer_success_rate')) registry.registerMetric(successRate);
      successRate.set(outcomes.record(transcoded));
    },
    overallLatency: new Histogram({ name: 'livepeer_transcode_overall_latency_seconds', help: 'Segment emerged to all renditions downloaded', labelNames: ['profiles', 'orchestrator_uri'], buckets: latencyBuckets, registers: r }),
    uploadTime: new Histogram({ name: 'livepeer_upload_time_seconds', help: 'Segment upload + transcode round trip', labelNames: ['orchestrator_uri'], buckets: latencyBuckets, registers: r }),
    downloadTime: new Histogram({ name: 'livepeer_download_time_seconds', help: 'Rendition download time', buckets: latencyBuckets, registers: r }),
    sourceDuration: new Histogram({ name: 'livepeer_source_segment_duration_seconds', help: 'Source segment durations', buckets: [0.5, 1, 1.5, 2, 2.5, 3, 4, 6, 10], registers: r }),
    transcodeRetried: new Counter({ name: 'livepeer_transcode_retried', help: 'Segment transcode retries', labelNames: ['try'], registers: r }),
    orchestratorSwaps: new Counter({ name: 'livepeer_orchestrator_swaps', help: 'Orchestrators removed or swapped mid-stream', registers: r }),
    discoveryErrors: new Counter({ name: 'livepeer_discovery_errors_total', help: 'GetOrchestrator errors', labelNames: ['error_code', 'orchestrator_uri'], registers: r }),
    ticketValueSent,
    ticketsSent,
    paymentCreateErrors: new Counter({ name: 'livepeer_payment_create_errors', help: 'Payment creation errors', registers: r }),
    gatewayDeposit: new Gauge({ name: 'livepeer_gateway_deposit', help: 'TicketBroker deposit (gwei)', labelNames: ['sender'], registers: r }),
    gatewayReserve: new Gauge({ name: 'livepeer_gateway_reserve', help: 'TicketBroker reserve (gwei)', labelNames: ['sender'], registers: r }),
    transcodingPrice: new Gauge({ name: 'livepeer_transcoding_price', help: 'Max price per pixel (wei)', labelNames: ['sender'], registers: r }),
    milPixelsProcessed: new Counter({ name: 'livepeer_mil_pixels_processed', help: 'Million pixels transcoded', registers: r }),
    gwOrchestrators: new Gauge({ name: 'gw_orchestrators', help: 'Orchestrators known to gw by state', labelNames: ['state'], registers: r }),
    gwEvents: new Counter({ name: 'gw_events_total', help: 'Daemon events published', labelNames: ['type'], registers: r }),
    objectStoreUploads: new Counter({ name: 'gw_object_store_uploads_total', help: 'Objects uploaded to the object or record store', labelNames: ['store'], registers: r }),
    objectStoreFailures: new Counter({ name: 'gw_object_store_upload_failures_total', help: 'Object-store uploads that failed (every failed try, retried or not)', labelNames: ['store'], registers: r }),
    objectStoreDropped: new Counter({ name: 'gw_object_store_dropped_total', help: 'Live segments dropped unuploaded because the upload queue was full', labelNames: ['store'], registers: r }),
    objectStoreQueueDepth: new Gauge({ name: 'gw_object_store_queue_depth', help: 'Uploads waiting or running', labelNames: ['store'], registers: r }),
    gwSegmentLatency: new Histogram({ name: 'gw_segment_latency_seconds', help: 'Segment round trip through gw per orchestrator', labelNames: ['orchestrator_uri'], buckets: latencyBuckets, registers: r }),
    gwEvSpentWei,
    /** One batch of tickets sent (any job kind): tickets, EV and face value. */
    recordTickets(count: number, evWei: bigint, faceValueWei: bigint): void {
      ticketsSent.inc(count);
      ticketValueSent.inc(weiToGweiFloat(evWei));
      gwEvSpentWei.inc(Number(evWei));
      faceValueSent.inc(Number(faceValueWei * BigInt(count)));
    },
    /** One source segment transcoded: livepeer_http_client_segment_transcoded_realtime_*. */
    recordRealtime(durationMs: number, elapsedMs: number): void {
      const ratio = durationMs / Math.max(elapsedMs, 1);
      realtimeRatio.observe(ratio);
      (realtimeCounts.find((c) => ratio >= c.min) ?? realtimeCounts.at(-1)!).counter.inc();
    },
    /** One of the gateway's winning tickets was redeemed on chain. */
    recordRedeemed(faceValueWei: bigint): void {
      redeemed.inc();
      redeemedWei.inc(Number(faceValueWei));
    },
    /** The TicketBroker sender state (registered at the first one: off-chain gateways have none). */
    setSenderState(state: string): void {
      if (!registry.getSingleMetric('gw_sender_state')) registry.registerMetric(senderState);
      for (const s of new Set([...SENDER_STATES, state])) senderState.set({ state: s }, s === state ? 1 : 0);
    },
  };
  for (const code of UPLOAD_ERROR_CODES) m.sourceUploadFailed.inc({ error_code: code }, 0);
  for (const code of TRANSCODE_ERROR_CODES) m.transcodeFailed.inc({ error_code: code }, 0);
  for (const code of DISCOVERY_ERROR_CODES) m.discoveryErrors.inc({ error_code: code }, 0);
  for (const store of ['object', 'record']) {
    m.objectStoreFailures.inc({ store }, 0);
    m.objectStoreDropped.inc({ store }, 0);
  }
  // Any retry is a second try first.
  m.transcodeRetried.inc({ try: '2' }, 0);
  return m;
}

/**
 * Zero series for the fault counters of the AI and live AI metrics (created by their modules in the same registry),
 * like createMetrics does for its own: "no orchestrators available" per pipeline, and live orchestrator swaps.
 */
export function zeroAiFaultSeries(registry: Registry): void {
  const errors = registry.getSingleMetric('livepeer_ai_request_errors');
  if (errors instanceof Counter) for (const pipeline of [...AI_PIPELINES, 'live-video-to-video']) errors.inc({ error_code: 'no orchestrators available', pipeline }, 0);
  const swaps = registry.getSingleMetric('gw_live_swaps_total');
  // The reasons are the watchdogs' texts, unknown here: one unlabelled series carries the zero.
  if (swaps instanceof Counter) swaps.inc(0);
}

export type Metrics = ReturnType<typeof createMetrics>;

/** wei → gwei as a float for Prometheus (display only; never used for accounting). */
export function weiToGweiFloat(wei: bigint): number {
  return Number(wei / 1_000_000n) / 1000;
}
