// The ai-runner OpenAPI fields of each AI pipeline and their edge validation (types, ranges, JSON-encoded strings),
// for JSON bodies and multipart text values. Pure; failures are AiRequestError naming the field.
import type { AiPipeline } from '../../lib/pricing/pipelines.js';
import { GwError } from '../../lib/errors.js';

/** A request the gateway refuses before any orchestrator sees it: 400 with a message naming the field. */
export class AiRequestError extends GwError {
  readonly status = 400;
  constructor(
    message: string,
    readonly field?: string,
  ) {
    super('bad_request', message);
    this.name = 'AiRequestError';
  }
}

export type Kind = 'string' | 'int' | 'number' | 'bool' | 'json-string';

export interface FieldSpec {
  readonly kind: Kind;
  readonly required?: boolean;
  readonly min?: number;
  readonly max?: number;
  /** Strings: refuse "". */
  readonly nonEmpty?: boolean;
}

const DIM: FieldSpec = { kind: 'int', min: 1, max: 16384 };
const STEPS: FieldSpec = { kind: 'int', min: 1, max: 10_000 };
const NUM_IMAGES: FieldSpec = { kind: 'int', min: -1_000_000, max: 100 };
const SEED: FieldSpec = { kind: 'int' };

/** The ai-runner OpenAPI fields of each pipeline (file fields excluded). */
export const FIELDS: Readonly<Record<AiPipeline, Readonly<Record<string, FieldSpec>>>> = {
  'text-to-image': {
    prompt: { kind: 'string', required: true, nonEmpty: true },
    model_id: { kind: 'string' },
    loras: { kind: 'json-string' },
    height: DIM,
    width: DIM,
    guidance_scale: { kind: 'number' },
    negative_prompt: { kind: 'string' },
    safety_check: { kind: 'bool' },
    seed: SEED,
    num_inference_steps: STEPS,
    num_images_per_prompt: NUM_IMAGES,
  },
  'image-to-image': {
    prompt: { kind: 'string', required: true, nonEmpty: true },
    model_id: { kind: 'string' },
    loras: { kind: 'json-string' },
    strength: { kind: 'number', min: 0, max: 1 },
    guidance_scale: { kind: 'number' },
    image_guidance_scale: { kind: 'number' },
    negative_prompt: { kind: 'string' },
    safety_check: { kind: 'bool' },
    seed: SEED,
    num_inference_steps: STEPS,
    num_images_per_prompt: NUM_IMAGES,
  },
  'image-to-video': {
    model_id: { kind: 'string' },
    height: DIM,
    width: DIM,
    fps: { kind: 'int', min: 1, max: 240 },
    motion_bucket_id: { kind: 'int' },
    noise_aug_strength: { kind: 'number' },
    safety_check: { kind: 'bool' },
    seed: SEED,
    num_inference_steps: STEPS,
  },
  upscale: {
    prompt: { kind: 'string', required: true, nonEmpty: true },
    model_id: { kind: 'string' },
    safety_check: { kind: 'bool' },
    seed: SEED,
    num_inference_steps: STEPS,
  },
  'audio-to-text': {
    model_id: { kind: 'string' },
    return_timestamps: { kind: 'string' },
    metadata: { kind: 'json-string' },
  },
  'segment-anything-2': {
    model_id: { kind: 'string' },
    point_coords: { kind: 'json-string' },
    point_labels: { kind: 'json-string' },
    box: { kind: 'json-string' },
    mask_input: { kind: 'json-string' },
    multimask_output: { kind: 'bool' },
    return_logits: { kind: 'bool' },
    normalize_coords: { kind: 'bool' },
  },
  llm: {
    model: { kind: 'string' },
    temperature: { kind: 'number', min: 0, max: 100 },
    max_tokens: { kind: 'int', min: 1, max: 10_000_000 },
    top_p: { kind: 'number' },
    top_k: { kind: 'int' },
    stream: { kind: 'bool' },
  },
  'image-to-text': {
    prompt: { kind: 'string' },
    model_id: { kind: 'string' },
  },
  'text-to-speech': {
    model_id: { kind: 'string' },
    text: { kind: 'string', required: true, nonEmpty: true },
    description: { kind: 'string' },
  },
};

export const FILE_FIELD: Partial<Record<AiPipeline, 'image' | 'audio'>> = {
  'image-to-image': 'image',
  'image-to-video': 'image',
  upscale: 'image',
  'audio-to-text': 'audio',
  'segment-anything-2': 'image',
  'image-to-text': 'image',
};

/** Field names of a pipeline's request (for docs and tests). */
export function pipelineFields(p: AiPipeline): string[] {
  const file = FILE_FIELD[p];
  return [...(file ? [file] : []), ...Object.keys(FIELDS[p]), ...(p === 'llm' ? ['messages'] : [])];
}

export function fail(field: string, why: string): never {
  throw new AiRequestError(`${field}: ${why}`, field);
}

function checkRange(field: string, spec: FieldSpec, n: number): void {
  if (spec.min !== undefined && n < spec.min) fail(field, `must be at least ${spec.min}, got ${n}`);
  if (spec.max !== undefined && n > spec.max) fail(field, `must be at most ${spec.max}, got ${n}`);
}

function checkJsonString(field: string, s: string): void {
  if (s.trim() === '') return;
  try {
    JSON.parse(s);
  } catch {
    fail(field, 'must be a JSON-encoded string');
  }
}

/** Validates one JSON value against its spec; returns it unchanged. */
export function jsonValue(field: string, spec: FieldSpec, v: unknown): unknown {
  switch (spec.kind) {
    case 'string':
    case 'json-string':
      if (typeof v !== 'string') fail(field, `must be a string, got ${typeName(v)}`);
      if (spec.nonEmpty && v.trim() === '') fail(field, 'must not be empty');
      if (spec.kind === 'json-string') checkJsonString(field, v);
      return v;
    case 'int':
      if (typeof v !== 'number' || !Number.isInteger(v)) fail(field, `must be an integer, got ${typeName(v)}`);
      checkRange(field, spec, v);
      return v;
    case 'number':
      if (typeof v !== 'number' || !Number.isFinite(v)) fail(field, `must be a number, got ${typeName(v)}`);
      checkRange(field, spec, v);
      return v;
    case 'bool':
      if (typeof v !== 'boolean') fail(field, `must be true or false, got ${typeName(v)}`);
      return v;
  }
}

/** Validates one multipart text value; returns it in canonical text form. */
export function textValue(field: string, spec: FieldSpec, raw: string): string {
  const s = raw.trim();
  switch (spec.kind) {
    case 'string':
      if (spec.nonEmpty && s === '') fail(field, 'must not be empty');
      return raw;
    case 'json-string':
      checkJsonString(field, raw);
      return raw;
    case 'int': {
      if (!/^[+-]?\d{1,15}$/.test(s)) fail(field, `must be an integer, got "${s.slice(0, 40)}"`);
      const n = Number(s);
      checkRange(field, spec, n);
      return String(n);
    }
    case 'number': {
      const n = Number(s);
      if (s === '' || !Number.isFinite(n)) fail(field, `must be a number, got "${s.slice(0, 40)}"`);
      checkRange(field, spec, n);
      return String(n);
    }
    case 'bool':
      if (!/^(true|false)$/i.test(s)) fail(field, `must be true or false, got "${s.slice(0, 40)}"`);
      return s.toLowerCase();
  }
}

export function typeName(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  return typeof v === 'object' ? 'an object' : `${typeof v} ${JSON.stringify(v)?.slice(0, 40)}`;
}
