/**
 * The reference: botocore's adaptive retry mode (`botocore/retries/adaptive.py`,
 * `throttling.py`), ported to the interface of pxstream's `ControlLaw` for the simulation. On
 * every throttling error (no epochs: echoes count too) W_max = the rate sent at, the rate
 * becomes 0.7 x that, and it grows as W(t) = C (t - K)^3 + W_max, C = 0.4,
 * K = cbrt(W_max (1 - 0.7) / C); never below 0.5/s (its token bucket's minimum), never above
 * the configured rate (its bucket starts unlimited; the cap stands for pxstream's --rate).
 */
import type { SimLaw } from './sim.js';

const BETA = 0.7;
const C = 0.4;
const MIN_RATE = 0.5;

export class BotocoreLaw implements SimLaw {
  epoch = 0;
  private wMax: number;
  private k = 0;
  private lastFail: number;

  constructor(
    private readonly max: number,
    now: number,
  ) {
    this.wMax = max;
    this.lastFail = now;
  }

  rate(now: number): number {
    const t = (now - this.lastFail) / 1000;
    return Math.max(MIN_RATE, Math.min(this.max, C * (t - this.k) ** 3 + this.wMax));
  }

  throttled(now: number): string {
    this.wMax = this.rate(now);
    this.k = Math.cbrt((this.wMax * (1 - BETA)) / C);
    this.lastFail = now;
    return 'cut';
  }

  succeeded(): boolean {
    return false;
  }

  paused(): void {}
}
