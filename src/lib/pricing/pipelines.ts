// The batch AI pipelines the gateway serves (go-livepeer server/ai_mediaserver.go), their capability ids, body
// encodings and go-livepeer's default model ids (server/ai_process.go).
import { Capability, type CapabilityId } from '../protocol/capabilities.js';

import { AI_PIPELINES, type AiPipeline } from '../protocol/aiPipelines.js';

export { AI_PIPELINES, type AiPipeline };

/** Pipelines a per-capability max price can name (go-livepeer setMaxPriceForCapability). */
export const PRICED_PIPELINES = [...AI_PIPELINES, 'live-video-to-video'] as const;

export type PricedPipeline = (typeof PRICED_PIPELINES)[number];

interface PipelineInfo {
  readonly capability: CapabilityId;
  readonly body: 'json' | 'multipart';
  readonly defaultModel: string;
}

const INFO: Readonly<Record<PricedPipeline, PipelineInfo>> = {
  'text-to-image': { capability: Capability.TextToImage, body: 'json', defaultModel: 'stabilityai/sdxl-turbo' },
  'image-to-image': { capability: Capability.ImageToImage, body: 'multipart', defaultModel: 'stabilityai/sdxl-turbo' },
  'image-to-video': { capability: Capability.ImageToVideo, body: 'multipart', defaultModel: 'stabilityai/stable-video-diffusion-img2vid-xt' },
  upscale: { capability: Capability.Upscale, body: 'multipart', defaultModel: 'stabilityai/stable-diffusion-x4-upscaler' },
  'audio-to-text': { capability: Capability.AudioToText, body: 'multipart', defaultModel: 'openai/whisper-large-v3' },
  'segment-anything-2': { capability: Capability.SegmentAnything2, body: 'multipart', defaultModel: 'facebook/sam2-hiera-large' },
  llm: { capability: Capability.LLM, body: 'json', defaultModel: 'meta-llama/llama-3.1-8B-Instruct' },
  'image-to-text': { capability: Capability.ImageToText, body: 'multipart', defaultModel: 'Salesforce/blip-image-captioning-large' },
  'text-to-speech': { capability: Capability.TextToSpeech, body: 'json', defaultModel: 'parler-tts/parler-tts-large-v1' },
  'live-video-to-video': { capability: Capability.LiveVideoToVideo, body: 'json', defaultModel: 'noop' },
};

/** True for a batch pipeline name. */
export function isAiPipeline(name: string): name is AiPipeline {
  return (AI_PIPELINES as readonly string[]).includes(name);
}

/** True for any pipeline a capability price can name. */
export function isPricedPipeline(name: string): name is PricedPipeline {
  return (PRICED_PIPELINES as readonly string[]).includes(name);
}

/** Capability id of a pipeline. */
export function pipelineCapabilityId(p: PricedPipeline): CapabilityId {
  return INFO[p].capability;
}

/** go-livepeer's model when the request names none. */
export function defaultModel(p: PricedPipeline): string {
  return INFO[p].defaultModel;
}

/** How the pipeline's request body is encoded. */
export function bodyEncoding(p: AiPipeline): 'json' | 'multipart' {
  return INFO[p].body;
}

/** O's accounting id and the storage/selector key: `"<capId>_<modelId>"`. */
export function aiManifestId(p: PricedPipeline, modelId: string): string {
  return `${INFO[p].capability}_${modelId}`;
}
