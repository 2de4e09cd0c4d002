export type { SourcePxError, SourcePxErrorCode } from './errors.js';
export { ScrollPosition } from './position.js';
export {
  DEFAULT_MAX_RESTARTS,
  DEFAULT_PAGE_SIZE,
  DEFAULT_PARTITION_MIN_RECORDS,
  firstPageQuery,
  readPxRecords,
} from './reader.js';
export type {
  PxListClient,
  PxPageEvent,
  PxPartitionEvent,
  PxReaderOptions,
  PxReaderStats,
  PxRecordReader,
  PxRecordType,
  PxRestartEvent,
} from './types.js';
