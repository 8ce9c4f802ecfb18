// Pushes a live stream's transformed output to an RTMP URL: one ffmpeg per output reading the output segments as one
// MPEG-TS stream, video copied, audio to AAC (runners return Opus, which FLV cannot carry). After a swap the process
// is restarted, so the far end sees a clean new publish instead of a timestamp jump (go-livepeer does the same).
import { spawn, type ChildProcess } from 'node:child_process';
import { redact } from './liveIngest.js';

/** ffmpeg arguments: MPEG-TS on stdin → FLV to `url`. */
export function rtmpOutputArgs(url: string): string[] {
  return ['-hide_banner', '-nostats', '-loglevel', 'error', '-rw_timeout', '5000000', '-f', 'mpegts', '-i', 'pipe:0', '-map', '0:v', '-map', '0:a?', '-c:v', 'copy', '-c:a', 'aac', '-b:a', '96k', '-f', 'flv', url];
}

/** One RTMP output. */
export class RtmpOutput {
  private proc: ChildProcess | undefined;
  private closed = false;
  /** Restarts so far (swaps, and the process dying). */
  restarts = 0;
  lastError: string | undefined;
  /** After a failed publish, no new attempt before this time (ms), backing off to a minute: a far end that is down is not hammered. */
  private retryAt = 0;
  private backoffMs = 0;

  constructor(
    readonly url: string,
    private readonly ffmpeg: string,
    private readonly log: (msg: string) => void,
  ) {}

  /** Writes one output segment; `restart` begins a new publish first. */
  write(data: Buffer, restart: boolean): void {
    if (this.closed) return;
    if (restart && this.proc) {
      this.endProcess();
      this.restarts++;
    }
    if (!this.proc && Date.now() < this.retryAt) return;
    const proc = (this.proc ??= this.spawn());
    // Back-pressure: a far end slower than real time loses segments here rather than growing memory.
    if (proc.stdin && proc.stdin.writableLength < 8 * 1024 * 1024) proc.stdin.write(data);
  }

  private spawn(): ChildProcess {
    const proc = spawn(this.ffmpeg, rtmpOutputArgs(this.url), { stdio: ['pipe', 'ignore', 'pipe'] });
    let stderr = '';
    proc.stderr?.setEncoding('utf8');
    proc.stderr?.on('data', (s: string) => (stderr = (stderr + s).slice(-1000)));
    proc.stdin?.on('error', () => undefined);
    proc.once('error', (err) => (this.lastError = err.message));
    proc.once('exit', (code) => {
      if (this.proc === proc) this.proc = undefined;
      if (code !== 0 && code !== null && !this.closed) {
        this.lastError = stderr.trim().split('\n').pop() ?? `exit ${code}`;
        this.backoffMs = Math.min(60_000, Math.max(2000, this.backoffMs * 2));
        this.retryAt = Date.now() + this.backoffMs;
        this.log(`RTMP output ${redact(this.url)} stopped: ${this.lastError}; next attempt in ${this.backoffMs / 1000} s`);
      } else if (code === 0) {
        this.backoffMs = 0;
      }
    });
    return proc;
  }

  private endProcess(): void {
    const p = this.proc;
    this.proc = undefined;
    if (!p) return;
    p.stdin?.end();
    const t = setTimeout(() => p.kill('SIGKILL'), 3000);
    t.unref();
    p.once('exit', () => clearTimeout(t));
  }

  /** Ends the publish. */
  close(): void {
    this.closed = true;
    this.endProcess();
  }
}
