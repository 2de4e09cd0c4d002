import { PerformanceObserver } from 'node:perf_hooks';
import { getHeapSpaceStatistics, setFlagsFromString } from 'node:v8';
import { runCli } from './cli.js';
import { processIO } from './io.js';

/**
 * How far V8 lets the old generation grow past what survived its last full collection, in
 * percent. By default it grows up to 4x on a fast machine; a load's live heap is 15-20 MB,
 * but every request waiting for PX's rate budget outlives two young collections, so the old
 * generation filled with dead requests up to 60-80 MB before each full collection. At 30%
 * the heap of a `--changed-only` load at 3M ids stays at 55 MB instead of 75-110 MB (peak
 * RSS 150 MB instead of 170-200), for full collections of 5-10 ms a few times a minute.
 * Set by the bin only: a program that embeds `load()` keeps its own V8 settings.
 */
export const HEAP_GROWING_PERCENT = 30;

/**
 * The young generation's size (its two halves) past which it stops growing, in MB. V8 doubles
 * it, up to 32 MB, whenever enough survives its collections; in a load, rows waiting for a
 * request and requests waiting for the rate budget always survive a few, so it reached 32 MB,
 * where a dry run or a plan stays near 8. Held at 16 MB: the RSS of a `--changed-only` load at
 * 3M ids went from 150 to 135 MB (the 10M-id load of bench case 9 from 254 to 234 MB, its
 * target 250), for 6% more CPU at full speed (3M rows, 30,000 requests: 53.5 s -> 56.6 s
 * user). `--max-semi-space-size` would do it, but only as a flag of the node process: V8 reads
 * the growth factor at each growth, so the bin sets it to 1 once the size is reached.
 */
export const YOUNG_GENERATION_CAP_MB = 16;

function capYoungGeneration(): void {
  const observer = new PerformanceObserver(() => {
    const young = getHeapSpaceStatistics().find((space) => space.space_name === 'new_space');
    if (young === undefined || young.space_size < YOUNG_GENERATION_CAP_MB * 2 ** 20) return;
    setFlagsFromString('--semi-space-growth-factor=1');
    observer.disconnect();
  });
  observer.observe({ entryTypes: ['gc'] });
}

/** Entry point of the `pxstream` bin. */
export async function main(argv: string[] = process.argv.slice(2)): Promise<void> {
  setFlagsFromString(`--heap-growing-percent=${HEAP_GROWING_PERCENT}`);
  capYoungGeneration();
  process.exitCode = await runCli(argv, processIO());
}
