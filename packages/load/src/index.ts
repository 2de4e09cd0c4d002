export { PARALLEL_DRY_RUN_MIN_BYTES } from './dry-run/parallel.js';
export type { LoadErrorCode, LoadFailureCode } from './errors.js';
export { LoadError } from './errors.js';
export { load } from './operations/load/load.js';
export type {
  InputFormat,
  InputObject,
  LoadInput,
  LoadOptions,
  LoadProgress,
  LogEntry,
  RowEvent,
} from './options.js';
export type { LoadReport } from './report.js';
