/**
 * `pxstream ledger rebuild` and what it is for, over real sockets: records edited in PX behind
 * the ledger's back are restored by the next `--changed-only` load and the rest skipped; `--plan`
 * with and without a ledger, and `--plan-file`; a rebuild replaces the ledger whole, and one that
 * fails leaves it as it was.
 */
import assert from 'node:assert/strict';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import type { EmulatorHandle } from '@pxstream/emulator';
import { EXAMPLES, runInProcess, writeConfig } from '../helpers/cli.js';
import { EXAMPLE_ATTRIBUTES, exampleConfig } from '../helpers/configs.js';
import { dump, SECRET_KEY } from '../helpers/emulator.js';
import { emulatorSuite } from '../helpers/suite.js';

const USERS = join(EXAMPLES, 'users.csv');

const writes = (px: EmulatorHandle) => {
  let n = 0;
  for (const [route, statuses] of Object.entries(px.stats().byRoute)) {
    if (route.startsWith('PUT') || route.startsWith('POST'))
      for (const count of Object.values(statuses)) n += count;
  }
  return n;
};

async function api(px: EmulatorHandle, method: string, id: string, body?: Record<string, unknown>) {
  const response = await fetch(`${px.baseUrl}/users/${encodeURIComponent(id)}`, {
    method,
    headers: { 'X-APTRINSIC-API-KEY': SECRET_KEY, 'content-type': 'application/json' },
    ...(body ? { body: JSON.stringify(body) } : {}),
  });
  assert.ok(response.status < 300, `${method} ${id}: ${response.status}`);
}

const PLAN_LINE = (n: { new: number; changed: number; unchanged: number; invalid?: number }) =>
  `PLAN: ${n.new} new, ${n.changed} changed, ${n.unchanged} unchanged, 0 ids on more than one row, ${n.invalid ?? 0} invalid rows\n`;

describe('pxstream ledger rebuild', () => {
  let px: EmulatorHandle;
  let dir: string;
  let config: string;
  emulatorSuite({ customAttributes: EXAMPLE_ATTRIBUTES }, async (suite) => {
    ({ px, dir } = suite);
    config = await writeConfig(dir, exampleConfig(px.baseUrl, { rate: 2000 }), 'rebuild.json');
    // PX holds the 300 users, loaded on another machine: no ledger here.
    const run = await runInProcess(['-i', '--no-ledger', '-t', 'USER', '-c', config, USERS]);
    assert.equal(run.code, 0, run.stderr);
  });
  const ledger = () => join(dir, 'ledger');
  const cli = (args: string[]) => runInProcess(args, { cwd: dir });
  const plan = (extra: string[] = []) =>
    cli(['--plan', '--ledger', ledger(), '-t', 'USER', '-c', config, ...extra, USERS]);

  it('without a ledger, --plan says it cannot tell what PX holds and points to the rebuild', async () => {
    const run = await plan();
    assert.equal(run.code, 0, run.stderr);
    // Not "300 new": PX holds every one of them (issue 26).
    assert.equal(
      run.stdout,
      'PLAN: 300 not in the ledger (no ledger yet: what PX holds is not known), 0 ids on more than one row, 0 invalid rows\n',
    );
    assert.match(run.stderr, /no ledger for this target yet .*cannot tell what PX holds/);
    assert.match(
      run.stderr,
      /new in the ledger, whether PX has it or not; pxstream ledger rebuild fills the ledger/,
    );
  });

  it('rebuilt from PX: --plan and --plan-file see the records edited in PX; --changed-only restores them', async () => {
    // Edited in PX behind the ledger's back (its UI, another integration).
    await api(px, 'PUT', 'user-0007', { email: 'edited.7@example.com' });
    // Fields the file sets: a field it leaves empty (user-0009's title) is never sent, so no load
    // restores it (see the README on rows that leave a field empty).
    await api(px, 'PUT', 'user-0009', { score: 1, firstName: 'Edited' });
    const rebuilt = await cli(['ledger', 'rebuild', '-t', 'USER', '-c', config, '--ledger', ledger()]);
    assert.equal(rebuilt.code, 0, rebuilt.stderr);
    // The metadata, as a load reads it, and one page of PX's 300 users.
    assert.equal(rebuilt.stdout, 'REBUILT: 300 entries from 300 users, 2 requests\n');
    assert.match(rebuilt.stderr, /300 users to read/);

    const before = writes(px);
    const planned = await plan(['--changed-only', '--plan-file', 'plan.jsonl']);
    assert.equal(planned.code, 0, planned.stderr);
    assert.equal(planned.stdout, PLAN_LINE({ new: 0, changed: 2, unchanged: 298 }));
    assert.doesNotMatch(planned.stderr, /no ledger/);
    const lines = (await readFile(join(dir, 'plan.jsonl'), 'utf8'))
      .trimEnd()
      .split('\n')
      .map((line) => JSON.parse(line));
    assert.equal(lines.length, 300);
    assert.deepEqual(lines[0], { line: 2, id: 'user-0001', plan: 'unchanged', action: 'skip' });
    assert.deepEqual(
      lines.filter((l) => l.plan !== 'unchanged'),
      [
        // The fields PX holds otherwise, read from PX (issue 26).
        { line: 8, id: 'user-0007', plan: 'changed', action: 'send', fields: ['email'] },
        { line: 10, id: 'user-0009', plan: 'changed', action: 'send', fields: ['firstName', 'score'] },
      ],
    );

    const load = await cli(['-i', '--changed-only', '--ledger', ledger(), '-t', 'USER', '-c', config, USERS]);
    assert.equal(load.code, 0, load.stderr);
    assert.equal(load.stdout, 'DONE: 2 updated, 0 inserted, 298 skipped, 0 errors\n');
    assert.equal(writes(px) - before, 2, 'one PUT for each record edited in PX, nothing else');
    const users = new Map((await dump(px, 'users')).map((u) => [u.identifyId, u]));
    assert.equal(users.get('user-0007')?.email, 'quentin.7@example.com');
    assert.equal(users.get('user-0009')?.firstName, 'José');
    assert.equal(users.get('user-0009')?.score, 21);
    const verified = await cli(['verify', '-t', 'USER', '-c', config, USERS]);
    assert.equal(verified.stdout, 'VERIFY: 300 match, 0 differ, 0 missing in PX\n');
  });

  it('a rebuild replaces the ledger whole: an id PX no longer has is new again', async () => {
    await api(px, 'DELETE', 'user-0001');
    const rebuilt = await cli(['ledger', 'rebuild', '-t', 'USER', '-c', config, '--ledger', ledger()]);
    assert.equal(rebuilt.stdout, 'REBUILT: 299 entries from 299 users, 2 requests\n');
    const run = await plan();
    assert.equal(run.stdout, PLAN_LINE({ new: 1, changed: 0, unchanged: 299 }));
  });

  it('a rebuild that fails leaves the ledger as it was', async () => {
    const bad = await writeConfig(dir, exampleConfig(px.baseUrl, { apiKey: 'pxk-wrong' }), 'bad.json');
    const failed = await cli(['ledger', 'rebuild', '-t', 'USER', '-c', bad, '--ledger', ledger()]);
    assert.equal(failed.code, 1);
    assert.match(failed.stderr, /PX rejected the API key/);
    const run = await plan();
    assert.equal(run.stdout, PLAN_LINE({ new: 1, changed: 0, unchanged: 299 }));
  });

  it('--plan-file names invalid rows; it goes only with --plan', async () => {
    const file = join(dir, 'with-bad.csv');
    const [header, first, ...rest] = (await readFile(USERS, 'utf8')).trimEnd().split('\n');
    await writeFile(
      file,
      `${[header, first!.replace(/,[^,@]+@[^,]+,/, ',not-an-email,'), ...rest].join('\n')}\n`,
    );
    const run = await cli([
      '--plan',
      '--ledger',
      ledger(),
      '--plan-file',
      'bad-plan.jsonl',
      '-t',
      'USER',
      '-c',
      config,
      file,
    ]);
    assert.equal(run.stdout, PLAN_LINE({ new: 0, changed: 0, unchanged: 299, invalid: 1 }));
    const lines = (await readFile(join(dir, 'bad-plan.jsonl'), 'utf8')).trimEnd().split('\n');
    const invalid = lines.map((line) => JSON.parse(line)).filter((l) => l.plan === 'invalid');
    assert.equal(invalid.length, 1);
    assert.equal(invalid[0].id, 'user-0001');
    assert.equal(invalid[0].action, 'reject');
    assert.equal(invalid[0].code, 'VALIDATE_INVALID_EMAIL');
    // Without --changed-only, an unchanged row is sent all the same.
    assert.equal(JSON.parse(lines.find((l) => l.includes('user-0002'))!).action, 'send');

    const alone = await cli(['--plan-file', 'x.jsonl', '-t', 'USER', '-c', config, USERS]);
    assert.equal(alone.code, 2);
    assert.match(alone.stderr, /--plan-file writes the plan row by row: only with --plan/);
  });

  it('odd ids (/ ? # ; unicode): hashed by their exact text, a load of the same rows is unchanged', async () => {
    const file = join(dir, 'odd.csv');
    const [header, ...rows] = (await readFile(USERS, 'utf8')).trimEnd().split('\n');
    const odd = ['a/b?c#d', 'Ünïcødé 用户', 'x;y'];
    await writeFile(
      file,
      `${[header, ...odd.map((id, i) => rows[i]!.replace(/^[^,]+/, `"${id}"`))].join('\n')}\n`,
    );
    const loaded = await cli(['-i', '--no-ledger', '-t', 'USER', '-c', config, file]);
    assert.equal(loaded.stdout, 'DONE: 0 updated, 3 inserted, 0 skipped, 0 errors\n', loaded.stderr);
    const rebuilt = await cli(['ledger', 'rebuild', '-t', 'USER', '-c', config, '--ledger', ledger()]);
    assert.equal(rebuilt.stdout, 'REBUILT: 302 entries from 302 users, 2 requests\n', rebuilt.stderr);
    const run = await cli([
      '--plan',
      '--changed-only',
      '--ledger',
      ledger(),
      '--plan-file',
      'odd-plan.jsonl',
      '-t',
      'USER',
      '-c',
      config,
      file,
    ]);
    assert.equal(run.stdout, PLAN_LINE({ new: 0, changed: 0, unchanged: 3 }));
    const lines = (await readFile(join(dir, 'odd-plan.jsonl'), 'utf8'))
      .trimEnd()
      .split('\n')
      .map((line) => JSON.parse(line));
    assert.deepEqual(
      lines.map((l) => [l.id, l.action]),
      odd.map((id) => [id, 'skip']),
    );
  });
});
