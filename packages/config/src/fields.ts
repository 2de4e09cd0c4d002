import type { PxConfig } from './config.js';
import { configError } from './errors.js';
import { isPxType, type PxType, type RecordType } from './model.js';
import { checkBaseUrl, DATA_CENTERS, parseDataCenter } from './url.js';

export type JsonObject = { [key: string]: unknown };
type Env = Readonly<Record<string, string | undefined>>;
type Fields = Omit<PxConfig, 'path' | 'fieldMapping'>;

/**
 * Checks every top-level setting but `fieldMapping`, applying `PX_API_KEY`, `PX_BASE_URL` and
 * `PX_PRODUCT_KEY` (one key, or several separated by commas).
 */
export function checkFields(root: JsonObject, where: string, env: Env, type: RecordType | undefined): Fields {
  const dataCenter = checkDataCenter(root.dataCenter, where);
  const envBaseUrl = nonEmpty(env.PX_BASE_URL);
  const envProductKey = nonEmpty(env.PX_PRODUCT_KEY);
  const baseUrl =
    envBaseUrl !== undefined
      ? checkBaseUrl(envBaseUrl, 'PX_BASE_URL (environment)', 'PX_BASE_URL')
      : root.baseUrl !== undefined
        ? checkBaseUrl(root.baseUrl, where, 'baseUrl')
        : DATA_CENTERS[dataCenter];
  const fields: Fields = {
    apiKey: nonEmpty(env.PX_API_KEY) ?? checkApiKey(root.apiKey, where),
    productKeys:
      envProductKey !== undefined
        ? checkProductKeys(envProductKey.split(','), 'PX_PRODUCT_KEY (environment)', type)
        : checkProductKeys(root.productKey, where, type),
    dataCenter,
    baseUrl,
    timezone: checkTimezone(root.timezone, where),
    attributeTypes: checkAttributeTypes(root.attributeTypes, where),
    warnings: [],
  };
  if (root.rate !== undefined) fields.rate = checkRate(root.rate, where);
  if (root.concurrency !== undefined) fields.concurrency = checkConcurrency(root.concurrency, where);
  if (root.eventKey !== undefined) fields.eventKey = checkEventKey(root.eventKey, where);
  if (root.eventRetentionDays !== undefined) {
    fields.eventRetentionDays = checkRetentionDays(root.eventRetentionDays, where);
  }
  return fields;
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value.trim() === '' ? undefined : value.trim();
}

/** Never quotes the value: it is the secret. */
function checkApiKey(value: unknown, where: string): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') {
    throw configError('CONFIG_INVALID_VALUE', where, 'apiKey must be a string', { field: 'apiKey' });
  }
  return nonEmpty(value);
}

function checkProductKeys(value: unknown, where: string, type: RecordType | undefined): string[] {
  const keys = typeof value === 'string' ? [value] : Array.isArray(value) ? value : undefined;
  if (value !== undefined && value !== null) {
    if (!keys || keys.some((key) => typeof key !== 'string' || key.trim() === '')) {
      throw configError(
        'CONFIG_INVALID_VALUE',
        where,
        'productKey must be a non-empty string or list of strings',
        {
          field: 'productKey',
        },
      );
    }
  }
  const list = (keys ?? []).map((key) => (key as string).trim());
  if (list.length === 0 && type !== undefined && type !== 'USER_PREFERENCES') {
    throw configError('CONFIG_MISSING_PRODUCT_KEY', where, `productKey is required to load ${type} records`, {
      field: 'productKey',
    });
  }
  return list;
}

function checkDataCenter(value: unknown, where: string): PxConfig['dataCenter'] {
  if (value === undefined || value === null) return 'US';
  const dataCenter = parseDataCenter(value);
  if (!dataCenter) {
    throw configError(
      'CONFIG_UNKNOWN_DATA_CENTER',
      where,
      `dataCenter must be one of ${Object.keys(DATA_CENTERS).join(', ')}`,
      { field: 'dataCenter' },
    );
  }
  return dataCenter;
}

/** An IANA name Intl knows; returned in its canonical spelling. */
function checkTimezone(value: unknown, where: string): string {
  if (value === undefined || value === null) return 'UTC';
  const fail = () =>
    configError(
      'CONFIG_UNKNOWN_TIMEZONE',
      where,
      'timezone must be an IANA time zone name such as Europe/Berlin',
      {
        field: 'timezone',
      },
    );
  if (typeof value !== 'string' || value.trim() === '') throw fail();
  try {
    return new Intl.DateTimeFormat('en-US', { timeZone: value.trim() }).resolvedOptions().timeZone;
  } catch {
    throw fail();
  }
}

function checkAttributeTypes(value: unknown, where: string): Record<string, PxType> {
  if (value === undefined || value === null) return {};
  const field = 'attributeTypes';
  if (typeof value !== 'object' || Array.isArray(value)) {
    throw configError(
      'CONFIG_INVALID_ATTRIBUTE_TYPES',
      where,
      `${field} must be an object of pxField: type`,
      {
        field,
      },
    );
  }
  const out: Record<string, PxType> = {};
  for (const [path, type] of Object.entries(value)) {
    if (!path.startsWith('customAttributes.') && !path.startsWith('attributes.')) {
      throw configError(
        'CONFIG_INVALID_ATTRIBUTE_TYPES',
        where,
        `${field}: "${path}" is not a custom attribute (customAttributes.* or attributes.*)`,
        { field: `${field}.${path}` },
      );
    }
    const upper = typeof type === 'string' ? type.trim().toUpperCase() : undefined;
    if (!isPxType(upper)) {
      throw configError(
        'CONFIG_INVALID_ATTRIBUTE_TYPES',
        where,
        `${field}.${path} must be STRING, NUMBER, BOOLEAN or DATE_TIME`,
        { field: `${field}.${path}` },
      );
    }
    out[path] = upper;
  }
  return out;
}

function checkRate(value: unknown, where: string): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) {
    throw configError('CONFIG_INVALID_RATE', where, 'rate must be a positive number of requests per second', {
      field: 'rate',
    });
  }
  return value;
}

function checkConcurrency(value: unknown, where: string): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value <= 0) {
    throw configError('CONFIG_INVALID_CONCURRENCY', where, 'concurrency must be a positive integer', {
      field: 'concurrency',
    });
  }
  return value;
}

function checkEventKey(value: unknown, where: string): string {
  if (typeof value !== 'string' || value.trim() === '') {
    throw configError('CONFIG_INVALID_VALUE', where, 'eventKey must name a source column', {
      field: 'eventKey',
    });
  }
  return value;
}

/**
 * The events ledger's longest window: its entries stamp the day in 14 bits and count ages
 * modulo 2^14, exact up to half of that (`MAX_RETENTION_DAYS` of @pxstream/ledger, which this
 * package does not depend on).
 */
const MAX_EVENT_RETENTION_DAYS = 4096;

function checkRetentionDays(value: unknown, where: string): number {
  if (
    typeof value !== 'number' ||
    !Number.isSafeInteger(value) ||
    value < 1 ||
    value > MAX_EVENT_RETENTION_DAYS
  ) {
    throw configError(
      'CONFIG_INVALID_VALUE',
      where,
      `eventRetentionDays must be a whole number of days from 1 to ${MAX_EVENT_RETENTION_DAYS}`,
      {
        field: 'eventRetentionDays',
      },
    );
  }
  return value;
}
