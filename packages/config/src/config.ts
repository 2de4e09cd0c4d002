import type { PxType, RecordType } from './model.js';
import type { DataCenter } from './url.js';

/** A loaded, checked config.json (Gainsight's format plus pxstream's additions). */
export interface PxConfig {
  /** The file it came from (absolute or as given), for messages. */
  path: string;
  /** `apiKey`, or `PX_API_KEY` from the environment. May be absent (dry run, emulator). */
  apiKey: string | undefined;
  /** `productKey` as a list (Gainsight accepts a string or a list); sent as `propertyKeys`. */
  productKeys: string[];
  dataCenter: DataCenter;
  /** PX API base URL without trailing slash: from `PX_BASE_URL`, `baseUrl` or the data center. */
  baseUrl: string;
  /** IANA time zone dates without offset are read in (canonical name, default `UTC`). */
  timezone: string;
  /** pxField -> source column, per record type. Only the run's type is guaranteed checked. */
  fieldMapping: Partial<Record<RecordType, Record<string, string>>>;
  /** PX field path -> type, for custom attributes when PX's metadata cannot be read. */
  attributeTypes: Record<string, PxType>;
  /** Requests per second. */
  rate?: number;
  /** Requests in flight at most. */
  concurrency?: number;
  /**
   * CUSTOM_EVENT: the source column whose value identifies an event (an event id, a message
   * id): one event per key, across files and runs. Not sent unless it is also mapped.
   */
  eventKey?: string;
  /** CUSTOM_EVENT: days the events ledger remembers an event it recorded (default 30). */
  eventRetentionDays?: number;
  /** Things worth telling the user that do not stop the run (unknown keys...). */
  warnings: string[];
}

export interface ParseConfigOptions {
  /** Shown in messages. Default `config.json`. */
  path?: string;
  /** Environment for `PX_API_KEY`, `PX_BASE_URL` and `PX_PRODUCT_KEY`. Default `process.env`. */
  env?: Readonly<Record<string, string | undefined>>;
  /**
   * The record type of the run: its mapping must be there and is checked, and `productKey` is
   * required unless it is USER_PREFERENCES. Without it, every mapping present is checked.
   */
  type?: RecordType | undefined;
}

/** Top-level keys pxstream reads; any other key is reported in `warnings`. */
export const KNOWN_KEYS: readonly string[] = [
  'apiKey',
  'productKey',
  'dataCenter',
  'timezone',
  'fieldMapping',
  'baseUrl',
  'attributeTypes',
  'rate',
  'concurrency',
  'eventKey',
  'eventRetentionDays',
];
