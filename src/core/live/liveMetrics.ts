// go-livepeer's live AI metric names (live-ai.md §h), registered into the daemon's prom-client registry; the
// first-segment histogram gets buckets in milliseconds (go-livepeer's are in the wrong unit, §k.17).
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';

/** Creates the live AI metrics in `registry` (one set per registry). */
export function createLiveMetrics(registry: Registry, errors: Counter<'error_code' | 'pipeline' | 'model_name' | 'orchestrator_uri'>) {
  const r = [registry];
  return {
    attempts: new Counter({ name: 'livepeer_ai_live_attempt', help: 'Live AI stream starts', labelNames: ['model_name'], registers: r }),
    currentPipelines: new Gauge({ name: 'livepeer_ai_current_live_pipelines', help: 'Live AI streams running, per pipeline', labelNames: ['pipeline'], registers: r }),
    firstSegmentDelay: new Histogram({
      name: 'livepeer_ai_first_segment_delay_ms',
      help: 'First input segment sent to an orchestrator → its first output segment back (ms)',
      labelNames: ['orchestrator_uri', 'orchestrator_address'],
      buckets: [100, 250, 500, 1000, 1500, 2000, 3000, 5000, 10_000, 30_000],
      registers: r,
    }),
    swaps: new Counter({ name: 'gw_live_swaps_total', help: 'Live AI orchestrator swaps, by reason', labelNames: ['reason'], registers: r }),
    /** livepeer_ai_request_errors, shared with the batch AI API (pipeline `live-video-to-video`). */
    errors,
  };
}

export type LiveMetrics = ReturnType<typeof createLiveMetrics>;
