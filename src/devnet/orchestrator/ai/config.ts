// Configuration of the devnet orchestrator's AI side: which pipelines and models its devnet runners serve, warm or
// cold, with what capacity and price, plus the parsers for the `--ai-models` / `--ai-price` / `--byoc` flags.
import { parsePrice } from '../faults.js';

import { AI_PIPELINES, type AiPipeline } from '../../../lib/protocol/aiPipelines.js';

export { AI_PIPELINES, type AiPipeline };

/** runnerVersion every devnet model advertises. */
export const DEVNET_RUNNER_VERSION = 'devnet-0.1';

/** Price in wei per unit: pricePerUnit / pixelsPerUnit (AI units per pipeline, BYOC seconds). */
export interface UnitPrice {
  pricePerUnit: bigint;
  pixelsPerUnit: bigint;
}

export interface AiModelConfig {
  id: string;
  warm: boolean;
  /** Concurrent requests for this model (default 1). */
  capacity?: number;
}

export interface AiPipelineConfig {
  /** One of AI_PIPELINES. */
  pipeline: string;
  models: AiModelConfig[];
  /** Price per unit for every model of the pipeline; none = unpriced (go-livepeer then quotes the transcoding price). */
  price?: UnitPrice;
}

export interface DevnetAiOptions {
  pipelines: AiPipelineConfig[];
  /** Delay between streamed LLM tokens (default 20 ms), so clients see the stream arrive piece by piece. */
  llmTokenDelayMs?: number;
}

/** A BYOC capability served by a built-in devnet handler. */
export interface DevnetByocOptions {
  name: string;
  /** Price per second of compute: pricePerUnit / pixelsPerUnit (go-livepeer price_per_unit / price_scaling). */
  pricePerSecond: UnitPrice;
  capacity: number;
  /** 'echo' (default): the request back as JSON; 'sleep': sleeps `ms` from the JSON body. */
  handler?: 'echo' | 'sleep';
}

/** Default prices: about one to two 8 gwei tickets for a default-sized request of each pipeline. */
export const DEFAULT_AI_PRICES: Readonly<Record<AiPipeline, UnitPrice>> = {
  'text-to-image': { pricePerUnit: 50_000n, pixelsPerUnit: 1n },
  'image-to-image': { pricePerUnit: 50_000n, pixelsPerUnit: 1n },
  'image-to-video': { pricePerUnit: 1_000n, pixelsPerUnit: 1n },
  upscale: { pricePerUnit: 50_000n, pixelsPerUnit: 1n },
  'audio-to-text': { pricePerUnit: 1_000_000n, pixelsPerUnit: 1n },
  'segment-anything-2': { pricePerUnit: 50_000n, pixelsPerUnit: 1n },
  llm: { pricePerUnit: 50_000_000n, pixelsPerUnit: 1n },
  'image-to-text': { pricePerUnit: 50_000n, pixelsPerUnit: 1n },
  'text-to-speech': { pricePerUnit: 100_000n, pixelsPerUnit: 1n },
};

const DEFAULT_MODELS: Readonly<Record<AiPipeline, string>> = {
  'text-to-image': 'devnet/sd-tiny',
  'image-to-image': 'devnet/i2i-tiny',
  'image-to-video': 'devnet/svd-tiny',
  upscale: 'devnet/upscale-tiny',
  'audio-to-text': 'devnet/whisper-tiny',
  'segment-anything-2': 'devnet/sam2-tiny',
  llm: 'devnet/llm-tiny',
  'image-to-text': 'devnet/caption-tiny',
  'text-to-speech': 'devnet/tts-tiny',
};

/** Cold extras of the default set. */
const DEFAULT_COLD: Partial<Record<AiPipeline, string>> = {
  'text-to-image': 'devnet/sd-large',
  llm: 'devnet/llm-large',
};

/** All nine pipelines with one warm model each (capacity 1), a cold model for text-to-image and llm, default prices. */
export function defaultDevnetAi(): DevnetAiOptions {
  return {
    pipelines: AI_PIPELINES.map((pipeline) => {
      const cold = DEFAULT_COLD[pipeline];
      return {
        pipeline,
        models: [{ id: DEFAULT_MODELS[pipeline], warm: true, capacity: 1 }, ...(cold ? [{ id: cold, warm: false, capacity: 1 }] : [])],
        price: { ...DEFAULT_AI_PRICES[pipeline] },
      };
    }),
  };
}

/** Whether text names a devnet pipeline. */
export function isAiPipeline(text: string): text is AiPipeline {
  return (AI_PIPELINES as readonly string[]).includes(text);
}

function checkPipeline(name: string, flag: string): AiPipeline {
  if (!isAiPipeline(name)) throw new Error(`${flag}: unknown pipeline ${JSON.stringify(name)} (one of ${AI_PIPELINES.join(', ')})`);
  return name;
}

/**
 * `--ai-models`: "<pipeline>=warm:<model>[*capacity],cold:<model>;<pipeline>=…", e.g.
 * "text-to-image=warm:devnet/sd-tiny*2,cold:devnet/sd-large;llm=warm:devnet/llm-tiny".
 */
export function parseAiModels(text: string): AiPipelineConfig[] {
  const out: AiPipelineConfig[] = [];
  for (const part of text.split(';').map((s) => s.trim()).filter((s) => s !== '')) {
    const eq = part.indexOf('=');
    if (eq <= 0) throw new Error(`--ai-models: expected <pipeline>=warm:<model>,cold:<model>, got ${JSON.stringify(part)}`);
    const pipeline = checkPipeline(part.slice(0, eq).trim(), '--ai-models');
    if (out.some((p) => p.pipeline === pipeline)) throw new Error(`--ai-models: ${pipeline} given twice`);
    const models: AiModelConfig[] = [];
    for (const m of part.slice(eq + 1).split(',').map((s) => s.trim())) {
      const r = /^(warm|cold):([^*\s]+)(?:\*(\d+))?$/.exec(m);
      if (!r) throw new Error(`--ai-models: expected warm:<model>[*capacity] or cold:<model>[*capacity], got ${JSON.stringify(m)}`);
      const capacity = r[3] === undefined ? 1 : Number(r[3]);
      if (!Number.isSafeInteger(capacity) || capacity < 1 || capacity > 1000) throw new Error(`--ai-models: capacity of ${r[2]} must be 1–1000`);
      if (models.some((x) => x.id === r[2])) throw new Error(`--ai-models: model ${r[2]} given twice for ${pipeline}`);
      models.push({ id: r[2] as string, warm: r[1] === 'warm', capacity });
    }
    out.push({ pipeline, models, price: { ...DEFAULT_AI_PRICES[pipeline] } });
  }
  if (out.length === 0) throw new Error('--ai-models: no pipelines given');
  return out;
}

/** `--ai-price`: "<pipeline>=<pricePerUnit>[/<pixelsPerUnit>],…", e.g. "text-to-image=5/1,llm=1000". */
export function parseAiPrices(text: string): Map<AiPipeline, UnitPrice> {
  const out = new Map<AiPipeline, UnitPrice>();
  for (const part of text.split(',').map((s) => s.trim()).filter((s) => s !== '')) {
    const eq = part.indexOf('=');
    if (eq <= 0) throw new Error(`--ai-price: expected <pipeline>=<price>, got ${JSON.stringify(part)}`);
    const pipeline = checkPipeline(part.slice(0, eq).trim(), '--ai-price');
    try {
      out.set(pipeline, parsePrice(part.slice(eq + 1)));
    } catch (err) {
      throw new Error(`--ai-price ${pipeline}: ${(err as Error).message}`);
    }
  }
  return out;
}

/** The AI options the flags describe: --ai = default set; --ai-models adds/replaces pipelines; --ai-price sets prices. */
export function aiOptionsFromFlags(f: { ai?: boolean; models?: string; prices?: string }): DevnetAiOptions | undefined {
  if (!f.ai && f.models === undefined) {
    if (f.prices !== undefined) throw new Error('--ai-price needs --ai or --ai-models');
    return undefined;
  }
  const pipelines = f.ai ? defaultDevnetAi().pipelines : [];
  if (f.models !== undefined) {
    for (const p of parseAiModels(f.models)) {
      const i = pipelines.findIndex((x) => x.pipeline === p.pipeline);
      if (i >= 0) pipelines[i] = p;
      else pipelines.push(p);
    }
  }
  if (f.prices !== undefined) {
    for (const [pipeline, price] of parseAiPrices(f.prices)) {
      const p = pipelines.find((x) => x.pipeline === pipeline);
      if (!p) throw new Error(`--ai-price: ${pipeline} is not served (add it with --ai or --ai-models)`);
      p.price = price;
    }
  }
  return { pipelines };
}

/** `--byoc`: "<name>=<handler>,<price per second>,<capacity>;…", e.g. "devnet-echo=echo,1000/1,2". */
export function parseByoc(text: string): DevnetByocOptions[] {
  const out: DevnetByocOptions[] = [];
  for (const part of text.split(';').map((s) => s.trim()).filter((s) => s !== '')) {
    const r = /^([A-Za-z0-9._-]+)=(echo|sleep),([^,]+),(\d+)$/.exec(part);
    if (!r) throw new Error(`--byoc: expected <name>=<echo|sleep>,<price per second>,<capacity>, got ${JSON.stringify(part)}`);
    const capacity = Number(r[4]);
    if (capacity < 1 || capacity > 1000) throw new Error(`--byoc: capacity of ${r[1]} must be 1–1000`);
    if (out.some((b) => b.name === r[1])) throw new Error(`--byoc: ${r[1]} given twice`);
    out.push({ name: r[1] as string, handler: r[2] as 'echo' | 'sleep', pricePerSecond: parsePrice(r[3] as string), capacity });
  }
  return out;
}
