import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('../..', import.meta.url));
export const BIN = join(ROOT, 'packages/cli/bin/pxstream.js');
export const EXAMPLES = join(ROOT, 'examples');

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
  /** Send SIGINT once stdout or stderr contains this text (or after a delay in ms). */
  interruptWhen?: { text?: string; afterMs?: number; times?: number };
  timeoutMs?: number;
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
      cwd: options.cwd ?? ROOT,
      env: { ...process.env, PX_API_KEY: '', PX_BASE_URL: '', ...options.env },
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
    child.stdout?.on('data', (d: Buffer) => {
      stdout += d.toString();
      check();
    });
    child.stderr?.on('data', (d: Buffer) => {
      stderr += d.toString();
      check();
    });
    if (wanted?.afterMs !== undefined) setTimeout(interrupt, wanted.afterMs);
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`pxstream ${args.join(' ')} timed out\nstdout: ${stdout}\nstderr: ${stderr}`));
    }, options.timeoutMs ?? 60_000);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr });
    });
    child.stdin?.on('error', () => {});
    if (options.stdin !== undefined) child.stdin?.end(options.stdin);
    else child.stdin?.end();
  });
  return { child, done };
}

export async function tempDir(): Promise<{ dir: string; cleanup: () => Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), 'pxstream-e2e-'));
  return { dir, cleanup: () => rm(dir, { recursive: true, force: true }) };
}

/** Writes a config.json in Gainsight's format (plus pxstream's keys) and returns its path. */
export async function writeConfig(dir: string, config: Record<string, unknown>, name = 'config.json') {
  const path = join(dir, name);
  await writeFile(path, JSON.stringify(config, null, 2));
  return path;
}
