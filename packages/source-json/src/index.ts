export type {
  JsonArrayEngineOptions,
  JsonArrayEngineOutput,
  JsonArrayResumePoint,
  JsonArrayRow,
} from './engine.js';
export { JsonArrayEngine } from './engine.js';
export type { JsonArrayError, JsonArrayErrorCode } from './errors.js';
export { MAX_RAW_BYTES } from './raw.js';
export { jsonArrayResumeAfter } from './resume.js';
export { looksLikeJsonArray, sniffJsonFormat } from './sniff.js';
export type { JsonArraySource, JsonArraySourceOptions } from './source.js';
export { createJsonArraySource, DEFAULT_MAX_RECORD_SIZE } from './source.js';
