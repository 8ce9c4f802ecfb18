// Browsers play AAC in HLS, not Opus, which is what AI runners return (ai-runner encodes its output audio as Opus):
// an output segment with Opus audio is remuxed with its audio re-encoded to AAC, video copied, timestamps kept.
import { spawn } from 'node:child_process';
import { tsAudioCodec } from '../../lib/media/mpegts.js';

/** ffmpeg arguments: one MPEG-TS segment on stdin → the same with AAC audio on stdout. */
export function aacRemuxArgs(): string[] {
  return ['-hide_banner', '-loglevel', 'error', '-copyts', '-f', 'mpegts', '-i', 'pipe:0', '-map', '0', '-c:v', 'copy', '-c:a', 'aac', '-b:a', '96k', '-muxdelay', '0', '-f', 'mpegts', 'pipe:1'];
}

/** The segment as browsers can play it: Opus audio re-encoded to AAC; anything else returned as it is. */
export async function playableAudio(ffmpeg: string, data: Buffer): Promise<{ data: Buffer; reencodedMs: number | null }> {
  if (tsAudioCodec(data) !== 'opus') return { data, reencodedMs: null };
  const t0 = performance.now();
  const out = await new Promise<Buffer>((resolve, reject) => {
    const p = spawn(ffmpeg, aacRemuxArgs(), { stdio: ['pipe', 'pipe', 'pipe'] });
    const chunks: Buffer[] = [];
    let err = '';
    p.stdout.on('data', (c: Buffer) => chunks.push(c));
    p.stderr.on('data', (c: Buffer) => (err = (err + c.toString('utf8')).slice(-500)));
    p.once('error', reject);
    p.once('close', (code) => (code === 0 ? resolve(Buffer.concat(chunks)) : reject(new Error(`audio re-encode failed (exit ${code}): ${err.trim()}`))));
    p.stdin.on('error', () => undefined);
    p.stdin.end(data);
  });
  return { data: out, reencodedMs: performance.now() - t0 };
}
