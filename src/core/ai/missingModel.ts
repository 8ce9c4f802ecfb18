// Why no orchestrator took an AI request, in words an app developer can act on: the pipeline and model asked for
// (and whether go-livepeer's default model was filled in), and which models the network serves for that pipeline.
import type { Logger } from '../logger.js';
import type { AiRequest } from './requests.js';

/** One model the network serves for a pipeline: on how many orchestrators it is warm and cold. */
export interface ServedModel {
  readonly modelId: string;
  readonly warm: number;
  readonly cold: number;
}

/** What was asked for when no orchestrator could take a request, and what the network serves instead. */
export interface MissingModel {
  readonly pipeline: string;
  readonly modelId: string;
  /** The request named no model: go-livepeer's default for the pipeline was filled in. */
  readonly modelDefaulted: boolean;
  /** Models of the pipeline the network serves; null when the network view could not be read. */
  readonly served: ServedModel[] | null;
}

/** How long the 503 waits for the network view (it polls orchestrators when its snapshot is stale). */
const SERVED_MODELS_TIMEOUT_MS = 4000;

/** What was asked for, and what the network serves for the pipeline (the lookup bounded in time, never failing). */
export async function missingModel(lookup: ((pipeline: string) => Promise<ServedModel[]>) | undefined, log: Pick<Logger, 'debug'>, req: Pick<AiRequest, 'pipeline' | 'modelId' | 'modelDefaulted'>): Promise<MissingModel> {
  let served: ServedModel[] | null = null;
  if (lookup) {
    let timer: NodeJS.Timeout | undefined;
    try {
      const timeout = new Promise<null>((resolve) => (timer = setTimeout(() => resolve(null), SERVED_MODELS_TIMEOUT_MS)));
      served = await Promise.race([lookup(req.pipeline), timeout]);
    } catch (err) {
      // the 503 stands on its own; the list only explains it
      log.debug({ err: (err as Error).message }, 'network view unavailable for the 503');
    } finally {
      clearTimeout(timer);
    }
  }
  return { pipeline: req.pipeline, modelId: req.modelId, modelDefaulted: req.modelDefaulted === true, served };
}

/** "devnet/sd-large (warm on 1, cold on 1)". */
export function servedText(m: ServedModel): string {
  const on = [m.warm > 0 ? `warm on ${m.warm}` : '', m.cold > 0 ? `cold on ${m.cold}` : ''].filter((s) => s !== '');
  return `${m.modelId} (${on.join(', ')})`;
}

/** "for text-to-image model X (the default, as the request named no model)": what was asked for. */
export function askedText(m: MissingModel): string {
  return `for ${m.pipeline} model ${m.modelId}${m.modelDefaulted ? ' (the default, as the request named no model)' : ''}`;
}

/** What the network serves for the pipeline, as a sentence (empty when the network view was not read). */
export function servedSentence(m: MissingModel): string {
  if (m.served === null) return '';
  if (m.served.length === 0) return `no reachable orchestrator serves ${m.pipeline}`;
  return `the network serves ${m.pipeline} models: ${m.served.map(servedText).join(', ')}`;
}

/** Per model of a pipeline, the orchestrators that have it warm and cold (from network offers). */
export function servedModels(offers: readonly { modelId: string; warm: boolean }[]): ServedModel[] {
  const by = new Map<string, { warm: number; cold: number }>();
  for (const o of offers) {
    const n = by.get(o.modelId) ?? { warm: 0, cold: 0 };
    if (o.warm) n.warm++;
    else n.cold++;
    by.set(o.modelId, n);
  }
  return [...by.entries()].map(([modelId, n]) => ({ modelId, ...n })).sort((a, b) => b.warm - a.warm || b.cold - a.cold || a.modelId.localeCompare(b.modelId));
}
