/**
 * Counters of a client (and of the sink built on it), readable at any time during a run. Memory
 * is bounded: latency percentiles come from a ring of the latest samples, not from every
 * request of a million-row load.
 */
import type { RoundTrip } from './in-flight.js';

export interface LatencySummary {
  /** Mean over every answered request of the run. */
  mean: number;
  /** Median over the latest `LATENCY_WINDOW` answered requests. */
  p50: number;
  /** 95th percentile over the latest `LATENCY_WINDOW` answered requests. */
  p95: number;
  /** Slowest answered request of the run. */
  max: number;
}

export interface PxSinkStats {
  /** HTTP requests started (every attempt, read-backs included). */
  sent: number;
  /** Requests repeated because an earlier one failed (429, 5xx, reset, timeout). */
  retries: number;
  /** 429 answers received. */
  http429: number;
  /** Requests waiting for their answer right now. */
  inFlight: number;
  /** Rows accepted and not finished that have no request in flight (waiting for the limiter or a backoff). */
  queued: number;
  /** Rows accepted and not finished: `inFlight + queued`. */
  pending: number;
  updated: number;
  inserted: number;
  skipped: number;
  rejected: number;
  /**
   * Insert-missing rows of USER/ACCOUNT by their first write (`PUT` or `POST`, see
   * write-order.ts), and those whose first write was the wrong one (a `PUT` answered 404, a
   * `POST` answered 400): writes per row, retries and read-backs aside, are
   * `1 + fallbacks / rows`.
   */
  putFirst: number;
  postFirst: number;
  fallbacks: number;
  /** Answers per HTTP status (`"204"`), and failures without one (`"reset"`, `"timeout"`, `"connect"`). */
  byStatus: Record<string, number>;
  latencyMs: LatencySummary;
  /** Requests per second the adaptive limiter allows right now (lower than configured after 429s). */
  currentRate: number;
  /** Waits for PX so far (PX refused or failed every request for a spell: availability.ts). */
  waits: number;
  /** Time spent waiting for PX, the current wait included. */
  waitedMs: number;
  /** True while the sink waits for PX (probes only). */
  waiting: boolean;
  /** Requests in flight allowed right now (sized from the round trip unless `concurrency` pins it). */
  concurrency: number;
  /** The largest in-flight cap of the run so far. */
  peakConcurrency: number;
  /** Round trip of the latest answers (every status), the figure the in-flight cap is sized from. */
  roundTripMs: RoundTrip;
}

/** Where the in-flight figures come from (the limiter). */
export interface InFlightFigures {
  readonly concurrency: number;
  readonly peakConcurrency: number;
  roundTrip(): RoundTrip;
}

export const LATENCY_WINDOW = 1024;

export class LatencyWindow {
  private readonly ring = new Float64Array(LATENCY_WINDOW);
  private next = 0;
  private filled = 0;
  private sum = 0;
  private count = 0;
  private max = 0;

  add(ms: number): void {
    this.ring[this.next] = ms;
    this.next = (this.next + 1) % LATENCY_WINDOW;
    if (this.filled < LATENCY_WINDOW) this.filled++;
    this.sum += ms;
    this.count++;
    if (ms > this.max) this.max = ms;
  }

  summary(): LatencySummary {
    if (this.count === 0) return { mean: 0, p50: 0, p95: 0, max: 0 };
    const sorted = this.ring.slice(0, this.filled).sort();
    const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
    const round = (ms: number) => Math.round(ms * 10) / 10;
    return {
      mean: round(this.sum / this.count),
      p50: round(at(0.5)),
      p95: round(at(0.95)),
      max: round(this.max),
    };
  }
}

/** The mutable counters behind `PxSinkStats`. */
export class Counters {
  sent = 0;
  retries = 0;
  http429 = 0;
  inFlight = 0;
  pending = 0;
  updated = 0;
  inserted = 0;
  skipped = 0;
  rejected = 0;
  putFirst = 0;
  postFirst = 0;
  fallbacks = 0;
  readonly byStatus = new Map<string, number>();
  readonly latency = new LatencyWindow();
  /** Waits for PX, the time spent in those that ended, and the start of the current one (the session's clock). */
  waits = 0;
  waitedMs = 0;
  waitingSince: number | undefined;
  waitClock: () => number = () => performance.now();
  /** The in-flight cap and the round trip behind it (set by the session: its limiter). */
  inFlightFigures: InFlightFigures | undefined;

  countStatus(key: string | number): void {
    const name = String(key);
    this.byStatus.set(name, (this.byStatus.get(name) ?? 0) + 1);
  }

  snapshot(currentRate: number): PxSinkStats {
    return {
      sent: this.sent,
      retries: this.retries,
      http429: this.http429,
      inFlight: this.inFlight,
      queued: Math.max(0, this.pending - this.inFlight),
      pending: this.pending,
      updated: this.updated,
      inserted: this.inserted,
      skipped: this.skipped,
      rejected: this.rejected,
      putFirst: this.putFirst,
      postFirst: this.postFirst,
      fallbacks: this.fallbacks,
      byStatus: Object.fromEntries(this.byStatus),
      latencyMs: this.latency.summary(),
      currentRate: Math.round(currentRate * 100) / 100,
      waits: this.waits,
      waitedMs: Math.round(
        this.waitedMs + (this.waitingSince === undefined ? 0 : this.waitClock() - this.waitingSince),
      ),
      waiting: this.waitingSince !== undefined,
      concurrency: this.inFlightFigures?.concurrency ?? 0,
      peakConcurrency: this.inFlightFigures?.peakConcurrency ?? 0,
      roundTripMs: this.inFlightFigures?.roundTrip() ?? { p50: 0, p90: 0 },
    };
  }
}
