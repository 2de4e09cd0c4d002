import { PxStreamError } from '@pxstream/core';

/** Codes of the errors `@pxstream/config` raises. All are fatal: the run stops before any row. */
export type ConfigErrorCode =
  | 'CONFIG_FILE_NOT_FOUND'
  | 'CONFIG_UNREADABLE'
  | 'CONFIG_INVALID_JSON'
  | 'CONFIG_NOT_OBJECT'
  | 'CONFIG_UNKNOWN_TYPE'
  | 'CONFIG_INVALID_VALUE'
  | 'CONFIG_NO_MAPPING'
  | 'CONFIG_INVALID_MAPPING'
  | 'CONFIG_KEY_NOT_MAPPED'
  | 'CONFIG_REQUIRED_NOT_MAPPED'
  | 'CONFIG_UNKNOWN_FIELD'
  | 'CONFIG_READ_ONLY_FIELD'
  | 'CONFIG_RESERVED_FIELD'
  | 'CONFIG_FIELD_CONFLICT'
  | 'CONFIG_UNKNOWN_DATA_CENTER'
  | 'CONFIG_UNKNOWN_TIMEZONE'
  | 'CONFIG_MISSING_PRODUCT_KEY'
  | 'CONFIG_INVALID_BASE_URL'
  | 'CONFIG_INVALID_RATE'
  | 'CONFIG_INVALID_CONCURRENCY'
  | 'CONFIG_INVALID_ATTRIBUTE_TYPES'
  | 'CONFIG_MISSING_API_KEY';

export type ConfigError = PxStreamError<ConfigErrorCode>;

/**
 * A fatal config error. `where` is the file (or `env`) the problem is in; `field` the setting.
 * Messages are single-line and never quote file content, so the API key cannot leak into one.
 */
export function configError(
  code: ConfigErrorCode,
  where: string,
  message: string,
  options: { field?: string; line?: number; column?: number; cause?: unknown } = {},
): ConfigError {
  return new PxStreamError(code, `${where}: ${message}`, { ...options, fatal: true });
}

export function isConfigError(error: unknown): error is ConfigError {
  return error instanceof PxStreamError && error.code.startsWith('CONFIG_');
}
