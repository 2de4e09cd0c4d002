import { nextUtcDay } from '@pxstream/ledger';

/** `14:02:11 UTC`: an instant as the load's messages say it (days turn at 00:00 UTC). */
export function clockTime(epochMs: number): string {
  return `${new Date(epochMs).toISOString().slice(11, 19)} UTC`;
}

/** `2h05m`, `4m10s`, `12s`: a length of time, to the second under an hour, else to the minute. */
export function durationText(ms: number): string {
  const total = Math.max(0, Math.round(ms / 1000));
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = total % 60;
  if (h > 0) return `${h}h${String(m).padStart(2, '0')}m`;
  return m > 0 ? `${m}m${String(s).padStart(2, '0')}s` : `${s}s`;
}

/** `in 7h12m`: the time from `now` to the next 00:00 UTC. */
export function untilText(now: number): string {
  return `in ${durationText(nextUtcDay(now) - now)}`;
}
