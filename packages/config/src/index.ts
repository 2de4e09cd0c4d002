export type { ParseConfigOptions, PxConfig } from './config.js';
export { KNOWN_KEYS } from './config.js';
export type { ConfigError, ConfigErrorCode } from './errors.js';
export { configError, isConfigError } from './errors.js';
export type {
  AttributeMetadata,
  FieldTypeInfo,
  FieldTypeSource,
  ResolveFieldTypesOptions,
} from './field-types.js';
export { checkMappedAttributes, resolveFieldTypes } from './field-types.js';
export type { JsonErrorPosition } from './json-error.js';
export { findJsonError } from './json-error.js';
export type { LoadConfigOptions } from './load.js';
export { loadConfig, requireApiKey } from './load.js';
export type { FieldClass } from './mapping.js';
export { checkMapping, classifyField } from './mapping.js';
export type { FieldSpec, PxType, RecordType } from './model.js';
export {
  freeFormPrefixOf,
  GENDERS,
  isPxType,
  isRecordType,
  keyFieldOf,
  modelFor,
  PX_MODEL,
  PX_TYPES,
  RECORD_TYPES,
  requiredMappingsOf,
  reservedFieldsOf,
  USER_TYPES,
} from './model.js';
export { parseConfig } from './parse.js';
export type { DataCenter } from './url.js';
export { checkBaseUrl, DATA_CENTERS, isLoopbackUrl, parseDataCenter } from './url.js';
