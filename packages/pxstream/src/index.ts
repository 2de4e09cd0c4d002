/**
 * pxstream: load users, accounts, custom events and user preferences into Gainsight PX.
 *
 * `load()` is the one call: it runs a whole load (pre-flight, rejects file, checkpoint and
 * resume, report) and resolves to its report. The stages it is built of are re-exported for
 * pipelines of your own (see the README's "Stages" section). `exportRecords()`, `count()`,
 * `verify()` and `rebuildLedger()` read PX back, with the same options, limiter and waits;
 * `deleteRecords()` deletes the users or accounts an input names, caps first. The PX emulator is
 * `pxstream/emulator`: importing `pxstream` does not load it.
 */

export { loadConfig, type PxConfig, parseConfig, type RecordType, resolveFieldTypes } from '@pxstream/config';
export {
  createStepStream,
  isPxStreamError,
  PxStreamError,
  type Rejection,
  type RowEnvelope,
  type RowOutcome,
  type RunStats,
  startPipeline,
} from '@pxstream/core';
export {
  type CountOptions,
  type CountReport,
  count,
  type DeleteOptions,
  type DeleteProgress,
  type DeleteReport,
  type DeleteRowEvent,
  deleteRecords,
  type ExportFormat,
  type ExportOptions,
  type ExportOutput,
  type ExportProgress,
  type ExportRecord,
  type ExportReport,
  type ExportRun,
  type ExportWriteOptions,
  exportRecords,
  type InputFormat,
  type InputObject,
  LoadError,
  type LoadErrorCode,
  type LoadInput,
  type LoadOptions,
  type LoadProgress,
  type LoadReport,
  type LogEntry,
  load,
  type RebuildOptions,
  type RebuildProgress,
  type RebuildReport,
  type RowEvent,
  rebuildLedger,
  type VerifyDifference,
  type VerifyOptions,
  type VerifyProgress,
  type VerifyReadBy,
  type VerifyReport,
  verify,
} from '@pxstream/load';
export { compileMapper, type Mapper, type MapperOptions } from '@pxstream/mapper';
export { createRejectsStream, openRejectsWriter } from '@pxstream/sink-errors';
export { createPxClient, createPxSink, type PxSinkOptions, type PxSinkStats } from '@pxstream/sink-px';
export { type CsvSourceOptions, createCsvSource } from '@pxstream/source-csv';
export { createJsonArraySource, type JsonArraySourceOptions } from '@pxstream/source-json';
export { createJsonlSource } from '@pxstream/source-jsonl';
export { createObjectSource, type ObjectSourceOptions } from '@pxstream/source-objects';
export { type PxReaderOptions, readPxRecords } from '@pxstream/source-px';
export { createValidator, type ValidatorOptions } from '@pxstream/validator';
