// Graceful shutdown as one mechanism. Every kind of work the daemon takes in (video streams, AI requests, BYOC jobs,
// live AI streams; later runner sessions) registers one Intake; `gw stop` and SIGTERM turn every intake off at once and
// the daemon waits until all of them have drained (or the drain timeout passes). A new kind of work joins by
// registering, so shutdown never has to learn about it.
import type { ServerResponse } from 'node:http';

/** Told to clients refused while the daemon drains (code `draining`, HTTP 503). */
export const DRAINING_MESSAGE = 'the gateway is shutting down: it finishes the work it has and takes no new requests';

/** One kind of work the daemon takes in and lets finish before it exits. */
export interface Intake {
  /** Short name for logs (`video`, `ai`, `byoc`). */
  readonly name: string;
  /** Refuses new work from now on; work already taken in continues. */
  stopIntake(): void;
  /** Resolves when nothing taken in is still in flight. */
  drained(): Promise<void>;
  /** Units of work in flight now. */
  inFlight(): number;
}

/** Every intake of the daemon: stopped together, drained together. */
export class Intakes {
  private readonly all: Intake[] = [];
  private stopped = false;

  /** Adds an intake; one added after stop() is stopped at once (it would otherwise take work nobody waits for). */
  add(intake: Intake): void {
    this.all.push(intake);
    if (this.stopped) intake.stopIntake();
  }

  /** Turns every intake off. */
  stop(): void {
    this.stopped = true;
    for (const i of this.all) i.stopIntake();
  }

  /** Resolves when every intake has drained. */
  async drained(): Promise<void> {
    await Promise.all(this.all.map((i) => i.drained()));
  }

  /** Work in flight per intake (for the drain log lines). */
  inFlight(): Record<string, number> {
    return Object.fromEntries(this.all.map((i) => [i.name, i.inFlight()]));
  }
}

/**
 * Counts the requests of one intake: `admit()` lets a request in (or refuses it once intake has stopped) and its
 * release counts it out; `hold()` counts work an admitted request started that outlives its response (an
 * asynchronous job, a result download), which must finish too even though intake is closed by then.
 */
export class RequestGate implements Intake {
  private open = true;
  private count = 0;
  private waiters: Array<() => void> = [];

  constructor(readonly name: string) {}

  /** Counts one request in; returns its (idempotent) release, or undefined when intake has stopped. */
  admit(): (() => void) | undefined {
    if (!this.open) return undefined;
    return this.enter();
  }

  /**
   * Serves one HTTP request inside the gate: `refuse` answers it (503) when intake has stopped; otherwise `handle`
   * runs and the request counts until its response's last byte is out (a streamed reply ends there, not at its
   * headers). Returns false when refused.
   */
  async serve(res: ServerResponse, refuse: () => void, handle: () => Promise<void>): Promise<boolean> {
    const release = this.admit();
    if (!release) {
      refuse();
      return false;
    }
    try {
      await handle();
      await responseDone(res);
    } finally {
      release();
    }
    return true;
  }

  /** Counts `work` as in flight until it settles (its outcome stays the caller's to handle). */
  hold(work: Promise<unknown>): void {
    const release = this.enter();
    work.then(release, release);
  }

  /** True once intake has stopped. */
  get closed(): boolean {
    return !this.open;
  }

  stopIntake(): void {
    this.open = false;
  }

  drained(): Promise<void> {
    if (this.count === 0) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  inFlight(): number {
    return this.count;
  }

  private enter(): () => void {
    this.count++;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.count--;
      if (this.count > 0) return;
      const waiters = this.waiters;
      this.waiters = [];
      for (const w of waiters) w();
    };
  }
}

/** Resolves once a response has been handed to the OS in full, or its connection is gone. */
export function responseDone(res: ServerResponse): Promise<void> {
  if (res.writableFinished || res.destroyed) return Promise.resolve();
  return new Promise((resolve) => {
    res.once('finish', resolve);
    res.once('close', resolve);
  });
}
