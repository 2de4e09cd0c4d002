/**
 * Case 2: flat memory. The real CLI in dry run (stdout to /dev/null) on N and 10N rows; its
 * peak RSS comes from its own report (`process.resourceUsage().maxRSS`).
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { arg, report } from '../case-args.js';
import { generate } from '../generate.js';
import { CLI, EXAMPLE_CONFIG, runNode, scratch } from '../util.js';

const small = Number(arg('rows', '1000000'));
const factor = Number(arg('factor', '10'));

async function peak(dir: string, rows: number) {
  const input = join(dir, `users-${rows}.csv`);
  const bytes = await generate({ type: 'USER', format: 'csv', rows, out: input });
  const reportPath = join(dir, `report-${rows}.json`);
  const run = await runNode(
    [CLI, '-q', '--dry-run', '-t', 'USER', '-c', EXAMPLE_CONFIG, '--report', reportPath, input],
    {
      cwd: dir,
      keepStdout: false,
    },
  );
  if (run.code !== 0 && run.code !== 3) throw new Error(`pxstream exited ${run.code}: ${run.stderr}`);
  const json = JSON.parse(await readFile(reportPath, 'utf8'));
  return {
    rows,
    bytes,
    peakRssMb: json.peakRssBytes / 2 ** 20,
    rowsPerSecond: json.rowsPerSecond,
    accounted: json.rows.read === rows && json.rows.dryRun + json.rows.rejected === rows,
  };
}

const { dir, cleanup } = await scratch();
try {
  const a = await peak(dir, small);
  const b = await peak(dir, small * factor);
  report({ small: a, large: b, ratio: b.peakRssMb / a.peakRssMb, accounted: a.accounted && b.accounted });
} finally {
  await cleanup();
}
