import { IANAZone } from 'luxon';

const MINUTE = 60_000;
const DAY = 86_400_000;
const CACHE_LIMIT = 100_000;

/**
 * Turns wall-clock times of one IANA zone into instants. Zone offsets come from luxon's
 * `IANAZone.offset` (Intl underneath) and are cached per UTC day, so a file of millions of dates
 * asks Intl about once per distinct day; days holding a transition are computed exactly.
 *
 * Wall times that do not exist or happen twice are resolved like Temporal's `compatible`
 * disambiguation (and java.time): a time in a gap (2024-03-10 02:30 in Los Angeles) moves
 * forward by the gap (03:30 PDT); a time in an overlap (2024-11-03 01:30) takes the earlier
 * instant (01:30 PDT). Luxon's own `fromISO` is not used for this: its choice in an overlap
 * depends on the offset in force on the day the program runs.
 *
 * Assumption: a zone changes its offset at most once within any two consecutive days.
 */
export class ZoneClock {
  readonly zone: string;
  private readonly iana: IANAZone | undefined;
  private readonly days = new Map<number, number>();

  constructor(zone: string) {
    this.zone = zone;
    const fixedUtc = zone === 'UTC' || zone === 'Etc/UTC' || zone === 'Etc/GMT' || zone === 'GMT';
    if (fixedUtc) return;
    const iana = IANAZone.create(zone);
    if (!iana.isValid) throw new RangeError(`unknown time zone: ${zone}`);
    this.iana = iana;
  }

  /** The zone's offset from UTC at `epochMs`, in milliseconds. */
  offsetAt(epochMs: number): number {
    const iana = this.iana;
    if (iana === undefined) return 0;
    const day = Math.floor(epochMs / DAY);
    const cached = this.days.get(day);
    if (cached !== undefined && !Number.isNaN(cached)) return cached;
    if (cached === undefined) {
      const start = exactOffset(iana, day * DAY);
      const end = exactOffset(iana, day * DAY + DAY - 1);
      if (this.days.size >= CACHE_LIMIT) this.days.clear();
      // NaN marks a day that holds a transition: its offsets are computed per call.
      this.days.set(day, start === end ? start : Number.NaN);
      if (start === end) return start;
    }
    return exactOffset(iana, epochMs);
  }

  /**
   * The instant of a wall-clock time, given as milliseconds since 1970-01-01T00:00 of the same
   * calendar (`Date.UTC` of the local fields).
   */
  toEpoch(localMs: number): number {
    if (this.iana === undefined) return localMs;
    const before = this.offsetAt(localMs - DAY);
    const after = this.offsetAt(localMs + DAY);
    if (before === after) return localMs - before;
    const early = localMs - before;
    const late = localMs - after;
    const earlyValid = this.offsetAt(early) === before;
    const lateValid = this.offsetAt(late) === after;
    if (earlyValid && lateValid) return Math.min(early, late); // overlap: the earlier instant
    if (earlyValid) return early;
    if (lateValid) return late;
    return early; // gap: read with the offset before the transition, i.e. moved forward by the gap
  }
}

function exactOffset(iana: IANAZone, epochMs: number): number {
  return Math.round(iana.offset(epochMs) * MINUTE);
}

const clocks = new Map<string, ZoneClock>();

/** One shared clock per zone name (its cache then serves every mapper of the process). */
export function zoneClock(zone: string): ZoneClock {
  let clock = clocks.get(zone);
  if (clock === undefined) {
    clock = new ZoneClock(zone);
    clocks.set(zone, clock);
  }
  return clock;
}
