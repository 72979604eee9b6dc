/**
 * Counts requests in fixed one-second windows. "High load" means the last complete window saw more
 * than `thresholdRps` requests; it is cheap enough to call on every log line.
 */
export class LoadMeter {
  private windowStart = 0;
  private current = 0;
  private previous = 0;

  constructor(private readonly thresholdRps: number) {}

  /** Records one request. */
  hit(now = Date.now()): void {
    this.roll(now);
    this.current++;
  }

  /** Requests seen in the last complete one-second window. */
  rate(now = Date.now()): number {
    this.roll(now);
    return this.previous;
  }

  high(now = Date.now()): boolean {
    return this.rate(now) > this.thresholdRps;
  }

  private roll(now: number): void {
    const elapsed = now - this.windowStart;
    if (elapsed < 1000) return;
    // A gap of more than one window means the previous window was empty.
    this.previous = elapsed < 2000 ? this.current : 0;
    this.current = 0;
    this.windowStart = now - (elapsed % 1000);
  }
}
