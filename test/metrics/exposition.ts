import { expect } from 'vitest';
import type { MetricFamily, MetricType } from './promText.js';

/** go-livepeer metric names (monitor/census.go) the issue names, with their Prometheus types. */
export const LIVEPEER: Record<string, MetricType> = {
  livepeer_success_rate: 'gauge',
  livepeer_transcode_overall_latency_seconds: 'histogram',
  livepeer_segment_source_appeared_total: 'counter',
  livepeer_segment_source_emerged_total: 'counter',
  livepeer_segment_source_emerged_unprocessed_total: 'counter',
  livepeer_segment_source_uploaded_total: 'counter',
  livepeer_segment_source_upload_failed_total: 'counter',
  livepeer_segment_transcode_failed_total: 'counter',
  livepeer_orchestrator_swaps: 'counter',
  livepeer_discovery_errors_total: 'counter',
  livepeer_ticket_value_sent: 'counter',
  livepeer_tickets_sent: 'counter',
  livepeer_gateway_deposit: 'gauge',
  livepeer_gateway_reserve: 'gauge',
  livepeer_current_sessions_total: 'gauge',
  livepeer_max_sessions_total: 'gauge',
  livepeer_stream_created_total: 'counter',
  livepeer_stream_started_total: 'counter',
  livepeer_stream_ended_total: 'counter',
  livepeer_segment_transcoded_total: 'counter',
  livepeer_transcode_retried: 'counter',
  livepeer_upload_time_seconds: 'histogram',
  livepeer_download_time_seconds: 'histogram',
  livepeer_source_segment_duration_seconds: 'histogram',
};

/** Every family has HELP and TYPE; every livepeer_/gw_ sample carries go-livepeer's base labels. */
export function checkExposition(families: Map<string, MetricFamily>, opts: { skip?: readonly string[] } = {}): void {
  for (const [name, type] of Object.entries(LIVEPEER)) {
    if (opts.skip?.includes(name)) continue;
    const f = families.get(name);
    expect(f, `${name} is exported`).toBeDefined();
    expect(f!.type, `${name} type`).toBe(type);
    expect(f!.help, `${name} HELP`).toMatch(/\S/);
  }
  for (const f of families.values()) {
    expect(f.help, `${f.name} HELP`).toBeDefined();
    if (!/^(livepeer|gw)_/.test(f.name)) continue;
    for (const s of f.samples) expect(s.labels, s.name).toEqual(expect.objectContaining({ node_id: expect.any(String), node_type: 'bctr' }));
  }
}

