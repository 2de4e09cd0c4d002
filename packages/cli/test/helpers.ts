import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough, Readable, Writable } from 'node:stream';
import type { CliIO } from '../src/index.js';

export const KEY = 'pxk-cli-unit-SECRET-0b7c';

/** A writable that keeps what it is given, optionally claiming to be a terminal. */
export function capture(isTTY: boolean): Writable & { isTTY: boolean; columns: number; text(): string } {
  const chunks: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      chunks.push(chunk.toString());
      callback();
    },
  });
  return Object.assign(stream, { isTTY, columns: 120, text: () => chunks.join('') });
}

/** In-process I/O for `runCli`: stdin from text (or a terminal that sends nothing). */
export function fakeIO(options: {
  cwd: string;
  stdin?: string;
  stdinIsTTY?: boolean;
  stderrIsTTY?: boolean;
  env?: NodeJS.ProcessEnv;
}) {
  const stdin = options.stdin !== undefined ? Readable.from([Buffer.from(options.stdin)]) : new PassThrough();
  const stdout = capture(false);
  const stderr = capture(options.stderrIsTTY ?? false);
  const io: CliIO = {
    stdin: Object.assign(stdin, { isTTY: options.stdinIsTTY ?? false }),
    stdout,
    stderr,
    env: options.env ?? {},
    cwd: options.cwd,
    onInterrupt: () => () => {},
  };
  return { io, stdout, stderr };
}

export async function workDir(): Promise<{ dir: string; cleanup: () => Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), 'pxstream-cli-'));
  return { dir, cleanup: () => rm(dir, { recursive: true, force: true }) };
}

export async function writeJson(path: string, value: unknown): Promise<string> {
  await writeFile(path, JSON.stringify(value));
  return path;
}
