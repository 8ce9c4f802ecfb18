// Duration of audio that is not WAV (mp3, flac, ogg, m4a, …), asked of ffprobe. The bytes go to a private temp
// file: through a pipe ffprobe cannot seek and reports no duration for many formats.
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Seconds of audio per ffprobe's container duration; rejects when ffprobe cannot tell. */
export async function probeAudioSeconds(ffprobe: string, data: Buffer, timeoutMs = 15_000): Promise<number> {
  const dir = await mkdtemp(join(tmpdir(), 'gw-audio-'));
  const file = join(dir, 'input');
  try {
    await writeFile(file, data, { mode: 0o600 });
    const out = await new Promise<string>((resolve, reject) => {
      execFile(
        ffprobe,
        ['-v', 'error', '-show_entries', 'format=duration', '-of', 'default=noprint_wrappers=1:nokey=1', file],
        { timeout: timeoutMs, maxBuffer: 1024 * 1024 },
        (err, stdout, stderr) => {
          if (err) reject(new Error(`cannot determine the audio duration: ${String(stderr).trim().split('\n')[0] || err.message}`));
          else resolve(stdout);
        },
      );
    });
    const seconds = Number(out.trim().split('\n')[0]);
    if (!Number.isFinite(seconds) || seconds <= 0) throw new Error('cannot determine the audio duration');
    return seconds;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
