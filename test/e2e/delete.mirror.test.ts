/**
 * Mirror (`--delete-missing` on a `--changed-only` load of a full export), over real sockets
 * against the emulator: a day deletes exactly the users the export lost (one already gone in
 * PX), `--plan` names them and sends no DELETE, the ledger follows, and the caps refuse a
 * mirror over 5% of the ledger or over --max-deletes with no DELETE at all.
 */
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import type { EmulatorHandle } from '@pxstream/emulator';
import { runInProcess, writeConfig } from '../helpers/cli.js';
import { EXAMPLE_ATTRIBUTES, exampleConfig } from '../helpers/configs.js';
import { USER_HEADER } from '../helpers/data.js';
import { dump, SECRET_KEY } from '../helpers/emulator.js';
import { emulatorSuite } from '../helpers/suite.js';

const DAY1 = 100;
const line = (i: number) => `u-${i},u${i}@example.com,Ada,Lovelace,Engineer,Paris,IDF,FR,48.85,2.35,,pro,1,,`;
/** A full export: users 0 to `last - 1`, without `lost`. */
const fullExport = (last: number, lost: readonly number[] = []) => {
  const gone = new Set(lost);
  const rows = Array.from({ length: last }, (_, i) => i).filter((i) => !gone.has(i));
  return `${USER_HEADER}\n${rows.map(line).join('\n')}\n`;
};
const deleteRequests = (px: EmulatorHandle) =>
  Object.entries(px.stats().byRoute)
    .filter(([route]) => route.startsWith('DELETE'))
    .reduce((n, [, statuses]) => n + Object.values(statuses).reduce((a, b) => a + b, 0), 0);

describe('mirror: --delete-missing deletes what a full export lost, caps first', () => {
  let px: EmulatorHandle;
  let dir: string;
  let config: string;
  emulatorSuite({ customAttributes: EXAMPLE_ATTRIBUTES }, async (suite) => {
    ({ px, dir } = suite);
    config = await writeConfig(dir, exampleConfig(px.baseUrl, { rate: 2000 }), 'mirror.json');
  });
  const ledger = () => join(dir, 'ledger');
  const mirror = async (name: string, content: string, extra: string[] = []) => {
    const file = join(dir, name);
    await writeFile(file, content);
    const args = [
      '-i',
      '--changed-only',
      '--delete-missing',
      '--ledger',
      ledger(),
      '-t',
      'USER',
      '-c',
      config,
    ];
    return runInProcess([...args, ...extra, file], { cwd: dir });
  };

  it('day 1 loads; day 2 (--plan first) deletes exactly the 4 users it lost; day 2 again deletes none', async () => {
    const day1 = await mirror('day1.csv', fullExport(DAY1));
    assert.equal(day1.code, 0, day1.stderr);
    assert.equal(
      day1.stdout,
      `DONE: 0 updated, ${DAY1} inserted, 0 skipped, 0 errors\nDELETED: 0 deleted, 0 already gone, 0 errors\n`,
    );

    // Someone deleted u-77 in PX already: the mirror finds it gone.
    const direct = await fetch(`${px.baseUrl}/users/u-77`, {
      method: 'DELETE',
      headers: { 'X-APTRINSIC-API-KEY': SECRET_KEY },
    });
    assert.equal(direct.status, 204);
    const lost = [3, 10, 50, 77];
    const day2 = fullExport(DAY1 + 1, lost); // and u-100 is new
    const deletesBefore = deleteRequests(px);
    const plan = await mirror('day2.csv', day2, ['--plan']);
    assert.equal(plan.code, 0, plan.stderr);
    assert.equal(
      plan.stdout,
      'PLAN: 1 new, 0 changed, 96 unchanged, 0 ids on more than one row, 0 invalid rows\n' +
        "MIRROR PLAN: 4 of the ledger's 100 users are not in the file: 3 would be deleted, 1 already gone\n",
    );
    for (const i of [3, 10, 50]) assert.match(plan.stderr, new RegExp(`would delete "u-${i}"`));
    assert.doesNotMatch(plan.stderr, /would delete "u-77"/);
    assert.equal(deleteRequests(px), deletesBefore, '--plan sends no DELETE');

    const run = await mirror('day2.csv', day2);
    assert.equal(run.code, 0, run.stderr);
    assert.equal(
      run.stdout,
      `DONE: 0 updated, 1 inserted, 96 skipped, 0 errors\nDELETED: 3 deleted, 1 already gone, 0 errors\n`,
    );
    const inPx = new Set((await dump(px, 'users')).map((u) => u.identifyId));
    const expected = new Set(
      day2
        .trim()
        .split('\n')
        .slice(1)
        .map((row) => row.split(',')[0]),
    );
    assert.deepEqual([...inPx].sort(), [...expected].sort(), 'PX holds exactly what the export holds');
    assert.equal(deleteRequests(px) - deletesBefore, 3, 'one DELETE per lost user PX still had');

    // The ledger followed: the lost ids (u-77 too) left it, so nothing is missing any more.
    const again = await mirror('day2.csv', day2);
    assert.equal(
      again.stdout,
      'DONE: 0 updated, 0 inserted, 97 skipped, 0 errors\nDELETED: 0 deleted, 0 already gone, 0 errors\n',
    );
    assert.equal(deleteRequests(px) - deletesBefore, 3);
  });

  it('refuses, with no DELETE and the count, over 5% of the ledger or over --max-deletes', async () => {
    const deletesBefore = deleteRequests(px);
    // 6 of the ledger's 97 ids (6.2%): a truncated export, say.
    const truncated = await mirror('day3.csv', fullExport(DAY1 + 1, [3, 10, 50, 77, 1, 2, 4, 5, 6, 7]));
    assert.equal(truncated.code, 1);
    assert.match(
      truncated.stderr,
      /mirror refused: the file lacks 6 ids the ledger holds \(6\.2%\), more than 5% of the 97 ids the ledger holds; nothing was deleted/,
    );
    assert.doesNotMatch(truncated.stdout, /^(DONE|DELETED)/m);
    const capped = await mirror('day4.csv', fullExport(DAY1 + 1, [3, 10, 50, 77, 1, 2, 4]), [
      '--max-deletes',
      '2',
    ]);
    assert.equal(capped.code, 1);
    assert.match(capped.stderr, /the file lacks 3 ids .* more than --max-deletes 2; nothing was deleted/);
    assert.equal(deleteRequests(px), deletesBefore, 'not one DELETE');
    assert.equal((await dump(px, 'users')).length, 97);
  });

  it('--delete-missing is for --changed-only loads of users; --help says full exports only', async () => {
    await writeFile(join(dir, 'x.csv'), fullExport(2));
    const alone = await runInProcess(['--delete-missing', '-t', 'USER', '-c', config, 'x.csv'], { cwd: dir });
    assert.equal(alone.code, 2);
    assert.match(alone.stderr, /--delete-missing needs --changed-only/);
    const accounts = await runInProcess(
      ['--delete-missing', '--changed-only', '-t', 'ACCOUNT', '-c', config, 'x.csv'],
      { cwd: dir },
    );
    assert.equal(accounts.code, 2);
    assert.match(accounts.stderr, /deletes users only/);
    const help = await runInProcess(['--help']);
    assert.match(help.stdout.replace(/\s+/g, ' '), /--delete-missing mirror, for FULL EXPORTS ONLY/);
  });
});
