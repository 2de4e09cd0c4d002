/**
 * "Every row exact" for the cases that load users into a PX server: the body pxstream sends for
 * each row (a dry run of the same file and config), compared with the record the server holds.
 */
import { Writable } from 'node:stream';
import { isDeepStrictEqual } from 'node:util';
import { load } from './load-api.js';
import { type Json, type PxServer, STAMPED } from './servers.js';

/** The body pxstream sends for each row, by id: a dry run of the same file and config. */
export async function dryRunBodies(config: string, input: string, cwd: string): Promise<Map<string, Json>> {
  let text = '';
  const output = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      text += chunk.toString();
      callback();
    },
  });
  await load({ config, type: 'USER', input, dryRun: true, output, rejects: false, checkpoint: false, cwd });
  const bodies = new Map<string, Json>();
  for (const line of text.split('\n')) {
    if (line.trim() === '') continue;
    const body = JSON.parse(line) as Json;
    bodies.set(String(body.identifyId), body);
  }
  return bodies;
}

export interface UserCheck {
  /** Users the server holds, by id. */
  users: number;
  /** Rows whose user is missing or differs from the row's body (on top of the seed for existing ids). */
  wrong: number;
  /** Users that are neither a row's nor seeded. */
  extra: number;
  /** Ids the server holds more than once. */
  duplicateRecords: number;
}

/**
 * Each user holds its row (on top of the seed `{identifyId, propertyKeys}` for an id that
 * existed beforehand), and nothing else is there. Fields the server stamps are left out.
 */
export async function checkUsers(
  px: PxServer,
  expected: Map<string, Json>,
  existing: Set<string>,
  propertyKeys: string[],
): Promise<UserCheck> {
  const users = new Map<string, Json>();
  let duplicateRecords = 0;
  for (const user of await px.users()) {
    const id = String(user.identifyId);
    if (users.has(id)) duplicateRecords++;
    users.set(id, Object.fromEntries(Object.entries(user).filter(([name]) => !STAMPED.has(name))));
  }
  let wrong = 0;
  for (const [id, body] of expected) {
    const want = existing.has(id) ? { identifyId: id, propertyKeys, ...body } : body;
    if (!isDeepStrictEqual(users.get(id), want)) wrong++;
  }
  const extra = [...users.keys()].filter((id) => !expected.has(id) && !existing.has(id)).length;
  return { users: users.size, wrong, extra, duplicateRecords };
}
