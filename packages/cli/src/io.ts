import type { Readable, Writable } from 'node:stream';

/** Everything the CLI touches outside itself, injected so it can run in-process in tests. */
export interface CliIO {
  stdin: Readable & { isTTY?: boolean };
  stdout: Writable & { isTTY?: boolean; columns?: number };
  stderr: Writable & { isTTY?: boolean; columns?: number };
  env: NodeJS.ProcessEnv;
  cwd: string;
  /** Subscribes to Ctrl-C; returns an unsubscribe function. */
  onInterrupt(handler: () => void): () => void;
}

/**
 * The process's streams. A reader that goes away (`pxstream -d ... | head`) makes writes fail
 * with EPIPE, emitted as an 'error' event that would crash the process with a stack trace:
 * the listeners here keep it alive, and the load reacts to a closed stdout itself.
 */
export function processIO(): CliIO {
  for (const stream of [process.stdout, process.stderr]) {
    if (stream.listenerCount('error') === 0) stream.on('error', () => {});
  }
  return {
    stdin: process.stdin,
    stdout: process.stdout,
    stderr: process.stderr,
    env: process.env,
    cwd: process.cwd(),
    onInterrupt(handler) {
      process.on('SIGINT', handler);
      return () => process.off('SIGINT', handler);
    },
  };
}
