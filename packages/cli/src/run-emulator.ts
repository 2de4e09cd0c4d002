import { runEmulatorCli } from '@pxstream/emulator';
import type { CliIO } from './io.js';

/**
 * `pxstream emulator [options]`: the standalone emulator, same flags as `pxstream-emulator`;
 * its exit code (2 for bad flags) is the command's.
 */
export function runEmulatorCommand(argv: string[], io: CliIO): Promise<number> {
  return runEmulatorCli(argv, { stdout: io.stdout, stderr: io.stderr });
}
