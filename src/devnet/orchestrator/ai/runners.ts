// Dispatch from a validated AI request to its devnet runner: a JSON body, or for streamed LLM answers a chunk stream.
import { runImagePipeline } from './imageRunners.js';
import type { AiRequest } from './requests.js';
import { type AudioAnalysis, type LLMResponse, audioToText, llmResponse, llmStream, textToSpeech } from './textRunners.js';

/** What a runner needs from the server. */
export interface RunnerContext {
  /** Random id of this request; names its stored outputs. */
  requestId: string;
  ffmpeg: () => Promise<string>;
  /** Stores one output and returns the URL to hand out (a data URL where the route inlines images). */
  output(name: string, data: Buffer, contentType: string): string;
  llmTokenDelayMs: number;
}

/** A runner's answer. */
export type RunResult = { kind: 'json'; body: unknown } | { kind: 'stream'; chunks: AsyncGenerator<LLMResponse> };

/** Runs the devnet runner for `req` (audio-to-text needs the analysis made for billing). */
export async function runAi(req: AiRequest, ctx: RunnerContext, audio?: AudioAnalysis): Promise<RunResult> {
  switch (req.pipeline) {
    case 'llm':
      return req.stream ? { kind: 'stream', chunks: llmStream(req, ctx) } : { kind: 'json', body: llmResponse(req, ctx) };
    case 'audio-to-text':
      if (!audio) throw new Error('audio-to-text: missing audio analysis');
      return { kind: 'json', body: audioToText(req, audio) };
    case 'text-to-speech':
      return { kind: 'json', body: textToSpeech(req, ctx) };
    default:
      return { kind: 'json', body: await runImagePipeline(req, ctx) };
  }
}
