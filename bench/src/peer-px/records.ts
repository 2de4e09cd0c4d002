/**
 * The peer's users and accounts, as px-api.md describes them: a create answers 201 with the
 * record, or 400 "possible duplicate" when the id exists; an update is partial (only the fields
 * sent change; objects such as `location` and `customAttributes` key by key) and answers 204, or
 * 404 when the record does not exist. A dump gives every record back for checking.
 *
 * Deletes (px-api.md "Deleting"): a user is soft-deleted by default and "a user created or
 * updated again within 7 days comes back with its history" - read literally here: a create or
 * an update of a soft-deleted user within the window brings the old record back, the new
 * fields merged over it. `hardDelete` forgets it at once. Deleting an account deletes it and
 * soft-deletes all its users (those whose `accountId` is it); accounts take no `hardDelete`.
 */

export type Json = Record<string, unknown>;
export type Kind = 'users' | 'accounts';

export const KEY_FIELD: Record<Kind, string> = { users: 'identifyId', accounts: 'id' };

export class NotFound extends Error {}
export class Duplicate extends Error {}
export class BadBody extends Error {}

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function merge(into: Json, changes: Json): void {
  for (const [name, value] of Object.entries(changes)) {
    const current = into[name];
    if (isObject(value) && isObject(current)) merge(current, value);
    else into[name] = isObject(value) ? structuredClone(value) : value;
  }
}

/** px-api.md "Deleting": 7 days. */
export const REVIVE_MS = 7 * 86_400_000;

export class Records {
  private readonly data: Record<Kind, Map<string, Json>> = { users: new Map(), accounts: new Map() };
  /** Soft-deleted users: the record and the wall-clock ms it was deleted at. */
  private readonly softDeleted = new Map<string, { record: Json; at: number }>();
  /** Creates applied (a create whose answer was lost counts too). */
  readonly creates: Record<Kind, number> = { users: 0, accounts: 0 };
  /** Deletes applied, users by their own delete or by their account's. */
  readonly deletes = { users: 0, accounts: 0, usersByAccount: 0, revived: 0 };
  private serial = 0;

  /** `now`: wall-clock ms of record dates and deletes (a test may set it). */
  constructor(private readonly now: () => number = Date.now) {}

  /** A soft-deleted user still within the window, taken back out of the deleted ones. */
  private revive(kind: Kind, id: string): Json | undefined {
    if (kind !== 'users') return undefined;
    const gone = this.softDeleted.get(id);
    if (!gone) return undefined;
    this.softDeleted.delete(id);
    if (this.now() - gone.at >= REVIVE_MS) return undefined;
    this.data.users.set(id, gone.record);
    this.deletes.revived++;
    return gone.record;
  }

  create(kind: Kind, body: unknown): Json {
    if (!isObject(body)) throw new BadBody('the body must be a JSON object');
    const id = body[KEY_FIELD[kind]];
    if (typeof id !== 'string' || id === '') throw new BadBody(`${KEY_FIELD[kind]} is required`);
    if (!Array.isArray(body.propertyKeys)) throw new BadBody('propertyKeys is required');
    const table = this.data[kind];
    if (table.has(id)) throw new Duplicate(`Possible duplicate: a record with id ${id} already exists`);
    const now = this.now();
    const old = this.revive(kind, id);
    if (old) {
      merge(old, body);
      old.lastModifiedDate = now;
      this.creates[kind]++;
      return old;
    }
    const record: Json = { ...structuredClone(body), createDate: now, lastModifiedDate: now };
    if (kind === 'users') record.aptrinsicId = `peer-${++this.serial}`;
    table.set(id, record);
    this.creates[kind]++;
    return record;
  }

  update(kind: Kind, id: string, body: unknown): void {
    if (!isObject(body)) throw new BadBody('the body must be a JSON object');
    const key = body[KEY_FIELD[kind]];
    if (key !== undefined && key !== id) throw new BadBody(`${KEY_FIELD[kind]} differs from the path`);
    const record = this.data[kind].get(id) ?? this.revive(kind, id);
    if (!record) throw new NotFound(id);
    merge(record, body);
    record.lastModifiedDate = this.now();
  }

  /** Deletes a user (soft unless `hard`) or an account with its users; NotFound when absent. */
  delete(kind: Kind, id: string, hard = false): void {
    const record = this.data[kind].get(id);
    if (!record) throw new NotFound(id);
    this.data[kind].delete(id);
    this.deletes[kind]++;
    if (kind === 'users') {
      if (!hard) this.softDeleted.set(id, { record, at: this.now() });
      return;
    }
    for (const [userId, user] of this.data.users) {
      if (user.accountId !== id) continue;
      this.data.users.delete(userId);
      this.softDeleted.set(userId, { record: user, at: this.now() });
      this.deletes.users++;
      this.deletes.usersByAccount++;
    }
  }

  /** The live records of a kind, in creation order (for lists). */
  live(kind: Kind): Iterable<Json> {
    return this.data[kind].values();
  }

  get(kind: Kind, id: string): Json | undefined {
    return this.data[kind].get(id);
  }

  /**
   * Seeds records as they are (no create counted), with the dates PX sets on every record
   * (px-api.md "Models": `createDate`, `lastModifiedDate`, read-only) stamped now where a record
   * has none, as a create would: PX holds no record without them. A date given, even `null`
   * (a record PX would never hold, for tests), is kept.
   */
  seed(kind: Kind, records: unknown[]): number {
    let count = 0;
    for (const record of records) {
      if (!isObject(record) || typeof record[KEY_FIELD[kind]] !== 'string') continue;
      const seeded = structuredClone(record);
      const now = this.now();
      if (!('createDate' in seeded)) seeded.createDate = now;
      if (!('lastModifiedDate' in seeded)) seeded.lastModifiedDate = now;
      this.data[kind].set(record[KEY_FIELD[kind]] as string, seeded);
      count++;
    }
    return count;
  }

  all(kind: Kind): Json[] {
    return [...this.data[kind].values()];
  }
}
