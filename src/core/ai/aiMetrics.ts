// go-livepeer's AI gateway metrics (monitor/census.go names), registered into the daemon's prom-client registry.
import { Counter, Gauge, type Registry } from 'prom-client';

/** Creates the AI metrics in `registry` (one set per registry). */
export function createAiMetrics(registry: Registry) {
  const r = [registry];
  return {
    modelsRequested: new Counter({ name: 'livepeer_ai_models_requested', help: 'AI models requested', labelNames: ['pipeline', 'model_name'], registers: r }),
    latencyScore: new Gauge({ name: 'livepeer_ai_request_latency_score', help: 'Latency score of the last AI request (seconds per unit)', labelNames: ['pipeline', 'model_name', 'orchestrator_uri'], registers: r }),
    requestPrice: new Gauge({ name: 'livepeer_ai_request_price', help: 'Price per unit of the last AI request (wei)', labelNames: ['pipeline', 'model_name', 'orchestrator_uri'], registers: r }),
    requestErrors: new Counter({ name: 'livepeer_ai_request_errors', help: 'AI request errors', labelNames: ['error_code', 'pipeline', 'model_name', 'orchestrator_uri'], registers: r }),
    pricePerCapability: new Gauge({ name: 'livepeer_price_per_capability', help: 'Max price per unit per pipeline/model (wei)', labelNames: ['pipeline', 'model_name'], registers: r }),
    byocJobs: new Counter({ name: 'gw_byoc_jobs_total', help: 'BYOC jobs by outcome', labelNames: ['capability', 'outcome'], registers: r }),
  };
}

export type AiMetrics = ReturnType<typeof createAiMetrics>;

/**
 * The errors-metric label of a failed attempt, read from the failure text an orchestrator sent back (go-livepeer
 * labels by the text's head too); gw's own final failures are labelled where they are made (aiProcess.ts).
 */
export function aiErrorCode(message: string): string {
  const m = message.toLowerCase();
  if (m.includes('no orchestrators available')) return 'no orchestrators available';
  if (m.includes('insufficient capacity')) return 'insufficient capacity';
  if (m.includes('insufficient balance')) return 'insufficient balance';
  if (m.includes('ticketparams expired')) return 'ticketparams expired';
  if (m.includes('timeout') || m.includes('within')) return 'timeout';
  return message.split(/[:\n]/)[0]!.slice(0, 40);
}
