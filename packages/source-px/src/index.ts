export type { SourcePxError, SourcePxErrorCode } from './errors.js';
export { ScrollPosition } from './position.js';
export type {
  PxListClient,
  PxPageEvent,
  PxReaderOptions,
  PxReaderStats,
  PxRecordReader,
  PxRecordType,
  PxRestartEvent,
} from './reader.js';
export { DEFAULT_MAX_RESTARTS, DEFAULT_PAGE_SIZE, firstPageQuery, readPxRecords } from './reader.js';
