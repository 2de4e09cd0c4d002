/**
 * Case "CLI dry run": what users run. The `pxstream` process on an N-row users CSV with
 * `--dry-run`, its bodies to /dev/null and into a pipe (`| wc -l`), against raw csv-parse
 * (`columns: true`) reading the same file, in the same rounds (alternating, best of R). Each
 * command is timed by bash's `time` (wall, user and system seconds of the command and its
 * children), so a machine with expensive system calls shows up in the system time.
 *   --rows <n>    rows (default 1,000,000)   --rounds <r>   rounds (default 5)
 */
import { spawn } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { arg, report } from '../case-args.js';
import { generate } from '../generate.js';
import { CLI, EXAMPLE_CONFIG, ROOT, scratch } from '../util.js';

const rows = Number(arg('rows', '1000000'));
const rounds = Number(arg('rounds', '5'));

interface Timing {
  wall: number;
  user: number;
  sys: number;
}

/** Runs a shell command line under bash's `time`; resolves to its seconds. */
function timed(command: string): Promise<Timing> {
  return new Promise((resolve, reject) => {
    const script = `TIMEFORMAT='%R %U %S'; { time ( ${command} ) ; } 2>&1 1>/dev/null | tail -1`;
    const child = spawn('bash', ['-c', script], { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => {
      out += d;
    });
    child.on('error', reject);
    child.on('close', (code) => {
      const [wall, user, sys] = out.trim().split(/\s+/).map(Number);
      if (code !== 0 || wall === undefined || Number.isNaN(wall)) {
        reject(new Error(`${command}: exit ${code}, ${out}`));
      } else resolve({ wall, user: user ?? 0, sys: sys ?? 0 });
    });
  });
}

const quote = (text: string) => `'${text.replaceAll("'", "'\\''")}'`;

const { dir, cleanup } = await scratch();
try {
  const input = join(dir, 'users.csv');
  await generate({ type: 'USER', format: 'csv', rows, out: input });
  const raw = join(dir, 'raw-csv-parse.mjs');
  const csvParse = join(ROOT, 'bench/node_modules/csv-parse/lib/index.js');
  await writeFile(
    raw,
    `import { createReadStream } from 'node:fs';
import { parse } from ${JSON.stringify(csvParse)};
let n = 0;
for await (const _record of createReadStream(process.argv[2]).pipe(parse({ columns: true }))) n++;
if (n !== ${rows}) { console.error('raw csv-parse read ' + n); process.exit(1); }
`,
  );
  const node = quote(process.execPath);
  const dryRun = `${node} ${quote(CLI)} -q --dry-run -t USER -c ${quote(EXAMPLE_CONFIG)} ${quote(input)}`;
  const commands = {
    raw: `${node} ${quote(raw)} ${quote(input)}`,
    devNull: `${dryRun} > /dev/null`,
    pipe: `${dryRun} | wc -l > /dev/null`,
  };
  // One pipe run checks the count: every row printed once.
  const lines = await new Promise<string>((resolve, reject) => {
    const child = spawn('bash', ['-c', `${dryRun} | wc -l`], { cwd: ROOT });
    let out = '';
    child.stdout.on('data', (d: Buffer) => {
      out += d;
    });
    child.on('close', () => resolve(out.trim()));
    child.on('error', reject);
  });
  const results: Record<keyof typeof commands, Timing[]> = { raw: [], devNull: [], pipe: [] };
  for (let round = 0; round < rounds; round++) {
    for (const name of Object.keys(commands) as Array<keyof typeof commands>) {
      results[name].push(await timed(commands[name]));
    }
  }
  const best = (list: Timing[]) => list.reduce((a, b) => (b.wall < a.wall ? b : a));
  const summary = (list: Timing[]) => {
    const walls = list.map((t) => t.wall).sort((a, b) => a - b);
    const top = best(list);
    return {
      rowsPerSecond: rows / top.wall,
      wall: top.wall,
      user: top.user,
      sys: top.sys,
      walls,
      medianRowsPerSecond: rows / walls[Math.floor(walls.length / 2)]!,
    };
  };
  const raw_ = summary(results.raw);
  const devNull = summary(results.devNull);
  const pipe = summary(results.pipe);
  report({
    rows,
    rounds,
    raw: raw_,
    devNull,
    pipe,
    ratioDevNull: devNull.rowsPerSecond / raw_.rowsPerSecond,
    ratioPipe: pipe.rowsPerSecond / raw_.rowsPerSecond,
    medianRatioDevNull: devNull.medianRowsPerSecond / raw_.medianRowsPerSecond,
    medianRatioPipe: pipe.medianRowsPerSecond / raw_.medianRowsPerSecond,
    accounted: Number(lines) === rows,
  });
} finally {
  await cleanup();
}
