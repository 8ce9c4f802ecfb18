// Devnet runners for the text and audio pipelines: an echoing LLM (whole or streamed token by token), speech
// segmentation by ffmpeg silencedetect for audio-to-text, and sine-tone WAVs for text-to-speech.
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { runFfmpeg, withTempDir } from './ffmpegExec.js';
import { encodeToneWav } from './media.js';
import type { AiRequest, ChatMessage } from './requests.js';
import type { RunnerContext } from './runners.js';

/** go-livepeer worker.LLMResponse (one chunk when streaming). */
export interface LLMResponse {
  id: string;
  model: string;
  created: number;
  usage: { prompt_tokens: number; completion_tokens: number; total_tokens: number };
  choices: Array<{ index: number; message?: ChatMessage; delta?: ChatMessage; finish_reason?: string }>;
}

/** The ai-runner's max_tokens default (O bills 400 when it is missing, but the runner generates 256). */
const RUNNER_MAX_TOKENS = 256;

const words = (text: string): string[] => text.split(/\s+/).filter((w) => w !== '');

/** The devnet LLM's answer: a fixed preamble plus the last user message, split into word tokens. */
export function llmTokens(messages: readonly ChatMessage[]): string[] {
  const last = [...messages].reverse().find((m) => m.role === 'user')?.content ?? '';
  const w = words(`Devnet reply to: ${last.trim() === '' ? '(empty)' : last}`);
  return w.map((t, i) => (i === 0 ? t : ` ${t}`));
}

interface LlmPlan {
  tokens: string[];
  finish: 'stop' | 'length';
  usage: LLMResponse['usage'];
  base: Omit<LLMResponse, 'choices' | 'usage'>;
}

function plan(req: Extract<AiRequest, { pipeline: 'llm' }>, ctx: RunnerContext): LlmPlan {
  const all = llmTokens(req.messages);
  const limit = req.maxTokens ?? RUNNER_MAX_TOKENS;
  const tokens = all.slice(0, limit);
  const prompt = Math.max(1, req.messages.reduce((n, m) => n + words(m.content).length, 0));
  return {
    tokens,
    finish: all.length > limit ? 'length' : 'stop',
    usage: { prompt_tokens: prompt, completion_tokens: tokens.length, total_tokens: prompt + tokens.length },
    base: { id: `chatcmpl-${ctx.requestId}`, model: req.modelId, created: Math.floor(Date.now() / 1000) },
  };
}

/** Non-streaming LLM answer. */
export function llmResponse(req: Extract<AiRequest, { pipeline: 'llm' }>, ctx: RunnerContext): LLMResponse {
  const p = plan(req, ctx);
  return { ...p.base, usage: p.usage, choices: [{ index: 0, message: { role: 'assistant', content: p.tokens.join('') }, finish_reason: p.finish }] };
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** Streaming LLM answer: one chunk per token, `llmTokenDelayMs` apart; the last carries finish_reason and usage. */
export async function* llmStream(req: Extract<AiRequest, { pipeline: 'llm' }>, ctx: RunnerContext): AsyncGenerator<LLMResponse> {
  const p = plan(req, ctx);
  for (const [i, tok] of p.tokens.entries()) {
    if (i > 0) await sleep(ctx.llmTokenDelayMs);
    const done = i + 1;
    yield {
      ...p.base,
      usage: { prompt_tokens: p.usage.prompt_tokens, completion_tokens: done, total_tokens: p.usage.prompt_tokens + done },
      choices: [{ index: 0, delta: { role: 'assistant', content: tok } }],
    };
  }
  await sleep(ctx.llmTokenDelayMs);
  yield { ...p.base, usage: p.usage, choices: [{ index: 0, delta: { role: 'assistant', content: '' }, finish_reason: p.finish }] };
}

/** Duration and speech intervals of an audio file. */
export interface AudioAnalysis {
  durationSec: number;
  /** [start, end] in seconds of the non-silent stretches. */
  speech: Array<[number, number]>;
}

const hms = (h: string, m: string, s: string): number => Number(h) * 3600 + Number(m) * 60 + Number(s);

/** Container duration (else decoded time) and silencedetect's silences turned into speech intervals. */
export async function analyzeAudio(ffmpeg: string, data: Uint8Array): Promise<AudioAnalysis> {
  const stderr = await withTempDir(async (dir) => {
    const file = join(dir, 'audio');
    await writeFile(file, data);
    return (await runFfmpeg(ffmpeg, ['-loglevel', 'info', '-i', file, '-vn', '-af', 'silencedetect=noise=-35dB:d=0.25', '-f', 'null', '-'])).stderr;
  });
  const dur = /Duration: (\d+):(\d+):(\d+(?:\.\d+)?)/.exec(stderr);
  const times = [...stderr.matchAll(/time=(\d+):(\d+):(\d+(?:\.\d+)?)/g)];
  const lastTime = times.at(-1);
  const durationSec = dur ? hms(dur[1] as string, dur[2] as string, dur[3] as string) : lastTime ? hms(lastTime[1] as string, lastTime[2] as string, lastTime[3] as string) : 0;
  const silences: Array<[number, number]> = [];
  let start: number | undefined;
  for (const m of stderr.matchAll(/silence_(start|end): (-?\d+(?:\.\d+)?)/g)) {
    const t = Math.max(0, Number(m[2]));
    if (m[1] === 'start') start = t;
    else if (start !== undefined) {
      silences.push([start, t]);
      start = undefined;
    }
  }
  if (start !== undefined) silences.push([start, durationSec]);
  const speech: Array<[number, number]> = [];
  let cursor = 0;
  for (const [s, e] of silences) {
    if (s - cursor > 0.05) speech.push([cursor, s]);
    cursor = Math.max(cursor, e);
  }
  if (durationSec - cursor > 0.05) speech.push([cursor, durationSec]);
  return { durationSec, speech };
}

const round2 = (v: number): number => Math.round(v * 100) / 100;

/** audio-to-text: one chunk per speech interval ("segment k (n.ns)"), go-livepeer TextResponse. */
export function audioToText(req: Extract<AiRequest, { pipeline: 'audio-to-text' }>, audio: AudioAnalysis): { text: string; chunks: Array<{ timestamp: number[]; text: string }> } {
  const chunks = audio.speech.map(([s, e], k) => ({ timestamp: [round2(s), round2(e)], text: ` segment ${k + 1} (${(e - s).toFixed(1)}s)` }));
  return { text: chunks.map((c) => c.text).join('').trim(), chunks: req.returnTimestamps ? chunks : chunks.map((c) => ({ ...c, timestamp: [] })) };
}

/** text-to-speech: one 50 ms tone per character (silence for spaces), 8 kHz mono WAV, go-livepeer AudioResponse. */
export function textToSpeech(req: Extract<AiRequest, { pipeline: 'text-to-speech' }>, ctx: RunnerContext): { audio: { url: string } } {
  const tones = [...req.text].map((ch) => ({ hz: /\s/.test(ch) ? 0 : 220 + ((ch.codePointAt(0) as number) % 48) * 15, ms: 50 }));
  const wav = encodeToneWav(tones, 8000);
  return { audio: { url: ctx.output('audio.wav', wav, 'audio/wav') } };
}
