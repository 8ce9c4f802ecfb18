const FRAMES = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];

/** A minimal stderr spinner; silent when stderr is not a terminal (scripts, CI, --json). */
export class Spinner {
  private timer: NodeJS.Timeout | undefined;
  private frame = 0;

  constructor(
    private text: string,
    private readonly enabled = Boolean(process.stderr.isTTY),
  ) {}

  start(): this {
    if (!this.enabled) return this;
    this.timer = setInterval(() => {
      process.stderr.write(`\r${FRAMES[this.frame++ % FRAMES.length]} ${this.text}`);
    }, 80);
    return this;
  }

  update(text: string): void {
    this.text = text;
  }

  /** Stops and leaves a final line (✓ or ✗). */
  stop(final?: string): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    if (this.enabled) process.stderr.write(`\r\x1b[K${final ? `${final}\n` : ''}`);
  }
}
