import { IANAZone } from 'luxon';

const MINUTE = 60_000;
const DAY = 86_400_000;
const CACHE_LIMIT = 100_000;

/**
 * Turns wall-clock times of one IANA zone into instants. Zone offsets come from luxon's
 * `IANAZone.offset` (Intl underneath) and are cached per UTC day, so a file of millions of dates
 * asks Intl about once per distinct day; for a day holding a transition the cache keeps the
 * offsets on both sides and the instant of the change (found once, to the millisecond).
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
  private readonly days = new Map<number, number | Transition>();
  /** Per local calendar day: the offset when it and the days around it have one, else NaN. */
  private readonly localDays = new Map<number, number>();

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
    let cached = this.days.get(day);
    if (cached === undefined) {
      cached = dayOffsets(iana, day * DAY);
      if (this.days.size >= CACHE_LIMIT) this.days.clear();
      this.days.set(day, cached);
    }
    if (typeof cached === 'number') return cached;
    return epochMs < cached.at ? cached.before : cached.after;
  }

  /**
   * The instant of a wall-clock time, given as milliseconds since 1970-01-01T00:00 of the same
   * calendar (`Date.UTC` of the local fields).
   */
  toEpoch(localMs: number): number {
    if (this.iana === undefined) return localMs;
    const day = Math.floor(localMs / DAY);
    let fixed = this.localDays.get(day);
    if (fixed === undefined) {
      fixed = this.steadyOffset(day);
      if (this.localDays.size >= CACHE_LIMIT) this.localDays.clear();
      this.localDays.set(day, fixed);
    }
    if (!Number.isNaN(fixed)) return localMs - fixed;
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

  /**
   * The offset of every wall time of local day `day` when the UTC days it can fall in (the day
   * before to the day after) all have that one offset; NaN near a transition.
   */
  private steadyOffset(day: number): number {
    const offset = this.offsetAt((day - 1) * DAY);
    for (let d = day - 1; d <= day + 1; d++) {
      this.offsetAt(d * DAY);
      if (this.days.get(d) !== offset) return Number.NaN;
    }
    return offset;
  }
}

/** A day on which the offset changes, once: `before` until the instant `at`, `after` from it. */
interface Transition {
  readonly before: number;
  readonly after: number;
  readonly at: number;
}

/** The offset of the UTC day starting at `start`, or its transition (bisected to the ms). */
function dayOffsets(iana: IANAZone, start: number): number | Transition {
  const before = exactOffset(iana, start);
  const after = exactOffset(iana, start + DAY - 1);
  if (before === after) return before;
  let low = start;
  let high = start + DAY - 1;
  while (high - low > 1) {
    const middle = Math.floor((low + high) / 2);
    if (exactOffset(iana, middle) === before) low = middle;
    else high = middle;
  }
  return { before, after, at: high };
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
