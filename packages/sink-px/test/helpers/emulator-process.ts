/**
 * The emulator in a process of its own, for measurements the test process would blur: it
 * stamps arrivals on its own event loop, so a pause of the test's loop (GC, the test runner)
 * does not bunch up the arrival times it records.
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import type { EmulatorStats } from './emulator.js';

export interface EmulatorProcess {
  url: string;
  baseUrl: string;
  stats(): Promise<EmulatorStats>;
  close(): Promise<void>;
}

const ENTRY = fileURLToPath(new URL('./emulator-main.ts', import.meta.url));

/** Starts `pxstream-emulator <args>` (from source, via tsx) and waits for its listening line. */
export async function emulatorProcess(args: string[]): Promise<EmulatorProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', ENTRY, ...args], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let output = '';
  child.stdout.setEncoding('utf8');
  const baseUrl = await new Promise<string>((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`emulator exited with ${code}: ${output}`)));
    child.stdout.on('data', (chunk: string) => {
      output += chunk;
      const match = /listening on (http:\/\/\S+\/v1)/.exec(output);
      if (match) resolve(match[1]!);
    });
  });
  const url = baseUrl.slice(0, -'/v1'.length);
  return {
    url,
    baseUrl,
    stats: async () => (await (await fetch(`${url}/__emulator/stats`)).json()) as EmulatorStats,
    close: async () => {
      if (child.exitCode !== null) return;
      const exited = once(child, 'exit');
      child.kill('SIGTERM');
      await exited;
    },
  };
}
