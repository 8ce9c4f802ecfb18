// Delivers alerts to the operator's webhook: a small in-memory queue, one POST at a time, a timeout per attempt and
// a few retries with backoff. Sending never blocks the caller (the event bus, the segment pipeline); failures are
// logged, and a full queue drops its oldest alert rather than growing without bound.
import type { Logger } from '../logger.js';

/** The JSON body of one webhook call. */
export interface AlertPayload {
  readonly alert: string;
  readonly severity: 'warning' | 'critical';
  readonly message: string;
  /** When the alert was raised (unix ms). */
  readonly ts: number;
  readonly node: { readonly version: string; readonly address?: string };
}

export interface AlertWebhookOptions {
  /** Read at each delivery so `gw config set alertWebhookUrl` applies live; undefined: alerts are not posted. */
  url(): string | undefined;
  readonly log: Logger;
  /** Per-attempt timeout (default 5 s). */
  readonly timeoutMs?: number;
  /** Attempts per alert, first included (default 3). */
  readonly attempts?: number;
  /** Delay before the first retry; doubles after each (default 1 s). */
  readonly backoffMs?: number;
  /** Alerts waiting at most (default 100). */
  readonly maxQueue?: number;
  readonly userAgent?: string;
}

/** Outcome of one delivery, for tests and logs. */
export type DeliveryResult = { ok: true; attempts: number } | { ok: false; attempts: number; error: string } | { ok: false; attempts: 0; error: 'no webhook url' };

export class AlertWebhook {
  private readonly queue: AlertPayload[] = [];
  private running: Promise<void> | undefined;
  private readonly abort = new AbortController();
  private closed = false;
  /** Deliveries finished so far (tests wait on it). */
  delivered = 0;

  constructor(private readonly opts: AlertWebhookOptions) {}

  /** Queues an alert for delivery and returns at once. */
  send(payload: AlertPayload): void {
    if (this.closed || !this.opts.url()) return;
    this.queue.push(payload);
    const max = this.opts.maxQueue ?? 100;
    if (this.queue.length > max) {
      const dropped = this.queue.splice(0, this.queue.length - max);
      this.opts.log.warn({ dropped: dropped.length }, 'alert webhook queue full: dropped the oldest alerts');
    }
    this.running ??= this.drain().finally(() => (this.running = undefined));
  }

  /** Stops taking alerts; waits up to `graceMs` for queued ones, then cancels what is left. */
  async close(graceMs = 2000): Promise<void> {
    this.closed = true;
    const running = this.running;
    if (running) {
      const timer = setTimeout(() => this.abort.abort(), graceMs);
      await running;
      clearTimeout(timer);
    }
    this.abort.abort();
  }

  private async drain(): Promise<void> {
    for (let next = this.queue.shift(); next; next = this.queue.shift()) {
      const r = await this.deliver(next);
      this.delivered++;
      if (!r.ok && r.attempts > 0) this.opts.log.warn({ alert: next.alert, attempts: r.attempts, err: r.error }, 'alert webhook delivery failed');
      if (this.abort.signal.aborted) {
        this.queue.length = 0;
        return;
      }
    }
  }

  /** POSTs one alert with retries (network errors, timeouts, 429 and 5xx are retried; other 4xx are not). */
  private async deliver(payload: AlertPayload): Promise<DeliveryResult> {
    const url = this.opts.url();
    if (!url) return { ok: false, attempts: 0, error: 'no webhook url' };
    const attempts = Math.max(1, this.opts.attempts ?? 3);
    const body = JSON.stringify(payload);
    let delay = this.opts.backoffMs ?? 1000;
    let error = '';
    for (let attempt = 1; attempt <= attempts; attempt++) {
      if (this.abort.signal.aborted) return { ok: false, attempts: attempt - 1, error: 'cancelled at shutdown' };
      let retry = true;
      try {
        const res = await fetch(url, {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'user-agent': this.opts.userAgent ?? 'gw' },
          body,
          signal: AbortSignal.any([this.abort.signal, AbortSignal.timeout(this.opts.timeoutMs ?? 5000)]),
        });
        await res.arrayBuffer().catch(() => undefined);
        if (res.ok) return { ok: true, attempts: attempt };
        error = `HTTP ${res.status}`;
        retry = res.status === 429 || res.status >= 500;
      } catch (err) {
        error = describe(err);
      }
      if (!retry) return { ok: false, attempts: attempt, error };
      if (attempt < attempts) {
        await sleep(delay, this.abort.signal);
        delay *= 2;
      }
    }
    return { ok: false, attempts, error };
  }
}

function describe(err: unknown): string {
  const e = err as Error & { cause?: { code?: string; message?: string } };
  if (e.name === 'TimeoutError') return 'timed out';
  if (e.name === 'AbortError') return 'cancelled';
  return e.cause?.code ?? e.cause?.message ?? e.message;
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const t = setTimeout(done, ms);
    function done() {
      clearTimeout(t);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done, { once: true });
  });
}
