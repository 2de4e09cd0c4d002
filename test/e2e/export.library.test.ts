/**
 * `exportRecords()` and `count()` from 'pxstream', and `pxstream count`, over real sockets:
 * the iterable and its report, a stop, a scroll that expires mid-export, one request to count.
 */
import assert from 'node:assert/strict';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { describe, it } from 'node:test';
import type { EmulatorHandle } from '@pxstream/emulator';
import { count, type ExportProgress, exportRecords, isPxStreamError } from 'pxstream';
import { runInProcess } from '../helpers/cli.js';
import { EXAMPLE_ATTRIBUTES, exampleConfig } from '../helpers/configs.js';
import { seed } from '../helpers/emulator.js';
import { emulatorSuite } from '../helpers/suite.js';

const USERS = 2500;
const users = Array.from({ length: USERS }, (_, i) => ({
  identifyId: `lib-${String(i).padStart(5, '0')}`,
  propertyKeys: ['AP-DEMO00000000-2'],
  email: `u${i}@example.com`,
  signUpDate: 1_700_000_000_000 + i,
  customAttributes: { plan: i % 2 === 0 ? 'pro' : 'free', renewal: 1_800_000_000_000 },
}));
/** The example's attributes, and a DATE_TIME one the config leaves to PX's metadata to type. */
const ATTRIBUTES = {
  ...EXAMPLE_ATTRIBUTES,
  user: [...(EXAMPLE_ATTRIBUTES?.user ?? []), { apiName: 'renewal', type: 'DATE_TIME' as const }],
};

const listRequests = (px: EmulatorHandle) =>
  Object.values(px.stats().byRoute['GET /v1/users'] ?? {}).reduce((sum, n) => sum + n, 0);

describe('exportRecords() and count()', () => {
  let px: EmulatorHandle;
  let dir: string;
  emulatorSuite({ customAttributes: ATTRIBUTES }, async (suite) => {
    ({ px, dir } = suite);
    await seed(px, { users });
  });
  const config = () => exampleConfig(px.baseUrl);

  it("iterates the mapping's rows, typed; the report and progress say what was read", async () => {
    const progress: ExportProgress[] = [];
    const run = exportRecords({ config: config(), type: 'USER', onProgress: (p) => progress.push(p) });
    const rows: Array<Record<string, unknown>> = [];
    for await (const row of run) rows.push(row);
    assert.equal(rows.length, USERS);
    assert.deepEqual(rows[1], {
      id: 'lib-00001',
      email: 'u1@example.com',
      signup: '2023-11-14T22:13:20.001Z',
      plan: 'free',
    });
    const report = run.report();
    assert.equal(report.records, USERS);
    assert.equal(report.totalHits, USERS);
    assert.equal(report.pages, 3);
    assert.equal(report.requests, 3);
    assert.equal(report.complete, true);
    assert.equal(report.interrupted, false);
    assert.deepEqual(report.columns?.slice(0, 3), ['id', 'email', 'first_name']);
    assert.deepEqual(
      progress.map((p) => [p.records, p.totalHits]),
      [
        [1000, USERS],
        [2000, USERS],
        [2500, USERS],
      ],
    );
  });

  it("a custom date the config does not type is typed by PX's metadata (one request more)", async () => {
    const base = config();
    const mapping = { identifyId: 'id', 'customAttributes.renewal': 'renewal' };
    const run = exportRecords({
      config: { ...base, fieldMapping: { USER: mapping } },
      type: 'USER',
      filter: 'identifyId==lib-00000',
    });
    const rows: Array<Record<string, unknown>> = [];
    for await (const row of run) rows.push(row);
    assert.deepEqual(rows, [{ id: 'lib-00000', renewal: '2027-01-15T08:00:00.000Z' }]);
    assert.equal(run.report().requests, 2);
  });

  it('a scroll that expires mid-export is started again: every record once', async () => {
    // The scroll's life cut to 1 ms once the export is under way (a page turn takes longer),
    // given back its 60 s when the export says it started again.
    const run = exportRecords({
      config: config(),
      type: 'USER',
      allFields: true,
      onLog: (entry) => {
        if (/a new one started/.test(entry.message)) px.configure({ scrollTtlSec: 60 });
      },
    });
    const ids: string[] = [];
    for await (const record of run) {
      ids.push(record.identifyId as string);
      if (ids.length === 1) px.configure({ scrollTtlSec: 0.001 });
    }
    assert.deepEqual(
      ids,
      users.map((u) => u.identifyId),
    );
    const report = run.report();
    assert.equal(report.restarts, 1, JSON.stringify(report));
    // The new scroll starts at the last key read (`identifyId>=`): it gives that one again, no
    // page read before.
    assert.equal(report.skipped, 1, JSON.stringify(report));
    assert.ok(report.pages <= 4, JSON.stringify(report));
    assert.match(
      report.warnings.join('\n'),
      /PX's scroll failed after (1000|2000) records \(.*expired scrollId.*\): a new one started past the last record read/,
    );
  });

  it("rides out PX down and PX's rate limit through the load's client: every record once", async () => {
    // Down for a second after the metadata read and the first page: the same retries as a
    // load's (a 503 did nothing, so the page is asked for again on the same scroll). A longer
    // spell makes the client wait for PX as a load does (the sink's availability tests).
    px.configure({ outage: { afterRequests: 2, kind: '503', forSec: 1 } });
    const down = exportRecords({ config: config(), type: 'USER' });
    const ids: string[] = [];
    for await (const row of down) ids.push(row.id as string);
    px.configure({ outage: false });
    assert.deepEqual(
      ids,
      users.map((u) => u.identifyId),
    );
    assert.ok(down.report().retries > 0, JSON.stringify(down.report()));
    assert.equal(down.report().restarts, 0, 'a 503 did nothing: the same scroll goes on');

    // Two requests a second, one at a time: the client's limiter and control law meet PX's 429s.
    px.configure({ rateLimit: { perSecond: 2, burst: 1 } });
    try {
      const limited = exportRecords({ config: config(), type: 'USER', rate: 50 });
      let n = 0;
      for await (const _ of limited) n++;
      assert.equal(n, USERS);
      const report = limited.report();
      assert.ok(report.http429 > 0, JSON.stringify(report));
      assert.equal(report.restarts, 0, 'a 429 did nothing: the same scroll goes on');
    } finally {
      px.configure({ rateLimit: false });
    }
  });

  it('write() to a stream, and a stop that leaves no file behind', async () => {
    const out = new PassThrough();
    let text = '';
    out.on('data', (chunk) => (text += chunk));
    const written = await exportRecords({
      config: config(),
      type: 'USER',
      filter: ['identifyId==lib-00003', 'identifyId==lib-00004'],
    }).write(out, { format: 'jsonl' });
    assert.equal(written.records, 2);
    assert.equal(written.output, 'stream');
    assert.deepEqual(
      text
        .trimEnd()
        .split('\n')
        .map((line) => JSON.parse(line).id),
      ['lib-00003', 'lib-00004'],
    );

    const stop = new AbortController();
    const stopped = await exportRecords({
      config: config(),
      type: 'USER',
      signal: stop.signal,
      onProgress: () => stop.abort(),
      cwd: dir,
    }).write('stopped.csv.gz');
    assert.equal(stopped.interrupted, true);
    assert.equal(stopped.complete, false);
    assert.equal(stopped.output, null);
    assert.ok(!(await readdir(dir)).some((file) => file.startsWith('stopped.csv')));
  });

  it('count() asks PX once (pageSize=1) and resolves to its totalHits', async () => {
    const before = listRequests(px);
    const all = await count({ config: config(), type: 'USER' });
    assert.equal(all.totalHits, USERS);
    assert.equal(all.requests, 1);
    assert.equal(listRequests(px) - before, 1);
    const pro = await count({
      config: config(),
      type: 'user' as 'USER',
      filter: 'customAttributes.plan==pro',
    });
    assert.equal(pro.totalHits, USERS / 2);
    assert.deepEqual(pro.filters, ['customAttributes.plan==pro']);
  });

  it('count() and exportRecords() reject what PX cannot list, and a wrong key, with codes', async () => {
    const code = (expected: string) => (error: unknown) => isPxStreamError(error) && error.code === expected;
    await assert.rejects(count({ config: config(), type: 'CUSTOM_EVENT' }), code('LOAD_INVALID_OPTION'));
    assert.throws(
      () => exportRecords({ config: config(), type: 'USER_PREFERENCES' }),
      code('LOAD_INVALID_OPTION'),
    );
    await assert.rejects(
      count({ config: { ...config(), apiKey: 'wrong-key' }, type: 'USER' }),
      code('PX_AUTH_FAILED'),
    );
  });

  it('pxstream count prints totalHits alone, after one request', async () => {
    const before = listRequests(px);
    const path = join(dir, 'suite-config.json');
    const run = await runInProcess([
      'count',
      '-t',
      'USER',
      '-c',
      path,
      '--filter',
      'customAttributes.plan==free',
    ]);
    assert.equal(run.code, 0, run.stderr);
    assert.equal(run.stdout, `${USERS / 2}\n`);
    assert.equal(run.stderr, '');
    assert.equal(listRequests(px) - before, 1);
    const bad = await runInProcess(['count', '-t', 'ACCOUNT', '-c', path, 'extra']);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /too many arguments/);
  });
});
