/**
 * Counters of the API traffic. `maxPerSecond` is an exact sliding-window maximum: every
 * arrival is timestamped (monotonic clock) and the count of arrivals in the last 1000 ms,
 * ending at each arrival, is compared with the maximum. A ring buffer holds the timestamps
 * of the last second only. The simulated other client is counted apart (`other`): it is
 * never in `requests`, `rateLimited` or `maxPerSecond`.
 */
import type { EmulatorStats } from './options.js';

export type FaultKind = keyof EmulatorStats['faults'];

const noFaults = (): EmulatorStats['faults'] => ({
  serverError: 0,
  resetBefore: 0,
  resetAfter: 0,
  hang: 0,
  trickle: 0,
  throttle: 0,
  gateway403: 0,
  gateway504: 0,
});

const noDeletes = (): EmulatorStats['deleted'] => ({ users: 0, accounts: 0, cascadedUsers: 0, hardUsers: 0 });

export class StatsCollector {
  requests = 0;
  rateLimited = 0;
  maxPerSecond = 0;
  byRoute: Record<string, Record<string, number>> = {};
  faults: EmulatorStats['faults'] = noFaults();
  created = { users: 0, accounts: 0, events: 0 };
  deleted = noDeletes();
  revived = { users: 0 };
  other = { admitted: 0, refused: 0 };
  private ring = new Float64Array(1024);
  private head = 0;
  private count = 0;

  constructor(private readonly clock: () => number = () => performance.now()) {}

  /** One API request arrived. */
  arrival(): void {
    this.requests++;
    const now = this.clock();
    while (this.count > 0 && this.ring[this.head]! <= now - 1000) {
      this.head = (this.head + 1) % this.ring.length;
      this.count--;
    }
    if (this.count === this.ring.length) this.grow();
    this.ring[(this.head + this.count) % this.ring.length] = now;
    this.count++;
    if (this.count > this.maxPerSecond) this.maxPerSecond = this.count;
  }

  private grow(): void {
    const next = new Float64Array(this.ring.length * 2);
    for (let i = 0; i < this.count; i++) next[i] = this.ring[(this.head + i) % this.ring.length]!;
    this.ring = next;
    this.head = 0;
  }

  /** An outcome of a route: an HTTP status, or `resetBefore`/`resetAfter`/`hang` when none was sent. */
  outcome(routeKey: string, status: number | string): void {
    const route = (this.byRoute[routeKey] ??= {});
    const key = String(status);
    route[key] = (route[key] ?? 0) + 1;
    if (status === 429) this.rateLimited++;
  }

  fault(kind: FaultKind): void {
    this.faults[kind]++;
  }

  reset(): void {
    this.requests = 0;
    this.rateLimited = 0;
    this.maxPerSecond = 0;
    this.byRoute = {};
    this.faults = noFaults();
    this.created = { users: 0, accounts: 0, events: 0 };
    this.deleted = noDeletes();
    this.revived = { users: 0 };
    this.other = { admitted: 0, refused: 0 };
    this.head = 0;
    this.count = 0;
  }

  /** `outage`: the outage's counters, kept by the outage itself (none by default). */
  snapshot(
    records: EmulatorStats['records'],
    outage: EmulatorStats['outage'] = { down: false, outages: 0, requests: 0 },
  ): EmulatorStats {
    const byRoute: EmulatorStats['byRoute'] = {};
    for (const [route, statuses] of Object.entries(this.byRoute)) byRoute[route] = { ...statuses };
    return {
      requests: this.requests,
      byRoute,
      rateLimited: this.rateLimited,
      maxPerSecond: this.maxPerSecond,
      faults: { ...this.faults },
      created: { ...this.created },
      records,
      deleted: { ...this.deleted },
      revived: { ...this.revived },
      outage,
      otherClient: { ...this.other },
    };
  }
}
