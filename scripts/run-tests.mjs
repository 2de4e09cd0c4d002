#!/usr/bin/env node
// Runs every *.test.ts under packages/*/test, test/ and bench/test with Node's built-in test
// runner (compiled to JavaScript first, and run without a loader: compile-tests.mjs), in a few
// processes at once (scripts/test-group.mjs runs each): a package's unit tests in one, one file
// after another; the end-to-end files in
// E2E_GROUPS processes, E2E_FILES_AT_ONCE files at once in each; those that time something in
// their own process in TIMING_GROUPS processes, one file after another; a few long or heavy files
// (OWN_PROCESS) alone. At most `concurrency` processes at a time, the longest first. The files
// wait on rate-limited loads and child processes most of the time, so more files than cores
// keeps the cores busy. Each process's output is printed whole when it ends (never interleaved),
// then a summary; the exit code is 1 when any test failed.
//
// Why not plain `node --import tsx --test --test-concurrency=4 <files>` (Node 20 has discovery
// of .js files only, so the list would be given, per-file processes, concurrency and per-test
// timeouts, but no isolation option): measured on this 2-core machine, 2026-12-07, the same 152
// files, 4 at a time, it took 373 s and 509 s of CPU (6m41 user + 1m49 sys), where this script,
// then with a process per end-to-end file, took 245 s and 358 s of CPU. Node 20 starts a
// process per file, about 1 s of CPU each, and runs the files in the order given, so the long
// end-to-end files started last and ran alone at the end. Since then (2026-12-07, 1,950 tests):
// a process per end-to-end file, 199 s and 383 s of CPU; the end-to-end files grouped, 161 s
// and 309 s; node:test's async hook disabled as well (test-group.mjs), 23% less CPU again in
// the promise-heavy suites; the tests compiled by esbuild and run without tsx (compile-tests.mjs),
// 139.9 s and 240 s of CPU where the same run with tsx took 183 s and 334 s.
//
// Usage: node scripts/run-tests.mjs [--concurrency <n>] [path-substring ...]
//   --concurrency <n> (or PXSTREAM_TEST_CONCURRENCY=<n>): files at once (default: see below);
//   1 runs them one at a time. Path substrings filter the file list.
//   --list: print the processes and their files, and run nothing.
//   --checks: also the lint (`biome ci .`) and the type-check of the tests, benchmarks and
//   examples (`tsc -p tsconfig.check.json`), as two more units among the tests (`pnpm test`).
//   They need only the build, as the tests do; run beside the tests, their CPU fills the gaps
//   of files that wait, where before the tests they cost 11 s of a 2-core machine's time.
import { spawn } from 'node:child_process';
import { availableParallelism } from 'node:os';
import { relative } from 'node:path';
import { compileTests, typeScriptFiles } from './compile-tests.mjs';

const root = new URL('..', import.meta.url).pathname;
/** A process that runs longer than this is killed and counted as failed (a hang must not stall CI). */
const FILE_TIMEOUT_MS = 5 * 60_000;

function usage(message) {
  console.error(
    `run-tests: ${message}\nusage: node scripts/run-tests.mjs [--concurrency <n>] [--checks] [--list] [path-substring ...]`,
  );
  process.exit(2);
}

const argv = process.argv.slice(2);
const filters = [];
let concurrencyArg = process.env.PXSTREAM_TEST_CONCURRENCY;
let checks = false;
let list = false;
for (let i = 0; i < argv.length; i++) {
  const arg = argv[i];
  if (arg === '--concurrency' || arg === '-j') concurrencyArg = argv[++i] ?? usage(`${arg} needs a number`);
  else if (arg.startsWith('--concurrency=')) concurrencyArg = arg.slice('--concurrency='.length);
  else if (arg === '--checks') checks = true;
  else if (arg === '--list') list = true;
  else filters.push(arg);
}
// Twice the cores, at least 2: on 2 cores the whole run took 323 s with 3 files at once, 304-317 s
// with 4, 287-305 s with 6 and 289 s with 8 (a shared machine). The cores are the limit; past 4
// the gain is small and throughput-sensitive tests start to fail.
const concurrency =
  concurrencyArg === undefined ? Math.max(2, 2 * availableParallelism()) : Number(concurrencyArg);
if (!Number.isInteger(concurrency) || concurrency < 1) usage(`--concurrency takes a whole number >= 1`);

// The test files among what is compiled (compile-tests.mjs), but a fixture's.
const sources = typeScriptFiles(root);
const files = sources
  .map((path) => relative(root, path))
  .filter((file) => file.endsWith('.test.ts') && !file.split('/').includes('fixtures'))
  .filter((file) => filters.length === 0 || filters.some((f) => file.includes(f)));
if (files.length === 0) {
  console.error('run-tests: no test files found');
  process.exit(1);
}

// Files that keep a process of their own: long ones (with a timeout of their own), the memory
// and throughput figures of the benchmark smoke run, and the packaging test's npm installs.
const OWN_PROCESS = new Set([
  'packages/emulator/test/faults.rates.test.ts',
  'packages/emulator/test/faults.test.ts',
  'bench/test/smoke.test.ts',
  'test/e2e/packaging.test.ts',
  'test/e2e/faults.test.ts',
  'test/e2e/resume.in-flight.test.ts',
]);
/** Processes that share the other end-to-end files, and how many files each runs at once. */
const E2E_GROUPS = 4;
const E2E_FILES_AT_ONCE = 3;
/**
 * End-to-end files that time something in their own process (a round trip, a Ctrl-C sent once
 * PX has had N requests, a clock): in a process shared with files at once, another file's
 * synchronous work (a load run in process) holds their timers back for seconds (a p90 round
 * trip of 2.3 s for a 400 ms emulator; a Ctrl-C sent after the load had ended). They share
 * TIMING_GROUPS processes of their own, one file after another.
 */
const TIMED = new Set([
  'test/e2e/backpressure.test.ts',
  'test/e2e/cli.in-flight.test.ts',
  'test/e2e/cli.report.test.ts',
  'test/e2e/cli.sigint.test.ts',
  'test/e2e/cli.signals.test.ts',
  'test/e2e/daily-budget.test.ts',
  'test/e2e/delete.resume.test.ts',
  'test/e2e/event-identity.test.ts',
  'test/e2e/events-ledger.test.ts',
  'test/e2e/export.process.test.ts',
  'test/e2e/incremental-sync.test.ts',
  'test/e2e/resume.checkpoint.test.ts',
  'test/e2e/resume.test.ts',
]);
const TIMING_GROUPS = 2;

// A package's own tests that are not in OWN_PROCESS run in one process per package, one file
// after another; the other end-to-end files in E2E_GROUPS processes, E2E_FILES_AT_ONCE files at
// once in each (scripts/test-group.mjs). Starting a TypeScript-loading process and loading the
// packages costs about 1 s of CPU; measured on 6 end-to-end files, 2026-12-07: 22.0 s of CPU as
// 6 processes, 11.4 s in one.
// Packages whose unit tests take a few seconds share one process, one file after another.
const SMALL_PACKAGES = new Set([
  'checkpoint',
  'config',
  'core',
  'mapper',
  'sink-errors',
  'source-px',
  'validator',
]);
const units = [];
const groups = new Map();
const e2e = [];
for (const file of files.sort()) {
  const pkg = /^packages\/([^/]+)\/test\//.exec(file)?.[1];
  if (OWN_PROCESS.has(file)) {
    units.push({ key: file, name: file, files: [file] });
  } else if (pkg === undefined) {
    e2e.push(file);
  } else {
    const shared = SMALL_PACKAGES.has(pkg);
    const key = shared ? 'packages (small)' : `packages/${pkg}/test`;
    let group = groups.get(key);
    if (!group) {
      group = { key, name: shared ? `packages/{${[...SMALL_PACKAGES].join(',')}}/test` : key, files: [] };
      groups.set(key, group);
      units.push(group);
    }
    group.files.push(file);
  }
}
for (const group of groups.values()) {
  if (group.files.length > 1) group.name += ` (${group.files.length} files)`;
}
// Longest first (a long unit started last runs alone at the end), and the end-to-end groups
// balanced: seconds each file or package took in a full run on 2 cores, 4 processes at a time,
// each its own process but a package's, 2026-12-07 (199 s in all, the machine shared). Only the
// order and the grouping depend on these figures: a file missing here, or listed and gone,
// changes nothing else.
const TYPICAL_SECONDS = {
  'test/e2e/faults.test.ts': 71,
  'bench/test/smoke.test.ts': 70,
  'packages/sink-px/test': 42,
  'packages (small)': 20,
  'test/e2e/resume.in-flight.test.ts': 39,
  'test/e2e/packaging.test.ts': 37,
  'test/e2e/incremental-sync.test.ts': 22,
  'packages/ledger/test': 20,
  'packages/load/test': 19,
  'test/e2e/event-identity.test.ts': 17,
  'test/e2e/events-ledger.test.ts': 16,
  'test/e2e/cli.invocation.test.ts': 16,
  'test/e2e/resume.test.ts': 15,
  'test/e2e/transport.test.ts': 14,
  'test/e2e/cli.secrets.test.ts': 14,
  'test/e2e/cli.dry-run-threads.test.ts': 14,
  'packages/emulator/test/faults.rates.test.ts': 14,
  'packages/emulator/test': 14,
  'test/e2e/rejects.disk-full.test.ts': 13,
  'test/e2e/export.test.ts': 13,
  'packages/emulator/test/faults.test.ts': 13,
  'test/e2e/demo.test.ts': 12,
  'test/e2e/cli.flags.test.ts': 12,
  'packages/source-csv/test': 12,
  'test/e2e/resume.checkpoint.test.ts': 11,
  'test/e2e/record-types.test.ts': 11,
  'test/e2e/input-formats.test.ts': 11,
  'test/e2e/export.library.test.ts': 11,
  'packages/source-json/test': 11,
  'packages/cli/test': 11,
  'test/e2e/cli.sigint.test.ts': 10,
  'test/e2e/cli.logs.test.ts': 10,
  'test/e2e/cli.closed-stdout.test.ts': 10,
  'test/e2e/backpressure.test.ts': 10,
  'test/e2e/warnings-and-hints.test.ts': 9,
  'test/e2e/cli.strict.test.ts': 9,
  'test/e2e/ledger-rebuild.test.ts': 8,
  'test/e2e/export.process.test.ts': 8,
  'test/e2e/bad-input.test.ts': 8,
  'packages/sink-errors/test': 8,
  'test/e2e/delete.resume.test.ts': 7,
  'test/e2e/cli.in-flight.test.ts': 7,
  'test/e2e/cli.exit-codes.test.ts': 7,
  'test/e2e/exports.test.ts': 6,
  'test/e2e/examples.test.ts': 6,
  'test/e2e/delete.test.ts': 6,
  'test/e2e/cli.report.test.ts': 6,
  'test/e2e/verify.test.ts': 5,
  'test/e2e/cli.signals.test.ts': 5,
  'test/e2e/cli.no-wait.test.ts': 5,
  'test/e2e/cli.dry-run.test.ts': 5,
  'test/e2e/delete.mirror.test.ts': 4,
  'test/e2e/daily-budget.test.ts': 4,
  'test/e2e/cli.cause-messages.test.ts': 4,
  'packages/source-px/test': 4,
  'bench/test/peer-px.test.ts': 4,
  'test/e2e/cli.output-files.test.ts': 3,
  'test/docs/error-codes.test.ts': 3,
  'packages/source-jsonl/test': 3,
  'packages/mapper/test': 3,
  'packages/validator/test': 2,
  'packages/core/test': 2,
  'packages/config/test': 2,
  'packages/checkpoint/test': 2,
  'bench/test/multi-day-figures.test.ts': 2,
};
/** Units not listed: end-to-end suites take longer than a package's unit tests. */
const guess = (unit) =>
  unit.seconds ?? TYPICAL_SECONDS[unit.key] ?? (unit.key.startsWith('packages/') ? 5 : 12);

// The end-to-end groups, balanced by the files' typical seconds: each file in turn, longest
// first, to the group with the least so far.
function groupFiles(label, count, atOnce, groupedFiles) {
  const made = Array.from({ length: Math.min(count, groupedFiles.length) }, (_, i) => ({
    key: `${label} ${i + 1}`,
    name: '',
    files: [],
    atOnce,
    total: 0,
  }));
  const longestFirst = (a, b) => guess({ key: b }) - guess({ key: a }) || a.localeCompare(b);
  for (const file of groupedFiles.sort(longestFirst)) {
    const group = made.reduce((least, g) => (g.total < least.total ? g : least));
    group.files.push(file);
    group.total += guess({ key: file });
  }
  for (const group of made) {
    group.name = `${group.key} (${group.files.length} files, ${group.atOnce} at once)`;
    group.seconds = group.total / group.atOnce;
    units.push(group);
  }
}
groupFiles(
  'e2e group',
  E2E_GROUPS,
  E2E_FILES_AT_ONCE,
  e2e.filter((file) => !TIMED.has(file)),
);
groupFiles(
  'e2e timed group',
  TIMING_GROUPS,
  1,
  e2e.filter((file) => TIMED.has(file)),
);
units.sort((a, b) => guess(b) - guess(a) || a.key.localeCompare(b.key));

// The checks start first: short, and a failure is worth knowing early.
if (checks) {
  units.unshift(
    {
      key: 'lint',
      name: 'lint: biome ci .',
      command: ['node_modules/@biomejs/biome/bin/biome', 'ci', '--colors=off', '.'],
    },
    {
      key: 'type-check',
      name: 'type-check: tsc -p tsconfig.check.json',
      command: ['node_modules/typescript/bin/tsc', '-p', 'tsconfig.check.json'],
    },
  );
}

if (list) {
  for (const unit of units)
    console.log(`${unit.name}\n${(unit.files ?? unit.command).map((f) => `  ${f}`).join('\n')}`);
  process.exit(0);
}

const started = performance.now();
// The tests run compiled, with plain node (compile-tests.mjs says why).
const compile = await compileTests(root, sources).catch((error) => {
  // esbuild's message names each file, line and error (a syntax error in a test).
  console.error(`run-tests: the tests do not compile: ${error.message}`);
  process.exit(1);
});
console.log(`run-tests: ${compile.files} TypeScript files compiled in ${(compile.ms / 1000).toFixed(1)} s`);
const results = [];
const running = new Set();

/** A test unit's files, after `scripts/test-group.mjs` (one file too: see its async-hook note). */
function testEntry(unit) {
  const atOnce = unit.atOnce ? ['--at-once', String(unit.atOnce)] : [];
  return ['scripts/test-group.mjs', ...atOnce, ...unit.files.map((file) => `${file}.mjs`)];
}

/** Runs one unit; resolves with its exit, duration and output (stdout and stderr, in order). */
function runUnit(unit) {
  return new Promise((resolve) => {
    const t0 = performance.now();
    const argv = unit.command ?? ['--enable-source-maps', '--test-reporter=spec', ...testEntry(unit)];
    const child = spawn(process.execPath, argv, {
      cwd: root,
      env: { ...process.env, NODE_ENV: 'test' },
      stdio: ['ignore', 'pipe', 'pipe'],
      // Its own process group: a timeout kills the file and every process it started.
      detached: true,
    });
    running.add(child);
    const chunks = [];
    child.stdout.on('data', (d) => chunks.push(d));
    child.stderr.on('data', (d) => chunks.push(d));
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      killGroup(child, 'SIGKILL');
    }, FILE_TIMEOUT_MS);
    const finish = (code, signal, error) => {
      clearTimeout(timer);
      running.delete(child);
      resolve({
        file: unit.name,
        files: unit.files?.length ?? 0,
        code,
        signal,
        timedOut,
        error,
        ms: performance.now() - t0,
        output: Buffer.concat(chunks).toString(),
      });
    };
    child.on('error', (error) => finish(null, null, error));
    child.on('close', (code, signal) => finish(code, signal));
  });
}

function killGroup(child, signal) {
  try {
    process.kill(-child.pid, signal);
  } catch {
    child.kill(signal);
  }
}

const seconds = (ms) => `${(ms / 1000).toFixed(1)} s`;
const passed = (r) => r.code === 0 && !r.timedOut && !r.error;

/** The counts the spec reporter prints at the end of a file (`ℹ tests 12`, `ℹ fail 0`...). */
function counts(output) {
  const found = {};
  for (const match of output.matchAll(/^ℹ (tests|suites|pass|fail|cancelled|skipped|todo) (\d+)$/gm)) {
    found[match[1]] = Number(match[2]);
  }
  return found;
}

function report(result) {
  const mark = passed(result) ? '✔' : '✖';
  const why = result.timedOut
    ? ` (timed out after ${seconds(FILE_TIMEOUT_MS)}: killed)`
    : result.error
      ? ` (${result.error.message})`
      : result.code !== 0
        ? ` (exit ${result.code ?? result.signal})`
        : '';
  process.stdout.write(`\n${mark} ${result.file} ${seconds(result.ms)}${why}\n${result.output}`);
}

const queue = [...units];
async function worker() {
  while (queue.length > 0) {
    const result = await runUnit(queue.shift());
    results.push(result);
    report(result);
  }
}

for (const signal of ['SIGINT', 'SIGTERM']) {
  process.once(signal, () => {
    for (const child of running) killGroup(child, 'SIGKILL');
    process.exit(130);
  });
}

console.log(`run-tests: ${files.length} files in ${units.length} processes, ${concurrency} at a time`);
await Promise.all(Array.from({ length: Math.min(concurrency, units.length) }, worker));

const wall = performance.now() - started;
const failed = results.filter((r) => !passed(r));
const totals = { tests: 0, pass: 0, fail: 0, cancelled: 0, skipped: 0, todo: 0 };
for (const r of results) {
  const c = counts(r.output);
  for (const key of Object.keys(totals)) totals[key] += c[key] ?? 0;
}
const slowest = [...results].sort((a, b) => b.ms - a.ms).slice(0, 8);
const lines = [
  '',
  '─'.repeat(72),
  `run-tests: ${files.length} files (${results.length} processes) in ${seconds(wall)}, ${concurrency} at a time: ` +
    `${results.length - failed.length} passed, ${failed.length} failed`,
  `tests ${totals.tests}, pass ${totals.pass}, fail ${totals.fail}, cancelled ${totals.cancelled}, ` +
    `skipped ${totals.skipped}, todo ${totals.todo}`,
  'slowest files:',
  ...slowest.map((r) => `  ${seconds(r.ms).padStart(8)}  ${r.file}`),
  ...(failed.length > 0 ? ['failed files:', ...failed.map((r) => `  ✖ ${r.file}`)] : []),
];
console.log(lines.join('\n'));
process.exitCode = failed.length > 0 ? 1 : 0;
