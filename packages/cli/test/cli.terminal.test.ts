import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { type EmulatorHandle, startEmulator } from '@pxstream/emulator';
import { runCli } from '../src/index.js';
import { fakeIO, KEY, workDir, writeJson } from './helpers.js';

const HEADER = 'id,email';
const rows = (n: number) =>
  `${HEADER}\n${Array.from({ length: n }, (_, i) => `t-${i},t-${i}@example.com`).join('\n')}\n`;

/** What depends on a terminal: progress on stderr, and stdin that nobody pipes into. */
describe('pxstream on a terminal (in-process)', () => {
  let px: EmulatorHandle;
  let dir: string;
  let cleanup: () => Promise<void>;
  let config: string;
  before(async () => {
    px = await startEmulator({ apiKeys: [KEY], rateLimit: false, latency: { fixedMs: 5 } });
    ({ dir, cleanup } = await workDir());
    config = await writeJson(join(dir, 'px.json'), {
      apiKey: KEY,
      baseUrl: px.baseUrl,
      productKey: 'AP-TEST00000000-2',
      fieldMapping: { USER: { identifyId: 'id', email: 'email' } },
      rate: 200,
    });
  });
  after(async () => {
    await px.close();
    await cleanup();
  });

  it('shows progress (rows/s, percent, ETA, retries, 429s) on stderr when it is a terminal', async () => {
    const { writeFile } = await import('node:fs/promises');
    await writeFile(join(dir, 'many.csv'), rows(300));
    const { io, stdout, stderr } = fakeIO({ cwd: dir, stderrIsTTY: true });
    const code = await runCli(['-i', '-t', 'USER', '-c', config, 'many.csv'], io);
    assert.equal(code, 0, stderr.text());
    assert.match(
      stderr.text(),
      /\r\d+ rows \d+\/s \d+\.\d% ETA \S+ \| upd 0 ins \d+ skip 0 err 0 \| retries 0 429s 0/,
    );
    // The line is wiped before the summary, which stays on stdout.
    assert.match(stdout.text(), /^DONE: 0 updated, 300 inserted, 0 skipped, 0 errors\n$/);
    assert.ok(!(stdout.text() + stderr.text()).includes(KEY));
  });

  it('shows no progress when stderr is not a terminal, nor with --quiet or --verbose', async () => {
    for (const [isTTY, flag] of [
      [false, []],
      [true, ['-q']],
      [true, ['-v']],
    ] as const) {
      px.reset();
      const { io, stderr } = fakeIO({ cwd: dir, stderrIsTTY: isTTY });
      const code = await runCli([...flag, '-i', '-t', 'USER', '-c', config, 'many.csv'], io);
      assert.equal(code, 0, stderr.text());
      assert.doesNotMatch(stderr.text(), /\r|\d+ rows \d+\/s/, `isTTY ${isTTY} ${flag.join(' ')}`);
    }
  });

  // Without the check the run waits for the terminal forever: the timeout turns that into a failure.
  it('refuses to wait on a terminal when no input is given (usage error), but reads "-" from it', {
    timeout: 15_000,
  }, async () => {
    const waiting = fakeIO({ cwd: dir, stdinIsTTY: true });
    const code = await runCli(['-t', 'USER', '-c', config], waiting.io);
    assert.equal(code, 2);
    assert.match(waiting.stderr.text(), /no input: give a file, or pipe the data in/);
    px.reset();
    const typed = fakeIO({ cwd: dir, stdinIsTTY: true, stdin: rows(3) });
    assert.equal(await runCli(['-i', '-t', 'USER', '-c', config, '-'], typed.io), 0, typed.stderr.text());
    assert.match(typed.stdout.text(), /DONE: 0 updated, 3 inserted/);
  });
});
