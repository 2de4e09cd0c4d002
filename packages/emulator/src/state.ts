/** The running emulator's mutable state: config, records, scrolls, limits, faults and stats. */
import { setTimeout as sleep } from 'node:timers/promises';
import { applyChanges, type ConfigChanges, type ResolvedConfig } from './config.js';
import { FaultPlan } from './faults.js';
import { Lister } from './list.js';
import type { EmulatorStats, EmulatorTimeline, OutageKind } from './options.js';
import { OtherClient } from './other-client.js';
import { Outage } from './outage.js';
import { type Admission, Limiter, type LimitVerdict } from './rate-limit.js';
import { StatsCollector } from './stats.js';
import { Store } from './store.js';
import { Timeline } from './timeline.js';

/** The clocks of the limits, stats and timeline, and the wait of the latency (injected by tests). */
export interface Clocks {
  /** Monotonic ms. */
  clock: () => number;
  /** Wall-clock epoch ms. */
  wallClock: () => number;
  /**
   * Waits `ms` before an API answer (the latency option). Tests give their own to hold an
   * answer until they release it, with no real time in the assertion.
   */
  sleep?: (ms: number) => Promise<unknown>;
}

const REAL_CLOCKS: Required<Clocks> = {
  clock: () => performance.now(),
  wallClock: () => Date.now(),
  sleep: (ms) => sleep(ms),
};

export class EmulatorState {
  readonly store = new Store();
  readonly lister: Lister;
  readonly outage: Outage;
  readonly stats: StatsCollector;
  readonly timeline: Timeline;
  readonly limiter: Limiter;
  readonly faults: FaultPlan;
  private keys: Set<string>;
  private other: OtherClient | undefined;
  private readonly clocks: Required<Clocks>;

  /** `clocks`: any left out are the real ones. */
  constructor(
    readonly config: ResolvedConfig,
    clocks: Partial<Clocks> = {},
  ) {
    const { clock, wallClock } = (this.clocks = { ...REAL_CLOCKS, ...clocks });
    this.stats = new StatsCollector(clock);
    this.timeline = new Timeline(clock, wallClock);
    this.limiter = new Limiter(config.rateLimit, config.dailyQuota, clock, wallClock, {
      body: config.dailyQuotaBody,
      dayLengthSec: config.dayLengthSec || undefined,
    });
    this.faults = new FaultPlan(config.faults, config.latency);
    this.outage = new Outage(config.outage, clock);
    this.lister = new Lister(clock, config.scrollTtlSec);
    this.store.setReviveWindow(config.reviveWindowSec);
    this.keys = new Set(config.apiKeys);
    this.startOtherClient();
  }

  /** Waits `ms` (the latency before an API answer), on the injected `sleep` if any. */
  sleep(ms: number): Promise<unknown> {
    return this.clocks.sleep(ms);
  }

  /** Wall-clock epoch ms (injectable): record dates and delete times. */
  wallNow(): number {
    return this.clocks.wallClock();
  }

  /** Takes PX down now. */
  startOutage(kind?: OutageKind, forSec?: number): void {
    this.outage.start(kind, forSec);
  }

  isKey(key: string | undefined): boolean {
    return key !== undefined && this.keys.has(key);
  }

  private startOtherClient(): void {
    const other = this.config.otherClient;
    this.other = other === false ? undefined : new OtherClient(other.perSecond, this.clocks.clock());
  }

  /**
   * Replays the other client's arrivals due by now against the first key's limit, each at its
   * own time (its wall-clock time derived from the monotonic one).
   */
  catchUpOtherClient(): void {
    if (!this.other) return;
    const now = this.clocks.clock();
    const wall = this.clocks.wallClock();
    const key = this.config.apiKeys[0]!;
    this.other.catchUp(now, (at) => {
      const admitted = this.limiter.admitOther(key, at, wall - (now - at));
      if (admitted) this.stats.other.admitted++;
      else this.stats.other.refused++;
      this.timeline.add(admitted ? 'otherAdmitted' : 'otherRefused', at);
    });
  }

  /** The limits for one real request of `key` (the other client's arrivals due first). */
  checkLimits(key: string): LimitVerdict {
    this.catchUpOtherClient();
    return this.limiter.check(key);
  }

  /** A request admitted by `checkLimits` was throttled: its budget and quota are given back. */
  release(admission: Admission): void {
    this.limiter.release(admission);
  }

  configure(changes: ConfigChanges): void {
    this.catchUpOtherClient(); // the arrivals so far, under the limits they arrived under
    applyChanges(this.config, changes);
    if (changes.apiKeys !== undefined) this.keys = new Set(this.config.apiKeys);
    if (changes.rateLimit !== undefined) this.limiter.setRate(this.config.rateLimit);
    if (changes.dailyQuota !== undefined) this.limiter.setQuota(this.config.dailyQuota);
    if (changes.faults !== undefined) this.faults.setFaults(this.config.faults);
    if (changes.latency !== undefined) this.faults.setLatency(this.config.latency);
    if (changes.otherClient !== undefined) this.startOtherClient();
    if (changes.dailyQuotaBody !== undefined) this.limiter.setQuotaBody(this.config.dailyQuotaBody);
    if (changes.dayLengthSec !== undefined) this.limiter.setDayLength(this.config.dayLengthSec || undefined);
    if (changes.outage !== undefined) this.outage.schedule(this.config.outage);
    if (changes.scrollTtlSec !== undefined) this.lister.setTtl(this.config.scrollTtlSec);
    if (changes.reviveWindowSec !== undefined) this.store.setReviveWindow(this.config.reviveWindowSec);
  }

  /**
   * Clears records, events, preferences, scrolls, stats, timeline and limiter state (compressed
   * days start again), ends any outage and re-arms the scheduled one; reseeds faults.
   */
  reset(): void {
    this.store.clear();
    this.lister.clear();
    this.outage.reset(this.config.outage);
    this.stats.reset();
    this.timeline.reset();
    this.limiter.reset();
    this.faults.reseed();
    this.startOtherClient();
  }

  records(): EmulatorStats['records'] {
    return {
      users: this.store.users.size,
      accounts: this.store.accounts.size,
      events: this.store.events.length,
      preferences: this.store.preferences.size,
    };
  }

  snapshot(): EmulatorStats {
    this.catchUpOtherClient();
    const { down } = this.outage.status();
    const { outages, requestsWhileDown: requests } = this.outage;
    return this.stats.snapshot(this.records(), { down, outages, requests });
  }

  timelineSnapshot(): EmulatorTimeline {
    this.catchUpOtherClient();
    return this.timeline.snapshot();
  }
}
