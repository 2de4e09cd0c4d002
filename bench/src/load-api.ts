/** `load()` for the cases that run a load in-process (to read its `onProgress`). */
export type { LoadOptions, LoadProgress, LoadReport } from '@pxstream/load';
export { load } from '@pxstream/load';
