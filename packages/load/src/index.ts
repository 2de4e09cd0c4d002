export { PARALLEL_DRY_RUN_MIN_BYTES } from './dry-run/parallel.js';
export type { LoadErrorCode, LoadFailureCode } from './errors.js';
export { LoadError } from './errors.js';
export type { CountOptions, CountReport } from './operations/count/count.js';
export { count } from './operations/count/count.js';
export { deleteRecords } from './operations/delete/delete.js';
export type {
  DeleteOptions,
  DeleteProgress,
  DeleteReport,
  DeleteRowEvent,
} from './operations/delete/types.js';
export type { ExportRun } from './operations/export/export.js';
export { exportRecords } from './operations/export/export.js';
export type {
  ExportFormat,
  ExportOptions,
  ExportOutput,
  ExportProgress,
  ExportRecord,
  ExportReport,
  ExportWriteOptions,
} from './operations/export/types.js';
export { load } from './operations/load/load.js';
export { rebuildLedger } from './operations/rebuild/rebuild.js';
export type {
  RebuildOptions,
  RebuildProgress,
  RebuildReport,
} from './operations/rebuild/types.js';
export type {
  VerifyDifference,
  VerifyOptions,
  VerifyProgress,
  VerifyReadBy,
  VerifyReport,
} from './operations/verify/types.js';
export { verify } from './operations/verify/verify.js';
export type {
  InputFormat,
  InputObject,
  LoadInput,
  LoadOptions,
  LoadProgress,
  LoadWait,
  LogCode,
  LogEntry,
  RowEvent,
} from './options.js';
export type { LoadReport, MirrorFigures } from './report.js';
