/**
 * One kind of record (users or accounts) in memory: a Map keyed by id holding the public
 * form of each record, so a GET serialises the stored object as is. Soft-deleted records
 * move to a second Map: they answer 404 everywhere in the API and a create revives the id.
 */
import type { JsonRecord } from './validate.js';

export interface RecordStoreOptions {
  key: 'identifyId' | 'id';
  /** Users carry `aptrinsicId` and `numberOfVisits`; accounts do not. */
  kind: 'user' | 'account';
}

const internedKeys = new Map<string, readonly string[]>();

/** Shares identical `propertyKeys` arrays between records (a million users, a few products). */
function intern(keys: unknown): unknown {
  if (!Array.isArray(keys) || keys.length > 8) return keys;
  const joined = keys.join('\u0000');
  const known = internedKeys.get(joined);
  if (known) return known;
  if (internedKeys.size < 1000) internedKeys.set(joined, Object.freeze([...keys]) as readonly string[]);
  return keys;
}

function isObject(value: unknown): value is JsonRecord {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Partial merge: only the fields sent change; location, coordinates and custom attributes key by key. */
export function mergeRecord(target: JsonRecord, patch: JsonRecord): void {
  for (const key of Object.keys(patch)) {
    const next = patch[key];
    const prev = target[key];
    if (key === 'location' && isObject(next) && isObject(prev)) {
      const merged: JsonRecord = { ...prev, ...next };
      if (isObject(next.coordinates) && isObject(prev.coordinates)) {
        merged.coordinates = { ...prev.coordinates, ...next.coordinates };
      }
      target.location = merged;
    } else if (key === 'customAttributes' && isObject(next) && isObject(prev)) {
      target.customAttributes = { ...prev, ...next };
    } else if (key === 'propertyKeys') {
      target.propertyKeys = intern(next);
    } else {
      target[key] = next;
    }
  }
}

export class RecordStore {
  readonly live = new Map<string, JsonRecord>();
  readonly deleted = new Map<string, JsonRecord>();
  private seq = 0;

  constructor(private readonly options: RecordStoreOptions) {}

  get size(): number {
    return this.live.size;
  }

  get(id: string): JsonRecord | undefined {
    return this.live.get(id);
  }

  private build(value: JsonRecord, now: number): JsonRecord {
    const record: JsonRecord = {};
    record[this.options.key] = value[this.options.key];
    if (this.options.kind === 'user') record.aptrinsicId = `emu-${(++this.seq).toString(36)}`;
    mergeRecord(record, value);
    record.createDate = now;
    record.lastModifiedDate = now;
    if (this.options.kind === 'user') record.numberOfVisits = 0;
    return record;
  }

  /** Creates a record; `undefined` when the id exists (a possible duplicate). */
  create(value: JsonRecord, now: number): JsonRecord | undefined {
    const id = value[this.options.key] as string;
    if (this.live.has(id)) return undefined;
    this.deleted.delete(id);
    const record = this.build(value, now);
    this.live.set(id, record);
    return record;
  }

  /** Creates or replaces (the control plane's seed). */
  put(value: JsonRecord, now: number): void {
    const id = value[this.options.key] as string;
    this.deleted.delete(id);
    this.live.set(id, this.build(value, now));
  }

  /** Partial update; false when there is no such live record. */
  update(id: string, patch: JsonRecord, now: number): boolean {
    const record = this.live.get(id);
    if (!record) return false;
    mergeRecord(record, patch);
    record[this.options.key] = id;
    record.lastModifiedDate = now;
    return true;
  }

  /** Soft delete moves the record aside (marked `deleted: true`); hard delete drops it. */
  delete(id: string, hard: boolean): boolean {
    const record = this.live.get(id);
    if (!record) return false;
    this.live.delete(id);
    if (!hard) {
      record.deleted = true;
      this.deleted.set(id, record);
    }
    return true;
  }

  /** Deletes every live record matching `test`; returns how many. */
  deleteWhere(test: (record: JsonRecord) => boolean, hard: boolean): number {
    let count = 0;
    for (const [id, record] of this.live) {
      if (test(record)) {
        this.delete(id, hard);
        count++;
      }
    }
    return count;
  }

  clear(): void {
    this.live.clear();
    this.deleted.clear();
    this.seq = 0;
  }
}
