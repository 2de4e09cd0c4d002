/**
 * Case 2b: flat memory under a real load, where the PX sink's backpressure must reach the file
 * read. The CLI loads N and 10N users in update mode into an empty emulator in its own process
 * (no limit, no latency): every row is one PUT answered 404 and skipped, so the client runs
 * as fast as it can and the emulator stores nothing. Peak RSS from the CLI's own report.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { arg, report } from '../case-args.js';
import { generate } from '../generate.js';
import { benchConfig, CLI, runNode, scratch, startEmulatorProcess } from '../util.js';

const small = Number(arg('rows', '100000'));
const factor = Number(arg('factor', '10'));

const { dir, cleanup } = await scratch();
const px = await startEmulatorProcess(['--no-rate-limit']);
try {
  const config = await benchConfig(dir, px.baseUrl);
  const load = async (rows: number) => {
    const input = join(dir, `users-${rows}.csv`);
    await generate({ type: 'USER', format: 'csv', rows, out: input });
    const reportPath = join(dir, `report-${rows}.json`);
    const run = await runNode(
      [CLI, '-q', '-t', 'USER', '-c', config, '--rate', '100000', '--report', reportPath, input],
      { cwd: dir },
    );
    if (run.code !== 0 && run.code !== 3) throw new Error(`pxstream exited ${run.code}: ${run.stderr}`);
    const json = JSON.parse(await readFile(reportPath, 'utf8'));
    return {
      rows,
      peakRssMb: json.peakRssBytes / 2 ** 20,
      requestsPerSecond: json.requests / (json.durationMs / 1000),
      accounted: json.rows.read === rows && json.rows.skipped + json.rows.rejected === rows,
    };
  };
  const a = await load(small);
  const b = await load(small * factor);
  report({ small: a, large: b, ratio: b.peakRssMb / a.peakRssMb, accounted: a.accounted && b.accounted });
} finally {
  await px.close();
  await cleanup();
}
