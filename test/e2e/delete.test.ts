/**
 * `pxstream delete` and `deleteRecords()` over real sockets against the emulator: odd ids,
 * already gone, --hard, the cap before any request, --cascade, --plan, the types PX cannot
 * delete, rejects and exit codes, any input format, and the ledger kept current.
 */
import assert from 'node:assert/strict';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import type { EmulatorHandle } from '@pxstream/emulator';
import { deleteRecords, type LoadError } from 'pxstream';
import { runInProcess } from '../helpers/cli.js';
import { EXAMPLE_ATTRIBUTES, exampleConfig } from '../helpers/configs.js';
import { USER_HEADER } from '../helpers/data.js';
import { dump, seed } from '../helpers/emulator.js';
import { emulatorSuite } from '../helpers/suite.js';

const PRODUCT = 'AP-DEMO00000000-2';
const user = (identifyId: string, accountId?: string) => ({
  identifyId,
  email: 'someone@example.com',
  propertyKeys: [PRODUCT],
  ...(accountId ? { accountId } : {}),
});
const userIds = async (px: EmulatorHandle) => new Set((await dump(px, 'users')).map((u) => u.identifyId));
/** A CSV of ids (and a second column, so that a row may leave its id empty). */
const csv = (ids: readonly string[]) =>
  `id,note\n${ids.map((id) => `${/[",\n]/.test(id) ? `"${id.replaceAll('"', '""')}"` : id},x`).join('\n')}\n`;

describe('pxstream delete: the records a file names', () => {
  let px: EmulatorHandle;
  let dir: string;
  let config: string;
  emulatorSuite({ customAttributes: EXAMPLE_ATTRIBUTES }, (suite) => {
    ({ px, dir, config } = suite);
  });
  const del = (args: string[]) => runInProcess(['delete', '-c', config, ...args], { cwd: dir });

  it('deletes odd ids (by path, percent-encoded, or by body), counts a 404 as already gone, --hard', async () => {
    const odd = [
      'plain',
      'a/b',
      'q?x=1',
      'h#1',
      'sp ace',
      '100%',
      'delete',
      '.',
      '..',
      'ünï-😀',
      'comma,quote"',
    ];
    await seed(px, { users: odd.map((id) => user(id)) });
    const file = join(dir, 'odd.csv');
    // `plain` twice: its second row finds it gone; `never-there` PX never had.
    await writeFile(file, csv([...odd, 'plain', 'never-there']));
    const before = px.stats().deleted.users;
    const run = await del(['-t', 'USER', file]);
    assert.equal(run.code, 0, run.stderr);
    assert.equal(run.stdout, `DELETED: ${odd.length} deleted, 2 already gone, 0 errors\n`);
    assert.equal(px.stats().deleted.users - before, odd.length, 'each odd id reached its own record');
    const left = await userIds(px);
    for (const id of odd) assert.ok(!left.has(id), `${id} is deleted`);
    assert.ok(
      (px.stats().byRoute['DELETE /v1/users/delete']?.['204'] ?? 0) >= 3,
      'delete, . and .. go by body',
    );

    await seed(px, { users: [user('hard-1'), user('hard-2')] });
    await writeFile(join(dir, 'hard.csv'), csv(['hard-1', 'hard-2']));
    const hardBefore = px.stats().deleted.hardUsers;
    const hard = await del(['-t', 'USER', '--hard', 'hard.csv']);
    assert.equal(hard.stdout, 'DELETED: 2 deleted, 0 already gone, 0 errors\n', hard.stderr);
    assert.equal(px.stats().deleted.hardUsers - hardBefore, 2, 'hardDelete=true was sent');
  });

  it('refuses a file over --max-deletes (default 1,000) before any request, saying the count', async () => {
    const many = Array.from({ length: 1001 }, (_, i) => `cap-${i}`);
    await writeFile(join(dir, 'many.csv'), csv(many));
    const requests = px.stats().requests;
    const refused = await del(['-t', 'USER', 'many.csv']);
    assert.equal(refused.code, 1);
    assert.match(
      refused.stderr,
      /names 1001 ids to delete, more than --max-deletes 1000; nothing was deleted/,
    );
    assert.equal(refused.stdout, '');
    const small = await del(['-t', 'USER', '--max-deletes', '10', 'odd.csv']);
    assert.equal(small.code, 1);
    assert.match(small.stderr, /names 12 ids to delete, more than --max-deletes 10/);
    assert.equal(px.stats().requests, requests, 'not one request: not even the pre-flight');
    // Raised on purpose, the same file goes (every id is gone already: 404s, no error).
    const raised = await del(['-t', 'USER', '--max-deletes', '12', 'odd.csv']);
    assert.equal(raised.code, 0, raised.stderr);
    assert.equal(raised.stdout, 'DELETED: 0 deleted, 13 already gone, 0 errors\n');
  });

  it('deletes an account only with --cascade, and its users with it', async () => {
    await seed(px, {
      accounts: [
        { id: 'acc-1', name: 'One', propertyKeys: [PRODUCT] },
        { id: 'acc-2', name: 'Two', propertyKeys: [PRODUCT] },
      ],
      users: [user('acc1-u1', 'acc-1'), user('acc1-u2', 'acc-1'), user('acc2-u1', 'acc-2')],
    });
    await writeFile(join(dir, 'accounts.jsonl'), '{"id":"acc-1"}\n');
    const requests = px.stats().requests;
    const refused = await del(['-t', 'ACCOUNT', 'accounts.jsonl']);
    assert.equal(refused.code, 2);
    assert.match(refused.stderr, /deleting an account deletes all its users in PX: say so with --cascade/);
    assert.equal(px.stats().requests, requests, 'refused before anything is sent');
    const run = await del(['-t', 'ACCOUNT', '--cascade', 'accounts.jsonl']);
    assert.equal(run.code, 0, run.stderr);
    assert.equal(run.stdout, 'DELETED: 1 deleted, 0 already gone, 0 errors\n');
    const accounts = new Set((await dump(px, 'accounts')).map((a) => a.id));
    assert.deepEqual([...accounts].sort(), ['acc-2']);
    const users = await userIds(px);
    assert.ok(!users.has('acc1-u1') && !users.has('acc1-u2'), "the account's users went with it");
    assert.ok(users.has('acc2-u1'));
  });

  it('custom events and user preferences are a usage error; --plan counts and sends nothing', async () => {
    for (const type of ['CUSTOM_EVENT', 'USER_PREFERENCES']) {
      const run = await del(['-t', type, 'odd.csv']);
      assert.equal(run.code, 2, type);
      assert.match(
        run.stderr,
        /PX's API cannot delete (custom events|user preferences): only USER and ACCOUNT/,
      );
    }
    await seed(px, { users: [user('plan-1'), user('plan-2')] });
    await writeFile(join(dir, 'plan.csv'), csv(['plan-1', 'plan-2', 'plan-1', '']));
    const requests = px.stats().requests;
    const plan = await del(['-t', 'USER', '--plan', 'plan.csv']);
    assert.equal(plan.code, 0, plan.stderr);
    assert.equal(
      plan.stdout,
      'PLAN: 2 users to delete, 1 ids on more than one row, 1 rows without an id; nothing sent\n',
    );
    assert.equal(px.stats().requests, requests);
    assert.ok((await userIds(px)).has('plan-1'));
  });

  it('a row without an id is rejected (rejects file, exit 3); the report says it all', async () => {
    await seed(px, { users: [user('rej-1')] });
    await writeFile(join(dir, 'rej.csv'), csv(['rej-1', '', 'rej-2']));
    const report = join(dir, 'rej.json');
    const run = await del(['-t', 'USER', '--report', report, 'rej.csv']);
    assert.equal(run.code, 3, run.stderr);
    assert.equal(run.stdout, 'DELETED: 1 deleted, 1 already gone, 1 errors\n');
    const rejects = await readFile(join(dir, 'rej_delete_rejects.csv'), 'utf8');
    assert.match(rejects, /VALIDATE_MISSING_KEY/);
    assert.match(run.stderr, /1 rejected rows written to .*rej_delete_rejects.csv/);
    const written = JSON.parse(await readFile(report, 'utf8'));
    assert.equal(written.deleted, 1);
    assert.equal(written.alreadyGone, 1);
    assert.equal(written.rejected, 1);
    assert.equal(written.exitCode, 3);
    assert.equal(written.ids, 2);
    assert.equal(written.complete, true);
  });

  it('the ledger drops the deleted ids: the next --changed-only load sends them again', async () => {
    const ledger = join(dir, 'ledger');
    const rows = Array.from(
      { length: 6 },
      (_, i) => `led-${i},led${i}@example.com,A,B,T,Paris,IDF,FR,1,2,,pro,1,,`,
    );
    const users = join(dir, 'ledger-users.csv');
    await writeFile(users, `${USER_HEADER}\n${rows.join('\n')}\n`);
    const load = () =>
      runInProcess(['-i', '--changed-only', '--ledger', ledger, '-t', 'USER', '-c', config, users], {
        cwd: dir,
      });
    assert.equal((await load()).stdout, 'DONE: 0 updated, 6 inserted, 0 skipped, 0 errors\n');
    await writeFile(join(dir, 'led.csv'), csv(['led-1', 'led-4']));
    const run = await del(['-t', 'USER', '--ledger', ledger, 'led.csv']);
    assert.equal(run.stdout, 'DELETED: 2 deleted, 0 already gone, 0 errors\n', run.stderr);
    assert.match(run.stderr, /the ledger dropped 2 ids/);
    const again = await load();
    assert.equal(again.stdout, 'DONE: 0 updated, 2 inserted, 4 skipped, 0 errors\n', again.stderr);
  });

  it("deleteRecords(): load()'s options style, objects in, the report out; a cap refusal is a LoadError", async () => {
    await seed(px, { users: [user('lib-1'), user('lib-2')] });
    const options = {
      config: exampleConfig(px.baseUrl),
      type: 'USER',
      env: {},
      cwd: dir,
      ledger: false as const,
    };
    const outcomes: string[] = [];
    const report = await deleteRecords({
      ...options,
      input: [{ id: 'lib-1' }, { id: 'lib-2' }, { id: 'lib-3' }],
      onRow: (event) => {
        if ('outcome' in event) outcomes.push(`${event.outcome.row.key}:${event.outcome.outcome}`);
      },
    });
    assert.equal(report.deleted, 2);
    assert.equal(report.alreadyGone, 1);
    assert.equal(report.complete, true);
    assert.deepEqual(outcomes.sort(), ['lib-1:deleted', 'lib-2:deleted', 'lib-3:already-gone']);
    await assert.rejects(
      deleteRecords({ ...options, maxDeletes: 1, input: [{ id: 'x' }, { id: 'y' }] }),
      (error: LoadError) => error.code === 'DELETE_CAP_EXCEEDED' && /names 2 ids/.test(error.message),
    );
  });
});
