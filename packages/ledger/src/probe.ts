/**
 * A measurement hook, not part of the API (index.ts does not export it): when set, it is
 * called with the name of each phase of an open and of a compaction as it ends, so that
 * scripts/measure-event-retention.mjs can read the memory at each one. Unset, it costs a
 * comparison per phase.
 */
export const probe: { phase: ((name: string) => void) | undefined } = { phase: undefined };

export function phase(name: string): void {
  probe.phase?.(name);
}
