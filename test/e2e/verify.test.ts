/**
 * `pxstream verify` over real sockets: a file PX holds exactly, one with rows that differ, are
 * missing in PX or are rejected (and the differences file), odd ids, and the two ways of
 * reading PX (the scroll, a GET per id) chosen by the file's size next to PX's, counted in
 * requests.
 */
import assert from 'node:assert/strict';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import type { EmulatorHandle } from '@pxstream/emulator';
import { verify as verifyRecords } from 'pxstream';
import { EXAMPLES, runInProcess } from '../helpers/cli.js';
import { EXAMPLE_ATTRIBUTES, exampleConfig } from '../helpers/configs.js';
import { USER_HEADER } from '../helpers/data.js';
import { SECRET_KEY, seed } from '../helpers/emulator.js';
import { emulatorSuite } from '../helpers/suite.js';

/** Requests of one route so far, whatever their status. */
const requests = (px: EmulatorHandle, route: string) =>
  Object.values(px.stats().byRoute[route] ?? {}).reduce((sum, n) => sum + n, 0);
const reads = (px: EmulatorHandle) => ({
  metadata: requests(px, 'GET /v1/admin/model/user/attributes'),
  lists: requests(px, 'GET /v1/users'),
  gets: requests(px, 'GET /v1/users/{id}'),
});
const readsSince = (px: EmulatorHandle, before: ReturnType<typeof reads>) => {
  const now = reads(px);
  return {
    metadata: now.metadata - before.metadata,
    lists: now.lists - before.lists,
    gets: now.gets - before.gets,
  };
};

/** A user row of the example config's columns. */
function userLine(id: string, email: string, extra: { title?: string; score?: string } = {}): string {
  const cell = (value: string) => (/[",\n]/.test(value) ? `"${value.replaceAll('"', '""')}"` : value);
  return [
    cell(id),
    email,
    'Ada',
    'Lovelace',
    extra.title ?? 'Engineer',
    'Paris',
    'IDF',
    'FR',
    '48.85',
    '2.35',
    '2024-11-02T02:52:00',
    'pro',
    extra.score ?? '7',
    'true',
    'ACC-1',
  ].join(',');
}

const ODD_IDS = ['a/b?c#d', 'ünïcödé 用户 ✓', ' spaced id ', '100%'];

async function putUser(px: EmulatorHandle, id: string, body: Record<string, unknown>) {
  const response = await fetch(`${px.baseUrl}/users/${encodeURIComponent(id)}`, {
    method: 'PUT',
    headers: { 'X-APTRINSIC-API-KEY': SECRET_KEY, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  assert.equal(response.status, 204, await response.text());
}

describe('pxstream verify', () => {
  let px: EmulatorHandle;
  let dir: string;
  let config: string;
  const users = join(EXAMPLES, 'users.csv');
  emulatorSuite({ customAttributes: EXAMPLE_ATTRIBUTES }, async (suite) => {
    ({ px, dir, config } = suite);
    const odd = join(suite.dir, 'odd.csv');
    await writeFile(
      odd,
      `${[USER_HEADER, ...ODD_IDS.map((id, i) => userLine(id, `odd${i}@example.com`))].join('\n')}\n`,
    );
    for (const file of [users, odd]) {
      const run = await runInProcess(['-i', '-t', 'USER', '-c', suite.config, '--rate', '2000', file]);
      assert.equal(run.code, 0, run.stderr);
    }
  });
  const verify = (args: string[]) =>
    runInProcess(['verify', '-t', 'USER', '-c', config, '--rate', '2000', ...args], { cwd: dir });

  it("a file PX holds as it says: exit 0, one line; its 300 ids checked over the scroll of PX's 304 users", async () => {
    const before = reads(px);
    const run = await verify([users]);
    assert.equal(run.code, 0, run.stderr);
    assert.equal(run.stdout, 'VERIFY: 300 match, 0 differ, 0 missing in PX\n');
    // The metadata (as a load reads it), then the one page of PX's 304 users, which is the count.
    assert.deepEqual(readsSince(px, before), { metadata: 1, lists: 1, gets: 0 });
    assert.match(run.stderr, /300 ids to check: reading PX's 304 records over the scroll \(1 request\)/);
  });

  it('differ, missing and rejected rows: exit 3, the counts, and one line per difference in --diff', async () => {
    // PX changed behind the file's back: a score (a number) and a title.
    await putUser(px, 'user-0005', { score: 99, title: 'Edited in PX' });
    const lines = (await readFile(users, 'utf8')).trimEnd().split('\n');
    const [header, ...rows] = lines;
    const edit = (id: string, change: (cells: string[]) => void) => {
      const at = rows.findIndex((row) => row.startsWith(`${id},`));
      const cells = rows[at]!.split(',');
      change(cells);
      rows[at] = cells.join(',');
    };
    edit('user-0002', (cells) => (cells[1] = 'nadia.new@example.com')); // the file changed
    edit('user-0003', (cells) => (cells[4] = '')); // left empty: not compared
    edit('user-0004', (cells) => (cells[12] = '72.0')); // numbers by value
    edit('user-0006', (cells) => (cells[1] = 'not-an-email')); // rejected, as a load would
    rows.push(userLine('user-9999', 'nobody@example.com')); // PX has no such user
    const file = join(dir, 'users-edited.csv');
    await writeFile(file, `${[header, ...rows].join('\n')}\n`);

    const run = await verify(['--diff', 'diff.jsonl', file]);
    assert.equal(run.code, 3, run.stderr);
    assert.equal(run.stdout, 'VERIFY: 297 match, 2 differ, 1 missing in PX, 1 rejected\n');
    assert.match(run.stderr, /fields that differ: email 1, title 1, score 1\n/);
    const differences = (await readFile(join(dir, 'diff.jsonl'), 'utf8'))
      .trimEnd()
      .split('\n')
      .map((line) => JSON.parse(line));
    const user2 = rows.findIndex((row) => row.startsWith('user-0002,')) + 2;
    const user5 = rows.findIndex((row) => row.startsWith('user-0005,')) + 2;
    assert.deepEqual(differences.slice(0, 3), [
      {
        kind: 'differs',
        id: 'user-0002',
        line: user2,
        field: 'email',
        file: 'nadia.new@example.com',
        px: 'nadia.2@example.com',
      },
      { kind: 'differs', id: 'user-0005', line: user5, field: 'title', file: 'Designer', px: 'Edited in PX' },
      { kind: 'differs', id: 'user-0005', line: user5, field: 'score', file: 23, px: 99 },
    ]);
    const missing = differences.at(-1);
    assert.equal(differences.length, 4);
    assert.equal(missing.kind, 'missing');
    assert.equal(missing.id, 'user-9999');
    assert.equal(missing.field, null);
    assert.equal(missing.px, null);
    assert.equal(missing.file.email, 'nobody@example.com');
    assert.equal(missing.file.signUpDate, Date.parse('2024-11-02T06:52:00Z'), 'dates as epoch ms');
  });
});

describe('pxstream verify reads PX the cheaper way', () => {
  let px: EmulatorHandle;
  let dir: string;
  let config: string;
  /** 2,504 users: a scroll of 3 pages. */
  const SEEDED = 2500;
  emulatorSuite({ customAttributes: EXAMPLE_ATTRIBUTES }, async (suite) => {
    ({ px, dir, config } = suite);
    const odd = join(dir, 'odd.csv');
    await writeFile(
      odd,
      `${[USER_HEADER, ...ODD_IDS.map((id, i) => userLine(id, `odd${i}@example.com`))].join('\n')}\n`,
    );
    const run = await runInProcess(['-i', '-t', 'USER', '-c', config, '--rate', '2000', odd]);
    assert.equal(run.code, 0, run.stderr);
    const users = Array.from({ length: SEEDED }, (_, i) => ({
      identifyId: `seeded-${i}`,
      propertyKeys: ['AP-DEMO00000000-2'],
    }));
    await seed(px, { users });
  });
  /** Verifies the rows of `ids` (the loaded ones' values, but the emails `changed`). */
  const verify = async (name: string, ids: string[], changed: Record<string, string> = {}) => {
    const file = join(dir, name);
    const lines = ids.map((id) => userLine(id, changed[id] ?? `odd${ODD_IDS.indexOf(id)}@example.com`));
    await writeFile(file, `${[USER_HEADER, ...lines].join('\n')}\n`);
    const before = reads(px);
    const run = await runInProcess(
      ['verify', '-t', 'USER', '-c', config, '--rate', '2000', '--diff', `${name}.diff.jsonl`, file],
      { cwd: dir },
    );
    const differences = (await readFile(join(dir, `${name}.diff.jsonl`), 'utf8'))
      .split('\n')
      .filter((line) => line !== '')
      .map((line) => JSON.parse(line) as { kind: string; id: string });
    return { run, reads: readsSince(px, before), differences };
  };

  it('3 ids next to 3 pages: a GET per id, odd ids, one that differs and one missing', async () => {
    const ids = [ODD_IDS[0]!, ODD_IDS[1]!, 'gone/ü?#x'];
    const { run, reads, differences } = await verify('small.csv', ids, { [ODD_IDS[1]!]: 'new@example.com' });
    assert.equal(run.code, 3, run.stderr);
    assert.equal(run.stdout, 'VERIFY: 1 match, 1 differ, 1 missing in PX\n');
    assert.deepEqual(reads, { metadata: 1, lists: 1, gets: 3 });
    assert.deepEqual(differences, [
      {
        kind: 'differs',
        id: ODD_IDS[1],
        line: 3,
        field: 'email',
        file: 'new@example.com',
        px: 'odd1@example.com',
      },
      { ...differences[1], kind: 'missing', id: 'gone/ü?#x', line: 4, field: null, px: null },
    ]);
  });

  it('verify() from the library: the report holds the warnings it gave and its end', async () => {
    const logged: string[] = [];
    const report = await verifyRecords({
      config: { ...exampleConfig(px.baseUrl), colour: 'blue' },
      type: 'USER',
      input: join(EXAMPLES, 'users.csv'),
      rate: 2000,
      onLog: (entry) => logged.push(entry.message),
    });
    // This suite's PX holds none of the example's users.
    assert.deepEqual([report.match, report.differ, report.missing], [0, 0, 300]);
    const warning = /unknown setting "colour" ignored/;
    assert.ok(
      logged.some((line) => warning.test(line)),
      logged.join('\n'),
    );
    assert.ok(
      report.warnings.some((line) => warning.test(line)),
      JSON.stringify(report.warnings),
    );
    assert.ok(report.complete && Date.parse(report.finishedAt) >= Date.parse(report.startedAt));
  });

  it('stopped by SIGTERM or SIGHUP, verify and ledger rebuild exit 143 and 129, as a load does', async () => {
    const file = join(dir, 'slow.csv');
    await writeFile(
      file,
      `${[USER_HEADER, ...ODD_IDS.map((id, i) => userLine(id, `odd${i}@example.com`))].join('\n')}\n`,
    );
    // 2 requests a second: the stop comes while the GETs go out.
    const slow = ['-c', config, '--rate', '2'];
    const verifying = await runInProcess(['verify', '-t', 'USER', ...slow, '--read-by', 'get', file], {
      cwd: dir,
      stopWhen: { text: 'to check', signal: 'SIGTERM' },
    });
    assert.equal(verifying.code, 143, verifying.stderr);
    assert.equal(verifying.stdout, '', 'no VERIFY line for a stopped check');
    const rebuilding = await runInProcess(
      ['ledger', 'rebuild', '-t', 'USER', ...slow, '--ledger', join(dir, 'ledger')],
      {
        cwd: dir,
        stopWhen: { text: 'to read', signal: 'SIGHUP' },
      },
    );
    assert.equal(rebuilding.code, 129, rebuilding.stderr);
  });

  it('5 ids next to 3 pages: the scroll, odd ids matched by their exact text', async () => {
    const { run, reads, differences } = await verify('larger.csv', [...ODD_IDS, 'gone/ü?#x']);
    assert.equal(run.code, 3, run.stderr);
    assert.equal(run.stdout, 'VERIFY: 4 match, 0 differ, 1 missing in PX\n');
    // The first page is the count; the scroll goes on from it: 3 pages in all.
    assert.deepEqual(reads, { metadata: 1, lists: 3, gets: 0 });
    assert.deepEqual(
      differences.map((d) => [d.kind, d.id]),
      [['missing', 'gone/ü?#x']],
    );
  });
});
