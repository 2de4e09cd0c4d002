/**
 * The simulated other client of a key (the customer's other integration sharing its budget):
 * virtual requests evenly spaced at `perSecond` on the monotonic clock, the first one
 * 1000/perSecond ms after it starts. No timers: `catchUp(now)` replays, in order, every
 * arrival due since the last call, so each is judged by the limiter exactly as at its time.
 * The other client never retries a refused request.
 */
export class OtherClient {
  /** Arrivals replayed so far. */
  private done = 0;

  constructor(
    private readonly perSecond: number,
    private readonly origin: number,
  ) {}

  /** Calls `arrive(at)` for every arrival due at or before `now`, oldest first. */
  catchUp(now: number, arrive: (at: number) => void): void {
    const interval = 1000 / this.perSecond;
    for (;;) {
      const at = this.origin + (this.done + 1) * interval;
      if (at > now) return;
      this.done++;
      arrive(at);
    }
  }
}
