import { after, before } from 'node:test';
import type { EmulatorHandle, EmulatorOptions } from '@pxstream/emulator';
import { tempDir } from './cli.js';
import { emulator } from './emulator.js';

export interface EmulatorSuite {
  px: EmulatorHandle;
  /** A temporary working directory, searched for the API key when the suite ends. */
  dir: string;
}

/**
 * Registers the hooks most end-to-end suites share: an emulator and a temporary directory
 * before the suite's tests, both closed after them. `ready` receives them once started (and
 * may prepare more, such as a config in the directory).
 */
export function emulatorSuite(options: EmulatorOptions, ready: (suite: EmulatorSuite) => unknown): void {
  let px: EmulatorHandle | undefined;
  let cleanup: (() => Promise<void>) | undefined;
  before(async () => {
    px = await emulator(options);
    const temp = await tempDir();
    cleanup = temp.cleanup;
    await ready({ px, dir: temp.dir });
  });
  after(async () => {
    await px?.close();
    await cleanup?.();
  });
}
