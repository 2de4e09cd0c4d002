export { detectDelimiter } from './delimiter.js';
export type { CsvEngineOptions, CsvEngineOutput, CsvResumePoint } from './engine.js';
export { CsvEngine } from './engine.js';
export type { CsvError, CsvErrorCode } from './errors.js';
export { MAX_RAW_BYTES } from './raw.js';
export { csvResumeAfter } from './resume.js';
export type { CsvSource, CsvSourceOptions } from './source.js';
export { createCsvSource, DEFAULT_MAX_RECORD_SIZE } from './source.js';
