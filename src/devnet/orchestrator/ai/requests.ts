// AI request bodies as the devnet runners accept them: field validation in the ai-runner's spirit (types, ranges,
// required fields — a ValidationError names the field) and the billing units O debits (go-livepeer ai_http.go).
import { type AiPipeline } from './config.js';
import { type ImageInfo, imageInfo } from './media.js';
import type { FormData, FormFile } from './multipart.js';

/** A request field the runner would reject. */
export class ValidationError extends Error {
  constructor(
    readonly field: string,
    problem: string,
  ) {
    super(`${field}: ${problem}`);
  }
}

/** A parsed body: JSON object (text-to-image, llm, text-to-speech) or form (the others). */
export type AiBody = { kind: 'json'; value: Record<string, unknown> } | { kind: 'form'; value: FormData };

/** An uploaded image with its decoded header. */
export interface ImageInput {
  file: FormFile;
  info: ImageInfo;
}

export interface ChatMessage {
  role: string;
  content: string;
}

/** A validated request. */
export type AiRequest =
  | { pipeline: 'text-to-image'; modelId: string; prompt: string; width: number; height: number; numImages: number; seed: number }
  | { pipeline: 'image-to-image'; modelId: string; prompt: string; image: ImageInput; numImages: number; strength: number; seed: number }
  | { pipeline: 'image-to-video'; modelId: string; image: ImageInput; width: number; height: number; fps: number; seed: number }
  | { pipeline: 'upscale'; modelId: string; prompt: string; image: ImageInput; seed: number }
  | { pipeline: 'audio-to-text'; modelId: string; audio: FormFile; returnTimestamps: boolean }
  | { pipeline: 'segment-anything-2'; modelId: string; image: ImageInput; points: number[][]; box?: number[]; multimask: boolean; returnLogits: boolean }
  | { pipeline: 'llm'; modelId: string; messages: ChatMessage[]; maxTokens?: number; temperature: number; stream: boolean }
  | { pipeline: 'image-to-text'; modelId: string; prompt: string; image: ImageInput }
  | { pipeline: 'text-to-speech'; modelId: string; text: string; description: string };

/** Largest generated image side. */
const MAX_SIDE = 2048;
/** Largest image-to-video frame side (CPU encoding). */
const MAX_VIDEO_SIDE = 1024;
/** Largest upscale input side (the output is twice as big). */
const MAX_UPSCALE_SIDE = 1024;
const MAX_TEXT = 10_000;

/** Typed access to JSON values or form strings, with the runner's type rules. */
class Fields {
  constructor(private readonly body: AiBody) {}

  private raw(name: string): unknown {
    const v = this.body.kind === 'json' ? (Object.hasOwn(this.body.value, name) ? this.body.value[name] : undefined) : this.body.value.fields.get(name);
    return v === null ? undefined : v;
  }

  str(name: string, opts: { required?: boolean; max?: number } = {}): string | undefined {
    const v = this.raw(name);
    if (v === undefined) {
      if (opts.required) throw new ValidationError(name, 'field required');
      return undefined;
    }
    if (typeof v !== 'string') throw new ValidationError(name, 'must be a string');
    if (opts.required && v.trim() === '') throw new ValidationError(name, 'must not be empty');
    if (v.length > (opts.max ?? MAX_TEXT)) throw new ValidationError(name, `must be at most ${opts.max ?? MAX_TEXT} characters`);
    return v;
  }

  num(name: string, opts: { integer?: boolean; min?: number; max?: number } = {}): number | undefined {
    let v = this.raw(name);
    if (v === undefined) return undefined;
    if (typeof v === 'string' && this.body.kind === 'form') v = v.trim() === '' ? Number.NaN : Number(v);
    if (typeof v !== 'number' || !Number.isFinite(v)) throw new ValidationError(name, `must be a ${opts.integer ? 'integer' : 'number'}`);
    if (opts.integer && !Number.isSafeInteger(v)) throw new ValidationError(name, 'must be an integer');
    if (opts.min !== undefined && v < opts.min) throw new ValidationError(name, `must be ≥ ${opts.min}`);
    if (opts.max !== undefined && v > opts.max) throw new ValidationError(name, `must be ≤ ${opts.max}`);
    return v;
  }

  int(name: string, min: number, max: number): number | undefined {
    return this.num(name, { integer: true, min, max });
  }

  bool(name: string, fallback: boolean): boolean {
    const v = this.raw(name);
    if (v === undefined) return fallback;
    if (typeof v === 'boolean') return v;
    if (typeof v === 'string' && this.body.kind === 'form') {
      const s = v.trim().toLowerCase();
      if (['true', '1', 'yes', 'on'].includes(s)) return true;
      if (['false', '0', 'no', 'off'].includes(s)) return false;
    }
    throw new ValidationError(name, 'must be a boolean');
  }

  file(name: string): FormFile {
    const f = this.body.kind === 'form' ? this.body.value.files.get(name) : undefined;
    if (!f || f.data.length === 0) throw new ValidationError(name, 'file required');
    return f;
  }

  image(name: string, maxSide = Number.MAX_SAFE_INTEGER): ImageInput {
    const file = this.file(name);
    let info: ImageInfo;
    try {
      info = imageInfo(file.data);
    } catch (err) {
      throw new ValidationError(name, (err as Error).message);
    }
    if (info.width > maxSide || info.height > maxSide) throw new ValidationError(name, `image sides must be at most ${maxSide} pixels`);
    return { file, info };
  }

  /** A JSON list in a form string ("[[10, 20]]"), as the runner parses point_coords/box. */
  list(name: string): unknown[] | undefined {
    const s = this.str(name);
    if (s === undefined || s.trim() === '') return undefined;
    try {
      const v: unknown = JSON.parse(s);
      if (Array.isArray(v)) return v;
    } catch {
      // reported below
    }
    throw new ValidationError(name, 'must be a JSON list');
  }
}

/** The model a request names (llm: `model`, else `model_id`); undefined when absent or not a string. */
export function requestModelId(pipeline: AiPipeline, body: AiBody): string | undefined {
  const key = pipeline === 'llm' ? 'model' : 'model_id';
  const v = body.kind === 'json' ? body.value[key] : body.value.fields.get(key);
  return typeof v === 'string' && v !== '' ? v : undefined;
}

function side(f: Fields, name: string, fallback: number, max: number): number {
  const v = f.int(name, 8, max) ?? fallback;
  if (v % 8 !== 0) throw new ValidationError(name, 'must be divisible by 8');
  return v;
}

const seedOf = (f: Fields): number => f.int('seed', 0, 2 ** 32 - 1) ?? 42;

function messages(f: Fields, body: AiBody): ChatMessage[] {
  const v = body.kind === 'json' ? body.value.messages : undefined;
  if (v === undefined || v === null) throw new ValidationError('messages', 'field required');
  if (!Array.isArray(v) || v.length === 0) throw new ValidationError('messages', 'must be a non-empty list');
  return v.map((m, i) => {
    const r = m as { role?: unknown; content?: unknown } | null;
    if (!r || typeof r !== 'object' || typeof r.role !== 'string' || typeof r.content !== 'string') {
      throw new ValidationError(`messages[${i}]`, 'must be {role: string, content: string}');
    }
    if (!['system', 'user', 'assistant'].includes(r.role)) throw new ValidationError(`messages[${i}].role`, 'must be system, user or assistant');
    return { role: r.role, content: r.content };
  });
}

function points(f: Fields): number[][] {
  const coords = f.list('point_coords') ?? [];
  const pts = coords.map((p) => {
    if (!Array.isArray(p) || p.length !== 2 || !p.every((x) => typeof x === 'number' && Number.isFinite(x))) throw new ValidationError('point_coords', 'must be a list of [x, y] pairs');
    return p as number[];
  });
  const labels = f.list('point_labels');
  if (labels && labels.length !== pts.length) throw new ValidationError('point_labels', 'must have one label per point');
  return pts;
}

/** Validates a body for a pipeline; throws ValidationError naming the first bad field. */
export function validateRequest(pipeline: AiPipeline, modelId: string, body: AiBody): AiRequest {
  const f = new Fields(body);
  if ((pipeline === 'text-to-image' || pipeline === 'llm' || pipeline === 'text-to-speech') !== (body.kind === 'json')) {
    throw new ValidationError('body', body.kind === 'json' ? 'must be multipart/form-data' : 'must be JSON');
  }
  switch (pipeline) {
    case 'text-to-image': {
      const prompt = f.str('prompt', { required: true }) as string;
      f.str('negative_prompt');
      f.num('guidance_scale', { min: 0, max: 100 });
      f.int('num_inference_steps', 1, 1000);
      f.bool('safety_check', true);
      f.str('loras');
      const height = side(f, 'height', 512, MAX_SIDE);
      const width = side(f, 'width', 512, MAX_SIDE);
      return { pipeline, modelId, prompt, width, height, numImages: f.int('num_images_per_prompt', 1, 4) ?? 1, seed: seedOf(f) };
    }
    case 'image-to-image': {
      const image = f.image('image', MAX_SIDE);
      const prompt = f.str('prompt', { required: true }) as string;
      f.num('guidance_scale', { min: 0, max: 100 });
      f.num('image_guidance_scale', { min: 0, max: 100 });
      f.str('negative_prompt');
      f.bool('safety_check', true);
      f.int('num_inference_steps', 1, 1000);
      f.str('loras');
      const strength = f.num('strength', { min: 0, max: 1 }) ?? 0.8;
      return { pipeline, modelId, prompt, image, numImages: f.int('num_images_per_prompt', 1, 4) ?? 1, strength, seed: seedOf(f) };
    }
    case 'image-to-video': {
      const image = f.image('image', MAX_SIDE);
      const height = side(f, 'height', 576, MAX_VIDEO_SIDE);
      const width = side(f, 'width', 1024, MAX_VIDEO_SIDE);
      f.int('motion_bucket_id', 0, 1023);
      f.num('noise_aug_strength', { min: 0, max: 1 });
      f.bool('safety_check', true);
      f.int('num_inference_steps', 1, 1000);
      return { pipeline, modelId, image, width, height, fps: f.int('fps', 1, 60) ?? 6, seed: seedOf(f) };
    }
    case 'upscale': {
      const image = f.image('image', MAX_UPSCALE_SIDE);
      const prompt = f.str('prompt', { required: true }) as string;
      f.bool('safety_check', true);
      f.int('num_inference_steps', 1, 1000);
      return { pipeline, modelId, prompt, image, seed: seedOf(f) };
    }
    case 'audio-to-text': {
      const audio = f.file('audio');
      const ts = (f.str('return_timestamps') ?? 'true').trim().toLowerCase();
      if (!['true', 'false', 'word'].includes(ts)) throw new ValidationError('return_timestamps', 'must be true, false or word');
      const meta = f.str('metadata');
      if (meta !== undefined && meta.trim() !== '') {
        try {
          JSON.parse(meta);
        } catch {
          throw new ValidationError('metadata', 'must be a JSON object');
        }
      }
      return { pipeline, modelId, audio, returnTimestamps: ts !== 'false' };
    }
    case 'segment-anything-2': {
      const image = f.image('image', MAX_SIDE);
      const pts = points(f);
      const box = f.list('box');
      if (box && (box.length !== 4 || !box.every((x) => typeof x === 'number'))) throw new ValidationError('box', 'must be [x1, y1, x2, y2]');
      f.list('mask_input');
      f.bool('normalize_coords', true);
      return {
        pipeline,
        modelId,
        image,
        points: pts,
        ...(box ? { box: box as number[] } : {}),
        multimask: f.bool('multimask_output', true),
        returnLogits: f.bool('return_logits', true),
      };
    }
    case 'llm': {
      const msgs = messages(f, body);
      const maxTokens = f.int('max_tokens', 1, 8192);
      f.num('top_p', { min: 0, max: 1 });
      f.int('top_k', -1, 1000);
      const temperature = f.num('temperature', { min: 0, max: 2 }) ?? 0.7;
      return { pipeline, modelId, messages: msgs, ...(maxTokens !== undefined ? { maxTokens } : {}), temperature, stream: f.bool('stream', false) };
    }
    case 'image-to-text': {
      const image = f.image('image', MAX_SIDE);
      return { pipeline, modelId, prompt: f.str('prompt') ?? '', image };
    }
    case 'text-to-speech': {
      const text = f.str('text', { required: true }) as string;
      return { pipeline, modelId, text, description: f.str('description') ?? '' };
    }
  }
}

/** go-livepeer's LLM units when max_tokens is missing. */
export const LLM_DEFAULT_UNITS = 400;

/**
 * Units O debits (go-livepeer ai_http.go): output pixels for images/video, input pixels for upscale/SAM2/captions,
 * ms of audio (whole seconds × 1000), max_tokens (400 if missing), 1000 × characters for text-to-speech.
 */
export function billingUnits(req: AiRequest, audioSeconds = 0): bigint {
  const px = (i: ImageInput) => BigInt(i.info.width) * BigInt(i.info.height);
  switch (req.pipeline) {
    case 'text-to-image':
      return BigInt(req.height) * BigInt(req.width) * BigInt(req.numImages);
    case 'image-to-image':
      return px(req.image) * BigInt(req.numImages);
    case 'image-to-video':
      return BigInt(req.height) * BigInt(req.width) * 25n;
    case 'upscale':
    case 'segment-anything-2':
    case 'image-to-text':
      return px(req.image);
    case 'audio-to-text':
      return BigInt(Math.trunc(audioSeconds)) * 1000n;
    case 'llm':
      return BigInt(req.maxTokens ?? LLM_DEFAULT_UNITS);
    case 'text-to-speech':
      return 1000n * BigInt([...req.text].length);
  }
}
