/**
 * The rate as a function of monotonic time, CUBIC's shape (RFC 9438 §4.2, botocore's
 * `CubicCalculator`): from `at`, a concave rise from `from` to `plateau` over `rise` ms (fast at
 * first, flat near the plateau), the plateau for `hold` ms, then a convex probe above it (slow at
 * first): `plateau × (1 + gain × t³)`, t in seconds, never above `max`.
 */
export interface RateCurve {
  at: number;
  from: number;
  plateau: number;
  rise: number;
  hold: number;
  gain: number;
}

/** A level that holds until changed. */
export function flat(at: number, level: number, hold = Number.POSITIVE_INFINITY): RateCurve {
  return { at, from: level, plateau: level, rise: 0, hold, gain: 0 };
}

export function levelAt(curve: RateCurve, now: number, max: number): number {
  const t = now - curve.at;
  if (t <= 0) return curve.from;
  if (t < curve.rise) return curve.plateau - (curve.plateau - curve.from) * (1 - t / curve.rise) ** 3;
  const probing = (t - curve.rise - curve.hold) / 1000;
  if (!(probing > 0)) return curve.plateau;
  return Math.min(max, curve.plateau * (1 + curve.gain * probing ** 3));
}

/** The share of 429s among the latest `size` answers (a ring of bits). */
export class AnswerWindow {
  private readonly ring: Uint8Array;
  private next = 0;
  private count = 0;
  private throttles = 0;

  constructor(size: number) {
    this.ring = new Uint8Array(Math.max(1, size));
  }

  add(throttled: boolean): void {
    const bit = throttled ? 1 : 0;
    if (this.count === this.ring.length) this.throttles -= this.ring[this.next]!;
    else this.count++;
    this.ring[this.next] = bit;
    this.throttles += bit;
    this.next = (this.next + 1) % this.ring.length;
  }

  get share(): number {
    return this.count === 0 ? 0 : this.throttles / this.count;
  }
}
