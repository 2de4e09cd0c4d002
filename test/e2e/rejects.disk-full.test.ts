import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import type { EmulatorHandle } from '@pxstream/emulator';
import { BIN, runInProcess, writeConfig } from '../helpers/cli.js';
import { EXAMPLE_ATTRIBUTES, exampleConfig } from '../helpers/configs.js';
import { USER_HEADER } from '../helpers/data.js';
import { SECRET_KEY } from '../helpers/emulator.js';
import { emulatorSuite } from '../helpers/suite.js';

// Half of them rejected, about 190 bytes each in the rejects file: the 64 KiB limit is reached
// some 700 rows in, well before the end.
const ROWS = 2000;

/** Runs pxstream with a file size limit (`ulimit -f`, in KiB): a disk that fills up mid-run. */
function runWithFileLimit(kib: number, args: string[], cwd: string) {
  return new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve, reject) => {
    const quoted = [process.execPath, BIN, ...args].map((a) => `'${a.replace(/'/g, "'\\''")}'`).join(' ');
    const child = spawn('bash', ['-c', `ulimit -f ${kib}; exec ${quoted}`], {
      cwd,
      env: { ...process.env, PX_API_KEY: '', PX_BASE_URL: '', PX_PRODUCT_KEY: '' },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => {
      stdout += d.toString();
    });
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
    });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

describe('a rejects file that fills the disk mid-run', () => {
  let px: EmulatorHandle;
  let dir: string;
  emulatorSuite({ customAttributes: EXAMPLE_ATTRIBUTES }, (suite) => ({ px, dir } = suite));

  it('stops the run at once (exit 1) with the counts (no DONE line), report and checkpoint; resume then loses nothing', async () => {
    const input = join(dir, 'half-bad.csv');
    const lines = [USER_HEADER];
    for (let i = 0; i < ROWS; i++) {
      const email = i % 2 ? `bad-${i}` : `d${i}@example.com`;
      lines.push(
        `d-${i},${email},Ann,Lee,Engineer,Paris,IDF,FR,48.85,2.35,2024-11-02T02:52:00,pro,1,true,ACC-1`,
      );
    }
    await writeFile(input, `${lines.join('\n')}\n`);
    const config = await writeConfig(dir, exampleConfig(px.baseUrl, { rate: 2000 }));
    const report = join(dir, 'run.json');
    const args = ['-t', 'USER', '-c', config, '-i', '--report', report, input];

    const full = await runWithFileLimit(64, args, dir);
    assert.equal(full.code, 1, full.stderr);
    assert.match(full.stderr, /cannot write the rejects file .*half-bad_rejects\.csv/);
    // A fatal error prints no DONE line (wrappers grep it as success), but the counts so far.
    assert.doesNotMatch(full.stdout, /DONE/);
    assert.match(
      full.stderr,
      /^pxstream: stopped by the error above: 0 updated, \d+ inserted, 0 skipped, \d+ errors so far$/m,
    );
    assert.doesNotMatch(full.stderr, /rejected rows written to/, 'not every rejected row reached the file');
    assert.ok(!(full.stdout + full.stderr).includes(SECRET_KEY));
    const stopped = JSON.parse(await readFile(report, 'utf8'));
    assert.equal(stopped.error.code, 'REJECTS_WRITE_FAILED');
    // The reader may be through the small input before the disk error surfaces (hundreds of
    // rows in flight at 2000/s): what shows the stop is the rows never sent.
    assert.ok(
      stopped.rows.notSent > 0 && stopped.inserted < ROWS / 2,
      `the run stopped instead of loading on: ${stopped.inserted} inserted, ${stopped.rows.notSent} not sent`,
    );
    const checkpoint = JSON.parse(await readFile(join(dir, 'run.checkpoint.json'), 'utf8'));
    assert.ok(checkpoint.rejects.bytes <= 64 * 1024, 'the checkpoint promises only bytes on disk');

    const resumed = await runInProcess([...args, '--resume'], { cwd: dir, timeoutMs: 120_000 });
    assert.equal(resumed.code, 3, resumed.stderr);
    const ids = (await readFile(join(dir, 'half-bad_rejects.csv'), 'utf8'))
      .split('\n')
      .slice(1)
      .filter(Boolean)
      .map((line) => line.slice(0, line.indexOf(',')));
    assert.equal(ids.length, ROWS / 2);
    assert.equal(new Set(ids).size, ROWS / 2, 'each bad row exactly once');
    assert.equal(px.stats().created.users, ROWS / 2, 'no good row lost or created twice');
  });
});
