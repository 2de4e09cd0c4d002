import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough, Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { runCli } from '@pxstream/cli';
import { SECRET_KEY } from './emulator.js';

export const ROOT = fileURLToPath(new URL('../..', import.meta.url));
export const BIN = join(ROOT, 'packages/pxstream/bin/pxstream.js');
export const EXAMPLES = join(ROOT, 'examples');

/**
 * node's arguments to run a TypeScript file of this repository: its compiled sibling (`x.ts.mjs`)
 * when this module runs compiled (scripts/compile-tests.mjs), else the file itself through tsx.
 */
export const runTs = (file: string): string[] =>
  import.meta.url.endsWith('.ts.mjs') ? [`${file}.mjs`] : ['--import', 'tsx', file];

/**
 * The incremental-sync ledgers of this process's runs (`PXSTREAM_LEDGER_DIR`): shared by its
 * runs, so that a resume finds the ledger of the run it resumes, and never the user's own. Each
 * target (base URL, so each emulator) has a ledger of its own in it.
 */
export const LEDGERS = mkdtempSync(join(tmpdir(), 'pxstream-ledgers-'));
process.once('exit', () => rmSync(LEDGERS, { recursive: true, force: true }));

/**
 * The working directory of a run that names none: a new empty one each time, never the
 * repository, where checkpoints (`<input>_checkpoint.json`) and other files a run writes in its
 * working directory would land, shared with every other run of the same input at once.
 */
const WORKING_DIRS = mkdtempSync(join(tmpdir(), 'pxstream-cwd-'));
process.once('exit', () => rmSync(WORKING_DIRS, { recursive: true, force: true }));
function freshCwd(): string {
  return mkdtempSync(join(WORKING_DIRS, 'cwd-'));
}

export interface CliRun {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export interface RunOptions {
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  stdin?: string | Buffer;
  /**
   * Send SIGINT once stdout or stderr contains `text`, after a delay in ms, or once `when()`
   * turns true (polled every 20 ms: e.g. the emulator has received some requests, so the load
   * is surely under way however slow the machine is).
   */
  interruptWhen?: { text?: string; afterMs?: number; when?: () => boolean; times?: number };
  timeoutMs?: number;
}

/** The environment of a CLI under test: no key, base URL or product key from the caller's; the tests' ledgers. */
function testEnv(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  return {
    ...process.env,
    PX_API_KEY: '',
    PX_BASE_URL: '',
    PX_PRODUCT_KEY: '',
    PXSTREAM_LEDGER_DIR: LEDGERS,
    ...extra,
  };
}

/** Spawns the built `pxstream` bin as a user would, and collects everything it printed. */
export function runPxstream(args: string[], options: RunOptions = {}): Promise<CliRun> {
  return startPxstream(args, options).done;
}

/** Like `runPxstream`, with the child at hand (to kill it at a moment of the test's choosing). */
export function startPxstream(
  args: string[],
  options: RunOptions = {},
): { child: ChildProcess; done: Promise<CliRun> } {
  let child!: ChildProcess;
  const done = new Promise<CliRun>((resolve, reject) => {
    child = spawn(process.execPath, [BIN, ...args], {
      cwd: options.cwd ?? freshCwd(),
      env: testEnv(options.env),
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    let interrupted = 0;
    const wanted = options.interruptWhen;
    const interrupt = () => {
      if (!wanted || interrupted >= (wanted.times ?? 1)) return;
      interrupted++;
      child.kill('SIGINT');
    };
    const check = () => {
      if (wanted?.text && interrupted === 0 && (stdout + stderr).includes(wanted.text)) interrupt();
    };
    // Decoded as a stream: a character split between two chunks stays whole.
    child.stdout?.setEncoding('utf8');
    child.stderr?.setEncoding('utf8');
    child.stdout?.on('data', (d: string) => {
      stdout += d;
      check();
    });
    child.stderr?.on('data', (d: string) => {
      stderr += d;
      check();
    });
    if (wanted?.afterMs !== undefined) setTimeout(interrupt, wanted.afterMs);
    const poll = wanted?.when
      ? setInterval(() => {
          if (interrupted === 0 && wanted.when?.()) interrupt();
        }, 20)
      : undefined;
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`pxstream ${args.join(' ')} timed out\nstdout: ${stdout}\nstderr: ${stderr}`));
    }, options.timeoutMs ?? 60_000);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      clearInterval(poll);
      // Every run of every suite is searched for the API key: stdout and stderr here, the
      // files it wrote when its temporary directory is cleaned up (see `tempDir`).
      const leak = [stdout, stderr].find((text) => text.includes(SECRET_KEY));
      if (leak !== undefined) {
        reject(new Error(`pxstream ${args.join(' ')} printed the API key:\n${leak.slice(0, 2000)}`));
      } else resolve({ code, signal, stdout, stderr });
    });
    child.stdin?.on('error', () => {});
    if (options.stdin !== undefined) child.stdin?.end(options.stdin);
    else child.stdin?.end();
  });
  return { child, done };
}

/** Files a test wrote with the API key in them on purpose (configs, leaky inputs). */
const holdsKeyOnPurpose = new Set<string>();

/** Declares that a file the test wrote holds the API key on purpose (an input, a config). */
export function holdsKey(path: string): string {
  holdsKeyOnPurpose.add(path);
  return path;
}

/**
 * The files under `dir` that contain the API key, apart from those written with it on
 * purpose: reports, rejects files, checkpoints and anything else pxstream left there.
 */
export async function filesLeakingKey(dir: string): Promise<string[]> {
  const leaking: string[] = [];
  for (const entry of await readdir(dir, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile()) continue;
    const path = join(entry.parentPath ?? entry.path, entry.name);
    if (holdsKeyOnPurpose.has(path)) continue;
    if ((await readFile(path)).includes(SECRET_KEY)) leaking.push(path);
  }
  return leaking;
}

/**
 * A temporary working directory. Its cleanup first searches every file in it for the API key
 * (see `filesLeakingKey`) and fails the suite if one leaked, then removes it.
 */
export async function tempDir(): Promise<{ dir: string; cleanup: () => Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), 'pxstream-e2e-'));
  const cleanup = async () => {
    const leaking = await filesLeakingKey(dir).catch(() => []);
    await rm(dir, { recursive: true, force: true });
    if (leaking.length > 0) throw new Error(`the API key leaked into ${leaking.join(', ')}`);
  };
  return { dir, cleanup };
}

/** Writes a config.json in Gainsight's format (plus pxstream's keys) and returns its path. */
export async function writeConfig(dir: string, config: Record<string, unknown>, name = 'config.json') {
  const path = holdsKey(join(dir, name));
  await writeFile(path, JSON.stringify(config, null, 2));
  return path;
}

/** Options of `runInProcess`: those of `runPxstream` that need no process of its own. */
export interface InProcessOptions {
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  /** The input on stdin (a pipe's contents: stdin is no terminal). */
  stdin?: string | Buffer;
  /** The test fails (the run is left to end on its own) past this many ms; default 60 s. */
  timeoutMs?: number;
  /** A stop as a signal would bring it (`io.onInterrupt`), once stderr holds `text`. */
  stopWhen?: { text: string | RegExp; signal: 'SIGINT' | 'SIGTERM' | 'SIGHUP' };
}

/**
 * The CLI in this process (`runCli` with captured streams, over the same real sockets and
 * files): for tests that need no process of their own (no signal, no exit code of a real
 * process, no closed pipe, no memory figure, no terminal). Same environment as `runPxstream`
 * (no key or base URL from the caller's, the tests' ledgers), and stdout and stderr are
 * searched for the API key as they are there. Ctrl-C never comes unless `stopWhen` brings one.
 */
export async function runInProcess(args: string[], options: InProcessOptions = {}): Promise<CliRun> {
  const collect = () => {
    const stream = new PassThrough();
    const chunks: Buffer[] = [];
    stream.on('data', (chunk: Buffer) => chunks.push(chunk));
    return { stream, text: () => Buffer.concat(chunks).toString('utf8') };
  };
  const out = collect();
  const err = collect();
  const stdin = options.stdin === undefined ? [] : [Buffer.from(options.stdin)];
  const run = runCli(args, {
    stdin: Readable.from(stdin),
    stdout: out.stream,
    stderr: err.stream,
    env: testEnv(options.env),
    cwd: options.cwd ?? freshCwd(),
    onInterrupt: (handler) => {
      const stop = options.stopWhen;
      if (!stop) return () => {};
      const text = stop.text;
      const seen = (chunk: string) => (typeof text === 'string' ? chunk.includes(text) : text.test(chunk));
      let stopped = false;
      const watch = () => {
        if (!stopped && seen(err.text())) {
          stopped = true;
          handler(stop.signal);
        }
      };
      err.stream.on('data', watch);
      return () => err.stream.off('data', watch);
    },
  });
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      reject(new Error(`pxstream ${args.join(' ')} timed out\nstdout: ${out.text()}\nstderr: ${err.text()}`));
    }, options.timeoutMs ?? 60_000);
    timer.unref();
  });
  const code = await Promise.race([run, timeout]).finally(() => clearTimeout(timer));
  // Whatever the streams still hold reaches their 'data' listeners.
  await new Promise((resolve) => setImmediate(resolve));
  const stdout = out.text();
  const stderr = err.text();
  const leak = [stdout, stderr].find((text) => text.includes(SECRET_KEY));
  if (leak !== undefined)
    throw new Error(`pxstream ${args.join(' ')} printed the API key:\n${leak.slice(0, 2000)}`);
  return { code, signal: null, stdout, stderr };
}
