// Edge parsing of the gateway's AI requests (ai-live-signer.md §2): every pipeline's body (JSON or multipart) is
// validated into a typed request with go-livepeer's defaults, and the units the gateway pays for follow from it (§4).
// Pure: audio that is not WAV carries no duration yet (the route probes it with ffprobe before paying).
import { FormDataError, type FormPart, parseFormData } from './formData.js';
import { type ImageInfo, imageInfo, isWav, wavDurationSeconds } from './mediaInfo.js';
import { type AiPipeline, bodyEncoding, defaultModel } from '../../lib/pricing/pipelines.js';
import { AiRequestError, FIELDS, FILE_FIELD, fail, jsonValue, textValue, typeName } from './requestFields.js';

export { AiRequestError } from './requestFields.js';

/** Largest image upload accepted (bytes). */
export const MAX_IMAGE_BYTES = 20 * 1024 * 1024;
/** Largest audio upload accepted (bytes). */
export const MAX_AUDIO_BYTES = 50 * 1024 * 1024;
/** Largest image a request may ask us to pay for (width × height). */
export const MAX_IMAGE_PIXELS = 100_000_000;
/** Largest JSON body (LLM conversations included). */
export const MAX_JSON_BYTES = 8 * 1024 * 1024;
/** Largest multipart body (one file plus text fields). */
export const MAX_MULTIPART_BYTES = MAX_AUDIO_BYTES + 1024 * 1024;
/** Frames image-to-video is paid for (go-livepeer assumes 25). */
export const IMAGE_TO_VIDEO_FRAMES = 25n;

export interface ImageInput {
  readonly filename: string;
  readonly contentType: string;
  readonly data: Buffer;
  readonly info: ImageInfo;
}

export interface AudioInput {
  readonly filename: string;
  readonly contentType: string;
  readonly data: Buffer;
  /** Seconds from the WAV header; undefined until probed for other formats. */
  readonly durationSeconds: number | undefined;
}

type Json = Record<string, unknown>;
type TextFields = Array<[string, string]>;

interface Base<P extends AiPipeline> {
  readonly pipeline: P;
  readonly modelId: string;
  /** The request named no model and go-livepeer's default for the pipeline was filled in. */
  readonly modelDefaulted?: boolean;
}

export type TextToImageRequest = Base<'text-to-image'> & { json: Json; height: number; width: number; numImages: number; steps: number };
export type ImageToImageRequest = Base<'image-to-image'> & { fields: TextFields; image: ImageInput; numImages: number; steps: number };
export type ImageToVideoRequest = Base<'image-to-video'> & { fields: TextFields; image: ImageInput; height: number; width: number; steps: number };
export type UpscaleRequest = Base<'upscale'> & { fields: TextFields; image: ImageInput; steps: number };
export type AudioToTextRequest = Base<'audio-to-text'> & { fields: TextFields; audio: AudioInput };
export type SegmentAnything2Request = Base<'segment-anything-2'> & { fields: TextFields; image: ImageInput };
export type LlmRequest = Base<'llm'> & { json: Json; maxTokens: number; stream: boolean };
export type ImageToTextRequest = Base<'image-to-text'> & { fields: TextFields; image: ImageInput };
export type TextToSpeechRequest = Base<'text-to-speech'> & { json: Json; text: string };

export type AiRequest =
  | TextToImageRequest
  | ImageToImageRequest
  | ImageToVideoRequest
  | UpscaleRequest
  | AudioToTextRequest
  | SegmentAnything2Request
  | LlmRequest
  | ImageToTextRequest
  | TextToSpeechRequest;

/** Parses the JSON body of a JSON pipeline into known, validated fields (unknown fields are dropped, like go's typed structs). */
function parseJsonBody(p: AiPipeline, body: Buffer, contentType: string | undefined): Json {
  if (contentType && !/^\s*application\/json\s*(;|$)/i.test(contentType)) throw new AiRequestError(`${p} expects a JSON body (Content-Type: application/json), got ${contentType.split(';')[0]}`);
  if (body.length > MAX_JSON_BYTES) throw new AiRequestError(`request body of ${body.length} bytes exceeds the ${MAX_JSON_BYTES}-byte limit`);
  let v: unknown;
  try {
    v = JSON.parse(body.toString('utf8'));
  } catch (err) {
    throw new AiRequestError(`request body is not valid JSON: ${(err as Error).message}`);
  }
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new AiRequestError('request body must be a JSON object');
  const input = v as Json;
  const out: Json = {};
  for (const [field, spec] of Object.entries(FIELDS[p])) {
    const value = input[field];
    if (value === undefined || value === null) {
      if (spec.required) fail(field, 'is required');
      continue;
    }
    out[field] = jsonValue(field, spec, value);
  }
  if (p === 'llm') out['messages'] = llmMessages(input['messages']);
  return out;
}

function llmMessages(v: unknown): Array<{ role: string; content: string }> {
  if (v === undefined || v === null) fail('messages', 'is required');
  if (!Array.isArray(v)) fail('messages', `must be an array of {role, content}, got ${typeName(v)}`);
  if (v.length === 0) fail('messages', 'must hold at least one message');
  return v.map((m: unknown, i) => {
    const field = `messages[${i}]`;
    if (typeof m !== 'object' || m === null || Array.isArray(m)) fail(field, `must be an object {role, content}, got ${typeName(m)}`);
    const { role, content } = m as Json;
    if (typeof role !== 'string' || role.trim() === '') fail(`${field}.role`, 'must be a non-empty string');
    if (typeof content !== 'string') fail(`${field}.content`, `must be a string, got ${typeName(content)}`);
    return { role, content };
  });
}

interface ParsedForm {
  fields: TextFields;
  values: Map<string, string>;
  file: FormPart | undefined;
}

function parseMultipartBody(p: AiPipeline, body: Buffer, contentType: string | undefined): ParsedForm {
  if (!contentType || !/^\s*multipart\/form-data/i.test(contentType)) {
    throw new AiRequestError(`${p} expects a multipart/form-data body, got ${contentType ? contentType.split(';')[0] : 'no Content-Type'}`);
  }
  if (body.length > MAX_MULTIPART_BYTES) throw new AiRequestError(`request body of ${body.length} bytes exceeds the ${MAX_MULTIPART_BYTES}-byte limit`);
  let parts: FormPart[];
  try {
    parts = parseFormData(body, contentType);
  } catch (err) {
    if (err instanceof FormDataError) throw new AiRequestError(`malformed multipart body: ${err.message}`);
    throw err;
  }
  const fileField = FILE_FIELD[p]!;
  const specs = FIELDS[p];
  const values = new Map<string, string>();
  let file: FormPart | undefined;
  for (const part of parts) {
    if (part.name === fileField) {
      file ??= part;
      continue;
    }
    const spec = specs[part.name];
    // Unknown fields are dropped; the first value of a repeated field wins (Go's form reading).
    if (!spec || values.has(part.name)) continue;
    if (part.filename !== undefined) fail(part.name, 'must be a text field, not a file');
    values.set(part.name, textValue(part.name, spec, part.data.toString('utf8')));
  }
  for (const [field, spec] of Object.entries(specs)) if (spec.required && !values.has(field)) fail(field, 'is required');
  return { fields: [...values.entries()], values, file };
}

function imageInput(part: FormPart | undefined): ImageInput {
  if (!part) fail('image', 'is required (a PNG or JPEG file)');
  if (part.data.length === 0) fail('image', 'is empty');
  if (part.data.length > MAX_IMAGE_BYTES) fail('image', `${part.data.length} bytes exceeds the ${MAX_IMAGE_BYTES}-byte (20 MB) limit`);
  const info = imageInfo(part.data);
  if (typeof info === 'string') fail('image', `${info}; send a PNG or JPEG file`);
  if (info.width * info.height > MAX_IMAGE_PIXELS) fail('image', `${info.width}x${info.height} exceeds the ${MAX_IMAGE_PIXELS}-pixel limit`);
  return {
    filename: part.filename || `image.${info.format === 'png' ? 'png' : 'jpg'}`,
    contentType: info.format === 'png' ? 'image/png' : 'image/jpeg',
    data: part.data,
    info,
  };
}

function audioInput(part: FormPart | undefined): AudioInput {
  if (!part) fail('audio', 'is required (an audio file)');
  if (part.data.length === 0) fail('audio', 'is empty');
  if (part.data.length > MAX_AUDIO_BYTES) fail('audio', `${part.data.length} bytes exceeds the ${MAX_AUDIO_BYTES}-byte (50 MB) limit`);
  let durationSeconds: number | undefined;
  if (isWav(part.data)) {
    const d = wavDurationSeconds(part.data);
    if (typeof d === 'string') fail('audio', d);
    checkAudioDuration(d);
    durationSeconds = d;
  }
  return { filename: part.filename || 'audio', contentType: part.contentType ?? 'application/octet-stream', data: part.data, durationSeconds };
}

/** go-livepeer pays whole seconds and refuses audio shorter than one (ErrAudioDurationCalculation → 400). */
export function checkAudioDuration(seconds: number): void {
  if (!Number.isFinite(seconds) || Math.trunc(seconds) < 1) fail('audio', `duration ${Number.isFinite(seconds) ? seconds.toFixed(3) : '?'} s is under 1 s`);
}

function intOr(values: Map<string, string>, key: string, dflt: number): number {
  const v = values.get(key);
  return v === undefined ? dflt : Number(v);
}

function jsonInt(json: Json, key: string, dflt: number): number {
  const v = json[key];
  return typeof v === 'number' ? v : dflt;
}

/** go-livepeer: num_images_per_prompt defaults to 1 and is raised to at least 1. */
function numImages(n: number): number {
  return Math.max(1, n);
}

function modelOf(p: AiPipeline, raw: unknown): { modelId: string; modelDefaulted: boolean } {
  return typeof raw === 'string' && raw.trim() !== '' ? { modelId: raw.trim(), modelDefaulted: false } : { modelId: defaultModel(p), modelDefaulted: true };
}

/**
 * Parses and validates one request of `pipeline`; throws AiRequestError (400) naming the bad field.
 * Gateway defaults are applied here (text-to-image 512×512, image-to-video 576×1024, ≥ 1 image, LLM 256 tokens).
 */
export function parseAiRequest(pipeline: AiPipeline, body: Buffer, contentType: string | undefined): AiRequest {
  if (bodyEncoding(pipeline) === 'json') {
    const json = parseJsonBody(pipeline, body, contentType);
    switch (pipeline) {
      case 'text-to-image': {
        const model = modelOf(pipeline, json['model_id']);
        const { modelId } = model;
        const height = jsonInt(json, 'height', 512);
        const width = jsonInt(json, 'width', 512);
        const n = numImages(jsonInt(json, 'num_images_per_prompt', 1));
        Object.assign(json, { model_id: modelId, height, width, num_images_per_prompt: n });
        return { pipeline, ...model, json, height, width, numImages: n, steps: jsonInt(json, 'num_inference_steps', 50) };
      }
      case 'llm': {
        const model = modelOf(pipeline, json['model']);
        const { modelId } = model;
        const maxTokens = jsonInt(json, 'max_tokens', 256);
        const stream = json['stream'] === true;
        Object.assign(json, { model: modelId, max_tokens: maxTokens, stream });
        return { pipeline, ...model, json, maxTokens, stream };
      }
      case 'text-to-speech': {
        const model = modelOf(pipeline, json['model_id']);
        const { modelId } = model;
        json['model_id'] = modelId;
        return { pipeline, ...model, json, text: json['text'] as string };
      }
      default:
        throw new Error(`unreachable: ${pipeline} is a JSON pipeline`);
    }
  }
  const form = parseMultipartBody(pipeline, body, contentType);
  const model = modelOf(pipeline, form.values.get('model_id'));
  const { modelId } = model;
  const setField = (name: string, value: string) => {
    const i = form.fields.findIndex(([k]) => k === name);
    if (i >= 0) form.fields[i] = [name, value];
    else form.fields.push([name, value]);
  };
  setField('model_id', modelId);
  switch (pipeline) {
    case 'image-to-image': {
      const image = imageInput(form.file);
      const n = numImages(intOr(form.values, 'num_images_per_prompt', 1));
      setField('num_images_per_prompt', String(n));
      return { pipeline, ...model, fields: form.fields, image, numImages: n, steps: intOr(form.values, 'num_inference_steps', 100) };
    }
    case 'image-to-video': {
      const image = imageInput(form.file);
      const height = intOr(form.values, 'height', 576);
      const width = intOr(form.values, 'width', 1024);
      setField('height', String(height));
      setField('width', String(width));
      return { pipeline, ...model, fields: form.fields, image, height, width, steps: intOr(form.values, 'num_inference_steps', 25) };
    }
    case 'upscale':
      return { pipeline, ...model, fields: form.fields, image: imageInput(form.file), steps: intOr(form.values, 'num_inference_steps', 75) };
    case 'segment-anything-2':
      return { pipeline, ...model, fields: form.fields, image: imageInput(form.file) };
    case 'image-to-text':
      return { pipeline, ...model, fields: form.fields, image: imageInput(form.file) };
    case 'audio-to-text':
      return { pipeline, ...model, fields: form.fields, audio: audioInput(form.file) };
    default:
      throw new Error(`unreachable: ${pipeline} is a multipart pipeline`);
  }
}

/** The request with the audio duration filled in (after probing a non-WAV file); throws AiRequestError under 1 s. */
export function withAudioDuration(req: AudioToTextRequest, seconds: number): AudioToTextRequest {
  checkAudioDuration(seconds);
  return { ...req, audio: { ...req.audio, durationSeconds: seconds } };
}

/** Units the gateway pays for (§4, gateway column). */
export function aiUnits(req: AiRequest): bigint {
  switch (req.pipeline) {
    case 'text-to-image':
      return BigInt(req.height) * BigInt(req.width) * BigInt(req.numImages);
    case 'image-to-image':
      return BigInt(req.image.info.height) * BigInt(req.image.info.width) * BigInt(req.numImages);
    case 'image-to-video':
      return BigInt(req.height) * BigInt(req.width) * IMAGE_TO_VIDEO_FRAMES;
    case 'upscale':
    case 'segment-anything-2':
    case 'image-to-text':
      return BigInt(req.image.info.height) * BigInt(req.image.info.width);
    case 'audio-to-text': {
      const d = req.audio.durationSeconds;
      if (d === undefined) throw new Error('audio duration not probed yet');
      return BigInt(Math.trunc(d)) * 1000n;
    }
    case 'llm':
      return BigInt(req.maxTokens);
    case 'text-to-speech':
      // What O debits: 1000 × characters (code points). go-livepeer's gateway pays len(text) in bytes, so its
      // balance with O sinks on every request until O refuses; paying O's own units keeps both books equal.
      return 1000n * BigInt(codePoints(req.text));
  }
}

function codePoints(text: string): number {
  let n = 0;
  for (const _ of text) n++;
  return n;
}

/** Whole seconds sent to O as audio-to-text `metadata` (go-livepeer truncates). */
export function audioSeconds(req: AudioToTextRequest): number {
  return Math.trunc(req.audio.durationSeconds ?? 0);
}

/** The body forwarded to the orchestrator (JSON re-serialised, or multipart re-encoded with the file last). */
export function orchestratorFields(req: AiRequest): { kind: 'json'; json: Json } | { kind: 'multipart'; parts: FormPart[] } {
  if ('json' in req) return { kind: 'json', json: req.json };
  const parts: FormPart[] = req.fields.map(([name, value]) => ({ name, data: Buffer.from(value, 'utf8') }));
  if (req.pipeline === 'audio-to-text') {
    const meta: FormPart = { name: 'metadata', data: Buffer.from(JSON.stringify({ duration: String(audioSeconds(req)) })) };
    const i = parts.findIndex((p) => p.name === 'metadata');
    if (i >= 0) parts[i] = meta;
    else parts.push(meta);
    parts.push({ name: 'audio', filename: req.audio.filename, contentType: req.audio.contentType, data: req.audio.data });
  } else {
    parts.push({ name: 'image', filename: req.image.filename, contentType: req.image.contentType, data: req.image.data });
  }
  return { kind: 'multipart', parts };
}

/**
 * go-livepeer's latency score of a finished request: seconds per unit (per inference step for the diffusion
 * pipelines, per token used for LLM, per second of audio, per character for speech). Lower is better.
 */
export function aiLatencyScore(req: AiRequest, tookSeconds: number, tokensUsed?: number): number {
  const per = (n: number | bigint) => (Number(n) > 0 ? tookSeconds / Number(n) : 0);
  switch (req.pipeline) {
    case 'text-to-image':
    case 'image-to-image':
    case 'image-to-video':
    case 'upscale':
      return per(aiUnits(req)) / Math.max(1, req.steps);
    case 'segment-anything-2':
    case 'image-to-text':
    case 'text-to-speech':
      return per(aiUnits(req));
    case 'audio-to-text':
      return per(audioSeconds(req));
    case 'llm':
      return per(tokensUsed ?? req.maxTokens);
  }
}
