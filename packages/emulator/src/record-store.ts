/**
 * One kind of record (users or accounts) in memory: a Map keyed by id holding the public
 * form of each record, so a GET serialises the stored object as is. Soft-deleted records
 * move to a second Map, in the order they were deleted: they answer 404 everywhere in the
 * API. A user created again within the revive window (px-api.md "Deleting": 7 days) comes
 * back with its history (its fields, `aptrinsicId` and `createDate`, the create's fields
 * merged over them); later, or for an account, a create makes a fresh record. Soft-deleted
 * records older than the window are dropped as deletes and creates go by, so they cost
 * memory for the window only.
 */
import type { JsonRecord } from './validate.js';

export interface RecordStoreOptions {
  key: 'identifyId' | 'id';
  /** Users carry `aptrinsicId` and `numberOfVisits`, and revive; accounts do not. */
  kind: 'user' | 'account';
}

/** What a create did: `revived` when a soft-deleted user came back. */
export interface Created {
  record: JsonRecord;
  revived: boolean;
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
  /** Wall-clock ms of each soft delete, in the order of `deleted` (oldest first). */
  private readonly deletedAt = new Map<string, number>();
  private seq = 0;
  /** How long a soft-deleted record is kept, and a user revives (ms). */
  reviveWindowMs = 7 * 86_400_000;

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

  /** Creates a record, or revives a soft-deleted user; `undefined` when the id exists (a possible duplicate). */
  create(value: JsonRecord, now: number): Created | undefined {
    const id = value[this.options.key] as string;
    if (this.live.has(id)) return undefined;
    this.forgetExpired(now);
    const gone = this.deleted.get(id);
    this.forgetDeleted(id);
    if (gone && this.options.kind === 'user') {
      delete gone.deleted;
      mergeRecord(gone, value);
      gone.lastModifiedDate = now;
      this.live.set(id, gone);
      return { record: gone, revived: true };
    }
    const record = this.build(value, now);
    this.live.set(id, record);
    return { record, revived: false };
  }

  /** Creates or replaces (the control plane's seed). */
  put(value: JsonRecord, now: number): void {
    const id = value[this.options.key] as string;
    this.forgetDeleted(id);
    this.live.set(id, this.build(value, now));
  }

  private forgetDeleted(id: string): void {
    this.deleted.delete(id);
    this.deletedAt.delete(id);
  }

  /** Drops the soft-deleted records deleted longer ago than the window (the oldest come first). */
  private forgetExpired(now: number): void {
    for (const [id, at] of this.deletedAt) {
      if (now - at < this.reviveWindowMs) return;
      this.forgetDeleted(id);
    }
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

  /**
   * Soft delete moves the record aside (marked `deleted: true`) at wall-clock `now`; hard
   * delete drops it. False when there is no such live record.
   */
  delete(id: string, hard: boolean, now: number): boolean {
    const record = this.live.get(id);
    if (!record) return false;
    this.live.delete(id);
    this.forgetExpired(now);
    if (!hard) {
      record.deleted = true;
      this.deleted.set(id, record);
      this.deletedAt.set(id, now);
    }
    return true;
  }

  /** Deletes every live record matching `test`; returns how many. */
  deleteWhere(test: (record: JsonRecord) => boolean, hard: boolean, now: number): number {
    let count = 0;
    for (const [id, record] of this.live) {
      if (test(record)) {
        this.delete(id, hard, now);
        count++;
      }
    }
    return count;
  }

  clear(): void {
    this.live.clear();
    this.deleted.clear();
    this.deletedAt.clear();
    this.seq = 0;
  }
}
