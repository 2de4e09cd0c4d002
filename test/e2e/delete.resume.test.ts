/**
 * A delete stopped by a real Ctrl-C (a child process) in the middle of its deletes, then
 * resumed: it carries on from the checkpoint, and every id is deleted exactly once.
 */
import assert from 'node:assert/strict';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import type { EmulatorHandle } from '@pxstream/emulator';
import { runInProcess, startPxstream, writeConfig } from '../helpers/cli.js';
import { exampleConfig } from '../helpers/configs.js';
import { dump, seed } from '../helpers/emulator.js';
import { emulatorSuite } from '../helpers/suite.js';

const USERS = 300;

describe('delete: Ctrl-C in the middle, then --resume', () => {
  let px: EmulatorHandle;
  let dir: string;
  emulatorSuite({}, (suite) => {
    ({ px, dir } = suite);
  });

  it('stops with 130, resumes from the checkpoint, and deletes each id once', async () => {
    const ids = Array.from({ length: USERS }, (_, i) => `del-${i}`);
    await seed(px, { users: ids.map((identifyId) => ({ identifyId, propertyKeys: ['AP-DEMO00000000-2'] })) });
    await writeFile(join(dir, 'ids.csv'), `id\n${ids.join('\n')}\n`);
    // 100 requests a second: the deletes take 3 s, long enough to stop in the middle.
    const config = await writeConfig(dir, exampleConfig(px.baseUrl, { rate: 100 }), 'resume.json');
    const args = (report: string, extra: string[] = []) => [
      'delete',
      '-t',
      'USER',
      '-c',
      config,
      '--checkpoint',
      join(dir, 'ids.checkpoint.json'),
      '--report',
      join(dir, report),
      ...extra,
      'ids.csv',
    ];
    const first = await startPxstream(args('first.json'), {
      cwd: dir,
      interruptWhen: { when: () => px.stats().deleted.users >= 60 },
    }).done;
    assert.equal(first.code, 130, first.stderr);
    assert.match(first.stderr, /interrupted: stopped reading and sending/);
    assert.match(first.stderr, /run the same command with --resume to carry on/);
    const stopped = JSON.parse(await readFile(join(dir, 'first.json'), 'utf8'));
    assert.equal(stopped.interrupted, true);
    assert.ok(stopped.deleted >= 60 && stopped.deleted < USERS, `stopped in the middle: ${stopped.deleted}`);

    const second = await runInProcess(args('second.json', ['--resume']), { cwd: dir });
    assert.equal(second.code, 0, second.stderr);
    const resumed = JSON.parse(await readFile(join(dir, 'second.json'), 'utf8'));
    assert.ok(resumed.resumedAtRow > 0, 'carried on from the checkpoint');
    // The counts carry over: one clean run's figures. Rows finished above the watermark before
    // the stop are sent again and find their record gone (404), never deleted twice.
    assert.equal(resumed.deleted, USERS);
    assert.equal(resumed.rows.read, USERS);
    assert.equal(px.stats().deleted.users, USERS, 'each id deleted once');
    assert.equal(px.stats().byRoute['DELETE /v1/users/{id}']?.['204'], USERS);
    const sentAgain = px.stats().byRoute['DELETE /v1/users/{id}']?.['404'] ?? 0;
    assert.equal(resumed.alreadyGone, sentAgain);
    assert.ok(sentAgain < stopped.deleted, `the resume did not start over: ${sentAgain} sent again`);
    assert.equal((await dump(px, 'users')).length, 0);
  });
});
