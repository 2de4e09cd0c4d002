import type { PxWaitEvent } from '@pxstream/sink-px';
import type { LoadWait } from '../options.js';
import type { LoadLog } from './log.js';
import { clockTime, durationText } from './times.js';

/**
 * The sink's waits for PX (`onWait`), said on the log: one line when a wait starts (since when,
 * what PX answered, requests sent today) and one when it ends; and the wait under way, for the
 * progress line.
 */
export class PxWaits {
  /** The wait under way, if any. */
  current: LoadWait | undefined;

  constructor(
    private readonly log: LoadLog,
    /** Requests sent to this PX today, when counted. */
    private readonly requestsToday: () => number | undefined,
  ) {}

  readonly onWait = (event: PxWaitEvent): void => {
    if (event.kind === 'wait-start') {
      this.current = { for: 'px', since: event.since, answer: event.answer };
      const today = this.requestsToday();
      const sent = today === undefined ? '' : `; ${today} requests sent to this PX today (UTC)`;
      this.log.info(
        `PX has refused or failed every request since ${clockTime(event.since)} (${event.answer}): ` +
          `waiting for it, one probe at a time, nothing else sent${sent}`,
        'PX_WAIT_START',
      );
    } else {
      this.current = undefined;
      const probes = event.probes === 1 ? '1 probe' : `${event.probes} probes`;
      this.log.info(
        `PX answers again after ${durationText(event.waitedMs)} of waiting (${probes}): carrying on`,
        'PX_WAIT_END',
      );
    }
  };
}
