/**
 * Per-second counts for charts: a ring of the last 3,600 seconds, indexed by the monotonic
 * second since the start (or the last reset). An event is counted in the second it happens;
 * an event for a second older than the ring holds (a replayed other-client arrival after a
 * long pause) is dropped.
 */
import type { EmulatorTimeline, TimelineSecond } from './options.js';

export type TimelineField = Exclude<keyof TimelineSecond, 'second' | 'wallMs'>;

export const TIMELINE_SECONDS = 3600;

const empty = (second: number, wallMs: number): TimelineSecond => ({
  second,
  wallMs,
  admitted: 0,
  rateLimited: 0,
  throttled: 0,
  otherAdmitted: 0,
  otherRefused: 0,
  faults: 0,
  down: 0,
});

export class Timeline {
  private slots: Array<TimelineSecond | undefined> = [];
  private origin = 0;
  private originWall = 0;

  constructor(
    private readonly clock: () => number = () => performance.now(),
    private readonly wallClock: () => number = () => Date.now(),
    private readonly capacity = TIMELINE_SECONDS,
  ) {
    this.reset();
  }

  /** Forgets everything; second 0 starts now. */
  reset(): void {
    this.slots = new Array(this.capacity);
    this.origin = this.clock();
    this.originWall = this.wallClock();
  }

  private secondOf(at: number): number {
    return Math.max(0, Math.floor((at - this.origin) / 1000));
  }

  /** Counts one event at monotonic time `at` (default now). */
  add(field: TimelineField, at = this.clock()): void {
    const second = this.secondOf(at);
    const index = second % this.capacity;
    let slot = this.slots[index];
    if (slot && slot.second > second) return;
    if (!slot || slot.second < second) {
      this.slots[index] = slot = empty(second, this.originWall + second * 1000);
    }
    slot[field]++;
  }

  snapshot(): EmulatorTimeline {
    const current = this.secondOf(this.clock());
    const seconds: TimelineSecond[] = [];
    for (let second = Math.max(0, current - this.capacity + 1); second <= current; second++) {
      const slot = this.slots[second % this.capacity];
      seconds.push(slot?.second === second ? { ...slot } : empty(second, this.originWall + second * 1000));
    }
    return { startedAt: this.originWall, seconds };
  }
}
