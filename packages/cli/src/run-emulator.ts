import { main as emulatorMain } from '@pxstream/emulator';
import type { CliIO } from './io.js';

/** `pxstream emulator [options]`: the standalone emulator, same flags as `pxstream-emulator`. */
export async function runEmulatorCommand(argv: string[], _io: CliIO): Promise<number> {
  await emulatorMain(argv);
  return 0;
}
