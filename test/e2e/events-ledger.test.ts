import assert from 'node:assert/strict';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import type { EmulatorHandle } from '@pxstream/emulator';
import { runInProcess, runPxstream, startPxstream, tempDir, writeConfig } from '../helpers/cli.js';
import { EXAMPLE_ATTRIBUTES, exampleConfig } from '../helpers/configs.js';
import { dump, emulator, SECRET_KEY } from '../helpers/emulator.js';

/** Events are not idempotent: the ledger records each event PX confirmed. */
describe('events ledger: custom events are never sent twice, and never-sent events are not in doubt', () => {
  const EVENTS = 300;
  const eventsCsv = () => {
    const lines = ['user_id,event,occurred_at,account,url,plan,seats'];
    for (let i = 0; i < EVENTS; i++) {
      lines.push(
        `u-${i % 37},signed-in,${Date.UTC(2026, 10, 1) + i * 1000},ACC-1,https://app/x,pro,${i % 9}`,
      );
    }
    return `${lines.join('\n')}\n`;
  };
  const recordedOnce = async (px: EmulatorHandle) => {
    const events = await dump(px, 'events');
    const keys = events.map((e) => `${e.identifyId}|${e.date}`);
    return { total: events.length, distinct: new Set(keys).size };
  };

  it('a finished file run twice, and an interrupted file run again without --resume: each event once', async () => {
    const px = await emulator({ customAttributes: EXAMPLE_ATTRIBUTES, latency: { fixedMs: 3 } });
    const { dir, cleanup } = await tempDir();
    try {
      const input = join(dir, 'events.csv');
      await writeFile(input, eventsCsv());
      const config = await writeConfig(dir, exampleConfig(px.baseUrl, { rate: 150 }));
      const args = ['-t', 'CUSTOM_EVENT', '-c', config, input];
      // Ctrl-C: a real process, interrupted; the runs after it in this process.
      const stopped = await runPxstream(args, {
        cwd: dir,
        interruptWhen: { when: () => px.stats().created.events >= 60 },
      });
      assert.equal(stopped.code, 130, stopped.stderr);
      const again = await runInProcess(args, { cwd: dir });
      assert.equal(again.code, 0, again.stderr);
      assert.match(again.stderr, /events already recorded by PX \(an earlier run\): not sent again/);
      assert.deepEqual(await recordedOnce(px), { total: EVENTS, distinct: EVENTS });
      const twice = await runInProcess(args, { cwd: dir });
      assert.equal(twice.code, 0, twice.stderr);
      assert.equal(twice.stdout, `DONE: 0 updated, 0 inserted, ${EVENTS} skipped, 0 errors\n`);
      assert.match(twice.stderr, new RegExp(`${EVENTS} events already recorded by PX \\(an earlier run\\)`));
      assert.deepEqual(await recordedOnce(px), { total: EVENTS, distinct: EVENTS });
      // --no-ledger is there for those who want the duplicates.
      const dup = await runInProcess(['--no-ledger', ...args], { cwd: dir });
      assert.equal(dup.stdout, `DONE: 0 updated, ${EVENTS} inserted, 0 skipped, 0 errors\n`);
    } finally {
      await px.close();
      await cleanup();
    }
  });

  it('a wrong key stops the load; --resume with the right key lands every event once, none in doubt', async () => {
    const px = await emulator({ customAttributes: EXAMPLE_ATTRIBUTES, latency: { fixedMs: 3 } });
    const { dir, cleanup } = await tempDir();
    try {
      const input = join(dir, 'events.csv');
      await writeFile(input, eventsCsv());
      const config = await writeConfig(dir, exampleConfig(px.baseUrl, { rate: 300 }));
      const args = ['-t', 'CUSTOM_EVENT', '-c', config, '--report', join(dir, 'r.json'), input];
      // The key is revoked mid-run: a 401 stops the load with rows in flight and queued.
      const first = runInProcess(args, { cwd: dir });
      const revoke = setInterval(() => {
        if (px.stats().created.events >= 100) {
          clearInterval(revoke);
          px.configure({ apiKeys: ['another-key'] });
        }
      }, 2);
      const stopped = await first;
      clearInterval(revoke);
      assert.equal(stopped.code, 1, stopped.stderr);
      assert.match(stopped.stderr, /PX rejected the API key \(HTTP 401\)/);
      px.configure({ apiKeys: [SECRET_KEY] });
      const resumed = await runInProcess([...args, '--resume'], { cwd: dir });
      assert.equal(resumed.code, 0, resumed.stderr);
      assert.doesNotMatch(resumed.stderr, /PX_EVENT_MAYBE_RECORDED|may have reached PX|in doubt/);
      assert.deepEqual(await recordedOnce(px), { total: EVENTS, distinct: EVENTS });
    } finally {
      await px.close();
      await cleanup();
    }
  });

  it('kill -9 mid-run, then a rerun: not one event twice; only the events in flight are in doubt', async () => {
    const px = await emulator({ customAttributes: EXAMPLE_ATTRIBUTES, latency: { fixedMs: 30 } });
    const { dir, cleanup } = await tempDir();
    try {
      const input = join(dir, 'events.csv');
      await writeFile(input, eventsCsv());
      const config = await writeConfig(dir, exampleConfig(px.baseUrl, { rate: 300, concurrency: 8 }));
      const args = ['-t', 'CUSTOM_EVENT', '-c', config, '--errors', join(dir, 'rejects.csv'), input];
      // kill -9: a real process, killed; the rerun in this process.
      const first = startPxstream(args, { cwd: dir });
      await new Promise<void>((resolve) => {
        const poll = setInterval(() => {
          if (px.stats().created.events >= 100 || first.child.exitCode !== null) {
            clearInterval(poll);
            resolve();
          }
        }, 2);
      });
      first.child.kill('SIGKILL');
      assert.equal((await first.done).signal, 'SIGKILL', 'killed mid-load');
      const rerun = await runInProcess(args, { cwd: dir });
      assert.equal(rerun.code === 0 || rerun.code === 3, true, rerun.stderr);
      const { total, distinct } = await recordedOnce(px);
      assert.equal(total, distinct, 'no event recorded twice');
      const rejects = (await readFile(join(dir, 'rejects.csv'), 'utf8').catch(() => ''))
        .split('\n')
        .filter((line) => line.includes('PX_EVENT_MAYBE_RECORDED'));
      // In doubt: at most the events in flight at the kill (concurrency 8); every other one landed.
      assert.ok(rejects.length <= 8, `${rejects.length} in doubt`);
      assert.ok(total >= EVENTS - rejects.length, `${total} recorded, ${rejects.length} in doubt`);
    } finally {
      await px.close();
      await cleanup();
    }
  });
});
