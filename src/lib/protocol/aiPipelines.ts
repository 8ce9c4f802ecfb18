// The batch AI pipelines of go-livepeer's AI API (gateway and orchestrator alike); live-video-to-video has its own
// entry and is not a request/response pipeline.

/** Batch AI pipelines, in go-livepeer's capability order. */
export const AI_PIPELINES = [
  'text-to-image',
  'image-to-image',
  'image-to-video',
  'upscale',
  'audio-to-text',
  'segment-anything-2',
  'llm',
  'image-to-text',
  'text-to-speech',
] as const;

export type AiPipeline = (typeof AI_PIPELINES)[number];
