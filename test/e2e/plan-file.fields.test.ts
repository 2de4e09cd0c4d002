/**
 * `--plan --plan-file` names the fields of each changed row (issue 26), over real sockets: the
 * ledger says which rows changed, PX's records which fields (compared as `verify` compares them);
 * `[]` for a row PX holds already, `"px": "missing"` for a record PX lacks; nothing written to
 * PX, the reads the cheaper way: a `GET` each for few changed ids, the scroll for many (PX holds
 * 6,000 other users: its scroll takes 7 pages, so 7 changed ids are read by `GET`, 9 over it).
 */
import assert from 'node:assert/strict';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import type { EmulatorHandle } from '@pxstream/emulator';
import { runInProcess, writeConfig } from '../helpers/cli.js';
import { EXAMPLE_ATTRIBUTES, exampleConfig } from '../helpers/configs.js';
import { USER_HEADER } from '../helpers/data.js';
import { seed } from '../helpers/emulator.js';
import { emulatorSuite } from '../helpers/suite.js';

const ODD = ['a/b?c#d', 'Ünïcødé 用户', 'x y;z'];
/** Day 1's users: the odd ids, then u-3 to u-11. */
const IDS = [...ODD, ...Array.from({ length: 9 }, (_, i) => `u-${i + 3}`)];
/** Users PX holds besides: 6,012 in all, 7 pages of its scroll. */
const OTHERS = 6000;

type Row = Record<string, string>;

function day1(id: string, i: number): Row {
  return {
    id,
    email: `user${i}@example.com`,
    first_name: 'Ada',
    last_name: 'Lovelace',
    title: 'Engineer',
    city: 'Paris',
    state: 'IDF',
    country: 'FR',
    latitude: '48.85',
    longitude: '2.35',
    signup: '2024-11-02T02:52:00',
    plan: 'pro',
    score: '40',
    unsubscribed: 'true',
    account: 'ACC-1',
  };
}

/** Day 2's changes, by id, and the fields each names (null: PX lacks the record). */
const CHANGES: Record<string, { row: Row; fields: string[] | null }> = {
  'a/b?c#d': { row: { email: 'changed@example.com' }, fields: ['email'] },
  'Ünïcødé 用户': { row: { score: '41', city: 'Lyon' }, fields: ['location.city', 'score'] },
  'x y;z': { row: { signup: '2025-01-15T10:00:00' }, fields: ['signUpDate'] },
  'u-3': { row: { unsubscribed: 'false' }, fields: ['globalUnsubscribe'] },
  'u-4': { row: { plan: 'gold' }, fields: ['customAttributes.plan'] },
  // Edited in PX to the file's value: changed in the ledger, not in PX.
  'u-5': { row: { title: 'CTO' }, fields: [] },
  // Deleted in PX.
  'u-6': { row: { first_name: 'Grace' }, fields: null },
};
/** Two more, for the scroll. */
const MORE: Record<string, { row: Row; fields: string[] }> = {
  'u-7': {
    row: { last_name: 'Hopper', longitude: '2.4' },
    fields: ['lastName', 'location.coordinates.longitude'],
  },
  'u-8': { row: { latitude: '45.0' }, fields: ['location.coordinates.latitude'] },
};

function csv(rows: Row[]): string {
  const quote = (value: string) => (/[",;\n ]/.test(value) ? `"${value.replaceAll('"', '""')}"` : value);
  const columns = USER_HEADER.split(',');
  return `${[USER_HEADER, ...rows.map((row) => columns.map((c) => quote(row[c] ?? '')).join(','))].join('\n')}\n`;
}

const changedFile = (changes: Record<string, { row: Row }>) =>
  csv(IDS.map((id, i) => ({ ...day1(id, i), ...changes[id]?.row })));

const requests = (px: EmulatorHandle) => {
  const n = { writes: 0, list: 0, get: 0 };
  for (const [route, statuses] of Object.entries(px.stats().byRoute)) {
    const count = Object.values(statuses).reduce((a, b) => a + b, 0);
    if (/^(PUT|POST|DELETE) /.test(route)) n.writes += count;
    else if (route === 'GET /v1/users') n.list += count;
    else if (route === 'GET /v1/users/{id}') n.get += count;
  }
  return n;
};

describe('--plan-file names the fields of changed rows from PX', () => {
  let px: EmulatorHandle;
  let dir: string;
  let config: string;
  emulatorSuite({ customAttributes: EXAMPLE_ATTRIBUTES }, async (suite) => {
    ({ px, dir } = suite);
    config = await writeConfig(dir, exampleConfig(px.baseUrl, { rate: 5000 }), 'plan-fields.json');
    await writeFile(join(dir, 'day1.csv'), csv(IDS.map(day1)));
    const loaded = await cli(['-i', '--changed-only', ...target(), 'day1.csv']);
    assert.equal(
      loaded.stdout,
      `DONE: 0 updated, ${IDS.length} inserted, 0 skipped, 0 errors\n`,
      loaded.stderr,
    );
    // Behind the ledger's back: u-5 given the title day 2 gives it, u-6 deleted.
    await writeFile(join(dir, 'edit.csv'), csv([{ ...day1('u-5', 5), title: 'CTO' }]));
    const edited = await cli(['--no-ledger', '-t', 'USER', '-c', config, 'edit.csv']);
    assert.equal(edited.stdout, 'DONE: 1 updated, 0 inserted, 0 skipped, 0 errors\n', edited.stderr);
    await writeFile(join(dir, 'gone.csv'), 'id\nu-6\n');
    const deleted = await cli(['delete', '--no-ledger', '-t', 'USER', '-c', config, 'gone.csv']);
    assert.equal(deleted.code, 0, deleted.stderr);
    const productKey = JSON.parse(await readFile(config, 'utf8')).productKey as string;
    await seed(px, {
      users: Array.from({ length: OTHERS }, (_, i) => ({
        identifyId: `other-${i}`,
        propertyKeys: [productKey],
      })),
    });
  });
  const cli = (args: string[]) => runInProcess(args, { cwd: dir });
  const target = () => ['--ledger', join(dir, 'ledger'), '-t', 'USER', '-c', config];

  /** A plan of `file` with a plan file: its lines, and the requests it sent. */
  async function plan(file: string, text: string) {
    await writeFile(join(dir, file), text);
    const before = requests(px);
    const run = await cli(['--plan', ...target(), '--plan-file', `${file}.plan.jsonl`, file]);
    assert.equal(run.code, 0, run.stderr);
    const after = requests(px);
    const lines = (await readFile(join(dir, `${file}.plan.jsonl`), 'utf8'))
      .trimEnd()
      .split('\n')
      .map((line) => JSON.parse(line));
    const sent = {
      writes: after.writes - before.writes,
      list: after.list - before.list,
      get: after.get - before.get,
    };
    return { run, lines, sent };
  }

  /** Each line in the input's order; each changed row with its fields, the others as before. */
  function check(
    lines: Array<Record<string, unknown>>,
    changes: Record<string, { fields: string[] | null }>,
  ) {
    assert.deepEqual(
      lines.map((l) => l.id),
      IDS,
    );
    for (const [i, line] of lines.entries()) {
      const id = IDS[i]!;
      const change = changes[id];
      const base = { line: i + 2, id, action: 'send' };
      if (!change) assert.deepEqual(line, { ...base, plan: 'unchanged' });
      else if (change.fields === null)
        assert.deepEqual(line, { ...base, plan: 'changed', fields: null, px: 'missing' });
      else assert.deepEqual(line, { ...base, plan: 'changed', fields: change.fields }, id);
    }
  }

  it('few changed ids: a GET each, every field type named, [] when PX holds the row, missing when deleted', async () => {
    const { run, lines, sent } = await plan('day2-few.csv', changedFile(CHANGES));
    assert.equal(
      run.stdout,
      'PLAN: 0 new, 7 changed, 5 unchanged, 0 ids on more than one row, 0 invalid rows\n',
    );
    check(lines, CHANGES);
    assert.deepEqual(sent, { writes: 0, list: 1, get: 7 }, 'the count, then a GET per changed id; no write');
    assert.match(run.stderr, /7 changed ids, to name their fields: one request each/);
    assert.match(run.stderr, /named the fields of 7 changed rows with 8 reads of PX/);
  });

  it('many changed ids: the scroll, the same fields named; --plan alone reads nothing', async () => {
    const all = { ...CHANGES, ...MORE };
    const { run, lines, sent } = await plan('day2-many.csv', changedFile(all));
    assert.equal(
      run.stdout,
      'PLAN: 0 new, 9 changed, 3 unchanged, 0 ids on more than one row, 0 invalid rows\n',
    );
    check(lines, all);
    assert.deepEqual(sent, { writes: 0, list: 7, get: 0 }, "PX's 7 pages, the count the first; no write");
    assert.match(
      run.stderr,
      /9 changed ids, to name their fields: reading PX's 6011 records over the scroll \(7 requests\)/,
    );

    const before = requests(px);
    const alone = await cli(['--plan', ...target(), 'day2-many.csv']);
    assert.equal(alone.stdout, run.stdout);
    assert.deepEqual(requests(px), before, 'no read of records without a plan file');
  });
});
