/**
 * The peer's users and accounts, as px-api.md describes them: a create answers 201 with the
 * record, or 400 "possible duplicate" when the id exists; an update is partial (only the fields
 * sent change; objects such as `location` and `customAttributes` key by key) and answers 204, or
 * 404 when the record does not exist. A dump gives every record back for checking.
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

export class Records {
  private readonly data: Record<Kind, Map<string, Json>> = { users: new Map(), accounts: new Map() };
  /** Creates applied (a create whose answer was lost counts too). */
  readonly creates: Record<Kind, number> = { users: 0, accounts: 0 };
  private serial = 0;

  create(kind: Kind, body: unknown): Json {
    if (!isObject(body)) throw new BadBody('the body must be a JSON object');
    const id = body[KEY_FIELD[kind]];
    if (typeof id !== 'string' || id === '') throw new BadBody(`${KEY_FIELD[kind]} is required`);
    if (!Array.isArray(body.propertyKeys)) throw new BadBody('propertyKeys is required');
    const table = this.data[kind];
    if (table.has(id)) throw new Duplicate(`Possible duplicate: a record with id ${id} already exists`);
    const now = Date.now();
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
    const record = this.data[kind].get(id);
    if (!record) throw new NotFound(id);
    merge(record, body);
    record.lastModifiedDate = Date.now();
  }

  get(kind: Kind, id: string): Json | undefined {
    return this.data[kind].get(id);
  }

  /** Seeds records as they are (no create counted). */
  seed(kind: Kind, records: unknown[]): number {
    let count = 0;
    for (const record of records) {
      if (!isObject(record) || typeof record[KEY_FIELD[kind]] !== 'string') continue;
      this.data[kind].set(record[KEY_FIELD[kind]] as string, structuredClone(record));
      count++;
    }
    return count;
  }

  all(kind: Kind): Json[] {
    return [...this.data[kind].values()];
  }
}
