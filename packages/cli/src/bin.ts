import { setFlagsFromString } from 'node:v8';
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

/** Entry point of the `pxstream` bin. */
export async function main(argv: string[] = process.argv.slice(2)): Promise<void> {
  setFlagsFromString(`--heap-growing-percent=${HEAP_GROWING_PERCENT}`);
  process.exitCode = await runCli(argv, processIO());
}
