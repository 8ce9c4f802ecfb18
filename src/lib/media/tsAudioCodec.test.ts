import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { tsAudioCodec } from './mpegts.js';

function ts(audio: string[]): Buffer {
  return execFileSync('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-f', 'lavfi', '-i', 'testsrc=size=64x48:rate=10', ...(audio.length ? ['-f', 'lavfi', '-i', 'sine'] : []), '-t', '0.5', '-c:v', 'libx264', ...audio, '-f', 'mpegts', 'pipe:1'], { maxBuffer: 8 << 20 });
}

describe('tsAudioCodec', () => {
  it('tells AAC, Opus (registered private data) and MP3 apart from the PMT, and null without audio', () => {
    expect(tsAudioCodec(ts(['-c:a', 'aac']))).toBe('aac');
    expect(tsAudioCodec(ts(['-c:a', 'libopus']))).toBe('opus');
    expect(tsAudioCodec(ts(['-c:a', 'libmp3lame']))).toBe('mp3');
    expect(tsAudioCodec(ts([]))).toBeNull();
    expect(tsAudioCodec(Buffer.from('not a transport stream'))).toBeNull();
  });
});
