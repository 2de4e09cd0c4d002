// Temporary measurement (deleted after): the CLI's peak RSS at --rate 100000, default vs --concurrency 64.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { generate } from './generate.js';
import { benchConfig, CLI, runNode, scratch, startEmulatorProcess } from './util.js';

const rows = Number(process.argv[2] ?? '200000');
const { dir, cleanup } = await scratch();
const px = await startEmulatorProcess(['--no-rate-limit']);
try {
  const input = join(dir, 'u.csv');
  await generate({ type: 'USER', format: 'csv', rows, out: input });
  const config = await benchConfig(dir, px.baseUrl);
  for (const flags of [['--concurrency', '64'], [], ['--concurrency', '64'], []]) {
    const reportPath = join(dir, 'r.json');
    const run = await runNode(
      [CLI, '-q', '-t', 'USER', '-c', config, '--rate', '100000', '--report', reportPath, ...flags, input],
      { cwd: dir, keepStdout: false },
    );
    const r = JSON.parse(await readFile(reportPath, 'utf8'));
    console.log(
      JSON.stringify({
        flags,
        code: run.code,
        peakRssMB: r.peakRssBytes / 2 ** 20,
        rowsPerSecond: r.rowsPerSecond,
        concurrency: r.concurrency,
        roundTripMs: r.roundTripMs,
      }),
    );
  }
} finally {
  await px.close();
  await cleanup();
}
