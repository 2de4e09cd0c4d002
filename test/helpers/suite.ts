import { after, before } from 'node:test';
import type { EmulatorHandle, EmulatorOptions } from '@pxstream/emulator';
import { tempDir, writeConfig } from './cli.js';
import { exampleConfig } from './configs.js';
import { emulator } from './emulator.js';

export interface EmulatorSuite {
  px: EmulatorHandle;
  /** A temporary working directory, searched for the API key when the suite ends. */
  dir: string;
  /** `examples/pxstream.json` pointed at the emulator, with the key, written in `dir`. */
  config: string;
}

/**
 * Registers the hooks most end-to-end suites share: an emulator, a temporary directory and the
 * example config pointed at the emulator, before the suite's tests; emulator and directory are
 * closed after them. `ready` receives them once started (and may prepare more).
 */
export function emulatorSuite(options: EmulatorOptions, ready: (suite: EmulatorSuite) => unknown): void {
  let px: EmulatorHandle | undefined;
  let cleanup: (() => Promise<void>) | undefined;
  before(async () => {
    px = await emulator(options);
    const temp = await tempDir();
    cleanup = temp.cleanup;
    const config = await writeConfig(temp.dir, exampleConfig(px.baseUrl), 'suite-config.json');
    await ready({ px, dir: temp.dir, config });
  });
  after(async () => {
    await px?.close();
    await cleanup?.();
  });
}
