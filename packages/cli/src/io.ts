import type { Readable, Writable } from 'node:stream';

/**
 * The signals that stop a load as Ctrl-C does: SIGINT (Ctrl-C), SIGTERM (systemd, Docker,
 * Kubernetes, `timeout`, `kill`) and SIGHUP (the terminal or SSH session went away).
 */
export type StopSignal = 'SIGINT' | 'SIGTERM' | 'SIGHUP';
export const STOP_SIGNALS: readonly StopSignal[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];

/** Everything the CLI touches outside itself, injected so it can run in-process in tests. */
export interface CliIO {
  stdin: Readable & { isTTY?: boolean };
  stdout: Writable & { isTTY?: boolean; columns?: number };
  stderr: Writable & { isTTY?: boolean; columns?: number };
  env: NodeJS.ProcessEnv;
  cwd: string;
  /** Subscribes to Ctrl-C, SIGTERM and SIGHUP (the handler is told which); returns an unsubscribe function. */
  onInterrupt(handler: (signal: StopSignal) => void): () => void;
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
      const listeners = STOP_SIGNALS.map((signal) => [signal, () => handler(signal)] as const);
      for (const [signal, listener] of listeners) process.on(signal, listener);
      return () => {
        for (const [signal, listener] of listeners) process.off(signal, listener);
      };
    },
  };
}
