/** The running emulator's mutable state: config, records, scrolls, limits, faults and stats. */
import { applyChanges, type ConfigChanges, type ResolvedConfig } from './config.js';
import { FaultPlan } from './faults.js';
import { Lister } from './list.js';
import type { EmulatorStats } from './options.js';
import { Limiter } from './rate-limit.js';
import { StatsCollector } from './stats.js';
import { Store } from './store.js';

export class EmulatorState {
  readonly store = new Store();
  readonly lister = new Lister();
  readonly stats = new StatsCollector();
  readonly limiter: Limiter;
  readonly faults: FaultPlan;
  private keys: Set<string>;

  constructor(readonly config: ResolvedConfig) {
    this.limiter = new Limiter(config.rateLimit, config.dailyQuota);
    this.faults = new FaultPlan(config.faults, config.latency);
    this.keys = new Set(config.apiKeys);
  }

  isKey(key: string | undefined): boolean {
    return key !== undefined && this.keys.has(key);
  }

  configure(changes: ConfigChanges): void {
    applyChanges(this.config, changes);
    if (changes.apiKeys !== undefined) this.keys = new Set(this.config.apiKeys);
    if (changes.rateLimit !== undefined) this.limiter.setRate(this.config.rateLimit);
    if (changes.dailyQuota !== undefined) this.limiter.setQuota(this.config.dailyQuota);
    if (changes.faults !== undefined) this.faults.setFaults(this.config.faults);
    if (changes.latency !== undefined) this.faults.setLatency(this.config.latency);
  }

  /** Clears records, events, preferences, scrolls, stats and limiter state; reseeds faults. */
  reset(): void {
    this.store.clear();
    this.lister.clear();
    this.stats.reset();
    this.limiter.reset();
    this.faults.reseed();
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
    return this.stats.snapshot(this.records());
  }
}
