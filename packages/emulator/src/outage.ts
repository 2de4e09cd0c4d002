/**
 * PX down for a while: a scheduled outage (`outage: { afterRequests, forSec, kind }`, once) or
 * one started and ended by hand (`startOutage` / `endOutage`, the control plane's
 * `/__emulator/outage`). While down, every API request is refused first, before auth and the
 * limits (a down service's gateway answers for it): 503 with PX's JSON body, at once, or a reset
 * connection. Time is the monotonic clock, so tests move it instead of waiting.
 */
import type { OutageKind, OutageOptions } from './options.js';

export interface OutageStatus {
  down: boolean;
  kind: OutageKind;
  /** Monotonic ms the current outage began at (when down). */
  since?: number;
  /** Monotonic ms it ends at (when down with a duration). */
  until?: number;
}

export class Outage {
  /** Requests received since the plan was set, for `afterRequests`. */
  private seen = 0;
  private plan: OutageOptions | undefined;
  private current: { kind: OutageKind; since: number; until: number | undefined } | undefined;
  outages = 0;
  requestsWhileDown = 0;

  constructor(
    plan: OutageOptions | false,
    private readonly clock: () => number,
  ) {
    this.schedule(plan);
  }

  /** A new plan (or none), counting requests from now; an outage in progress goes on. */
  schedule(plan: OutageOptions | false): void {
    this.plan = plan === false ? undefined : plan;
    this.seen = 0;
  }

  /** Down now, for `forSec` seconds or until `end()`. */
  start(kind: OutageKind = '503', forSec?: number): void {
    const now = this.clock();
    this.current = { kind, since: now, until: forSec === undefined ? undefined : now + forSec * 1000 };
    this.outages++;
  }

  /** Up now; a scheduled outage not yet begun is cancelled. */
  end(): void {
    this.current = undefined;
    this.plan = undefined;
  }

  /** Forgets counters and any outage, and re-arms the plan. */
  reset(plan: OutageOptions | false): void {
    this.current = undefined;
    this.outages = 0;
    this.requestsWhileDown = 0;
    this.schedule(plan);
  }

  /**
   * One API request arrived: the outage kind refusing it, or undefined when PX is up. The
   * scheduled outage begins with the request after the first `afterRequests`.
   */
  arrival(): OutageKind | undefined {
    this.expire();
    if (!this.current && this.plan) {
      if (this.seen >= (this.plan.afterRequests ?? 0)) {
        const plan = this.plan;
        this.plan = undefined;
        this.start(plan.kind, plan.forSec);
      } else this.seen++;
    }
    if (!this.current) return undefined;
    this.requestsWhileDown++;
    return this.current.kind;
  }

  status(): OutageStatus {
    this.expire();
    if (!this.current) return { down: false, kind: this.plan?.kind ?? '503' };
    const { kind, since, until } = this.current;
    return until === undefined ? { down: true, kind, since } : { down: true, kind, since, until };
  }

  private expire(): void {
    if (this.current?.until !== undefined && this.clock() >= this.current.until) this.current = undefined;
  }
}
