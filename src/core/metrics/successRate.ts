/** How many recent segment outcomes `livepeer_success_rate` averages over (go-livepeer also averages recent segments). */
export const SUCCESS_RATE_WINDOW = 30;

/**
 * Fraction of the most recent source segments that came back transcoded. Every segment that enters the pipeline
 * ends in exactly one outcome (transcoded or failed), so counting outcomes rather than emerged segments keeps
 * segments still in flight from pulling the rate down.
 */
export class SuccessRateWindow {
  private readonly outcomes: boolean[] = [];
  private ok = 0;

  constructor(private readonly size = SUCCESS_RATE_WINDOW) {
    if (!Number.isInteger(size) || size < 1) throw new Error(`success rate window must be a positive integer, got ${size}`);
  }

  /** Records one segment's outcome and returns the new rate. */
  record(transcoded: boolean): number {
    this.outcomes.push(transcoded);
    if (transcoded) this.ok++;
    if (this.outcomes.length > this.size && this.outcomes.shift()) this.ok--;
    return this.rate()!;
  }

  /** Transcoded / all outcomes in the window; undefined before the first outcome. */
  rate(): number | undefined {
    return this.outcomes.length === 0 ? undefined : this.ok / this.outcomes.length;
  }
}
