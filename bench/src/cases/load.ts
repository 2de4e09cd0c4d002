/**
 * Cases 3, 4 and 6: the real CLI loading users into an emulator in its own process.
 * Half the ids exist beforehand, so updates (one PUT) and inserts (PUT 404, then POST) mix.
 *   --emulator "<flags>"  the emulator's flags (rate limit, latency, faults)
 *   --rate <n>            pxstream's --rate
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { arg, report } from '../case-args.js';
import { generate } from '../generate.js';
import { benchConfig, CLI, runNode, scratch, startEmulatorProcess } from '../util.js';

const rows = Number(arg('rows', '20000'));
const rate = arg('rate', '200');
const emulatorFlags = arg('emulator', '--rate 200 --latency 40').split(' ').filter(Boolean);

const { dir, cleanup } = await scratch();
const px = await startEmulatorProcess(emulatorFlags);
try {
  const input = join(dir, 'users.csv');
  await generate({ type: 'USER', format: 'csv', rows, out: input, prefix: 'load' });
  const existing = Array.from({ length: Math.floor(rows / 2) }, (_, i) => `load-${i * 2}`);
  await px.seedUsers(existing);
  const before = await px.stats();
  const config = await benchConfig(dir, px.baseUrl);
  const reportPath = join(dir, 'report.json');
  const run = await runNode(
    [CLI, '-q', '-i', '-t', 'USER', '-c', config, '--rate', rate, '--report', reportPath, input],
    {
      cwd: dir,
    },
  );
  if (run.code !== 0 && run.code !== 3) throw new Error(`pxstream exited ${run.code}: ${run.stderr}`);
  const json = JSON.parse(await readFile(reportPath, 'utf8'));
  const after = await px.stats();
  const requests = after.requests - before.requests;
  const users = await px.count('users');
  const landed = json.rows.updated + json.rows.inserted;
  report({
    rows,
    requests,
    requestsPerSecond: requests / (json.durationMs / 1000),
    rowsPerSecond: json.rowsPerSecond,
    http429: after.rateLimited - before.rateLimited,
    share429: (after.rateLimited - before.rateLimited) / requests,
    maxPerSecond: after.maxPerSecond,
    retries: json.retries,
    landed,
    rejected: json.rows.rejected,
    // Every good row is in PX: the seeded half plus the inserted ones.
    everyRowLanded: users === existing.length + json.rows.inserted && landed + json.rows.rejected === rows,
    duplicates: after.created.users - json.rows.inserted,
    accounted: json.rows.read === rows && json.rows.notSent === 0,
  });
} finally {
  await px.close();
  await cleanup();
}
