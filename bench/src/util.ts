import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('../..', import.meta.url));
export const CLI = join(ROOT, 'packages/pxstream/bin/pxstream.js');
export const EMULATOR = join(ROOT, 'packages/emulator/bin/pxstream-emulator.js');
export const EXAMPLE_CONFIG = join(ROOT, 'examples/pxstream.json');
export const BENCH_KEY = 'bench-key-0123456789';

export async function scratch(): Promise<{ dir: string; cleanup: () => Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), 'pxstream-bench-'));
  return { dir, cleanup: () => rm(dir, { recursive: true, force: true }) };
}

export interface ProcessResult {
  code: number | null;
  stdout: string;
  stderr: string;
  ms: number;
}

/** Runs a node script to the end; stdout is kept only when asked (dry runs print a lot). */
export function runNode(
  args: string[],
  options: { cwd?: string; keepStdout?: boolean } = {},
): Promise<ProcessResult> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(process.execPath, args, {
      cwd: options.cwd ?? ROOT,
      stdio: ['ignore', options.keepStdout === false ? 'ignore' : 'pipe', 'pipe'],
      env: { ...process.env, PX_API_KEY: '', PX_BASE_URL: '', PX_PRODUCT_KEY: '' },
    });
    let stdout = '';
    let stderr = '';
    child.stdout?.on('data', (d: Buffer) => {
      stdout += d.toString();
    });
    child.stderr?.on('data', (d: Buffer) => {
      stderr += d.toString();
    });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr, ms: performance.now() - started }));
  });
}

/**
 * node's arguments to run a TypeScript file of this repository: its compiled sibling (`x.ts.mjs`)
 * when this module runs compiled (scripts/compile-tests.mjs), else the file itself through tsx.
 */
export const runTs = (file: string): string[] =>
  import.meta.url.endsWith('.ts.mjs') ? [`${file}.mjs`] : ['--import', 'tsx', file];

/** Runs a case script (its own process) and parses the JSON line it prints last. */
/**
 * The flags given to `pnpm bench` after `--case <n>` (`--rows 100000`), passed to the case in
 * front of its defaults: a case reads the first occurrence of a flag.
 */
function overrides(): string[] {
  const argv = process.argv.slice(2);
  const at = argv.indexOf('--case');
  if (at < 0) return [];
  return [...argv.slice(0, at), ...argv.slice(at + 2)].filter((flag) => flag !== '--smoke');
}

export async function runCase<T>(script: string, args: string[]): Promise<T> {
  const result = await runNode([...runTs(join(ROOT, 'bench/src/cases', script)), ...overrides(), ...args]);
  if (result.code !== 0) throw new Error(`${script} failed (${result.code}): ${result.stderr}`);
  const last = result.stdout.trim().split('\n').at(-1) ?? '';
  return JSON.parse(last) as T;
}

export interface EmulatorProcess {
  baseUrl: string;
  url: string;
  stats(): Promise<{
    requests: number;
    rateLimited: number;
    maxPerSecond: number;
    created: { users: number };
  }>;
  count(type: 'users' | 'accounts'): Promise<number>;
  seedUsers(ids: string[]): Promise<void>;
  close(): Promise<void>;
}

/** The emulator in its own process, so its CPU does not share the measured client's event loop. */
export async function startEmulatorProcess(flags: string[]): Promise<EmulatorProcess> {
  const child: ChildProcess = spawn(
    process.execPath,
    [
      EMULATOR,
      '--api-key',
      BENCH_KEY,
      '--no-daily-quota',
      '--custom-attribute',
      'user.plan:STRING',
      '--custom-attribute',
      'account.tier:STRING',
      ...flags,
    ],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  const baseUrl = await announcedBaseUrl(child, 'emulator');
  const url = baseUrl.replace(/\/v1$/, '');
  return {
    baseUrl,
    url,
    stats: async () => (await fetch(`${url}/__emulator/stats`)).json() as never,
    count: async (type) => {
      const text = await (await fetch(`${url}/__emulator/dump?type=${type}`)).text();
      return text.split('\n').filter((line) => line.trim() !== '').length;
    },
    seedUsers: async (ids) => {
      for (let i = 0; i < ids.length; i += 5000) {
        const users = ids
          .slice(i, i + 5000)
          .map((identifyId) => ({ identifyId, propertyKeys: ['AP-DEMO00000000-2'] }));
        const response = await fetch(`${url}/__emulator/seed`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ users }),
        });
        if (!response.ok) throw new Error(`seed: ${response.status}`);
      }
    },
    close: async () => {
      child.kill('SIGTERM');
      if (child.exitCode === null) await new Promise((resolve) => child.once('exit', resolve));
    },
  };
}

/** The example config pointed at an emulator. */
export async function benchConfig(
  dir: string,
  baseUrl: string,
  extra: Record<string, unknown> = {},
): Promise<string> {
  const { readFile } = await import('node:fs/promises');
  const config = JSON.parse(await readFile(EXAMPLE_CONFIG, 'utf8')) as Record<string, unknown>;
  const path = join(dir, `config-${Date.now()}.json`);
  await writeFile(path, JSON.stringify({ ...config, apiKey: BENCH_KEY, baseUrl, ...extra }));
  return path;
}

export function machine(): string {
  const cpu = cpus();
  return `${cpu[0]?.model ?? 'unknown CPU'} x${cpu.length}, Node ${process.version}, ${process.platform} ${process.arch}`;
}

/** The base URL (`http://…/v1`) a server child process prints on its stdout once it listens. */
export function announcedBaseUrl(child: ChildProcess, name: string): Promise<string> {
  const lines = createInterface({ input: child.stdout as NodeJS.ReadableStream });
  return new Promise<string>((resolve, reject) => {
    lines.on('line', (line) => {
      const found = /(http:\/\/\S+\/v1)/.exec(line);
      if (found) resolve(found[1] as string);
    });
    child.once('exit', (code) => reject(new Error(`${name} exited (${code})`)));
  });
}
