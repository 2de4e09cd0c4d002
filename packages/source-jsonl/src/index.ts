export type { JsonlEngineOptions, JsonlEngineOutput, JsonlResumePoint } from './engine.js';
export { JsonlEngine } from './engine.js';
export type { JsonlError, JsonlErrorCode } from './errors.js';
export { MAX_RAW_BYTES } from './raw.js';
export { jsonlResumeAfter } from './resume.js';
export type { JsonlSource, JsonlSourceOptions } from './source.js';
export { createJsonlSource, DEFAULT_MAX_LINE_SIZE } from './source.js';
