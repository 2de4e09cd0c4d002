import type { CliIO } from './io.js';

/**
 * `pxstream emulator [options]`: the standalone emulator, same flags as `pxstream-emulator`;
 * its exit code (2 for bad flags) is the command's.
 */
export async function runEmulatorCommand(argv: string[], io: CliIO): Promise<number> {
  // Loaded on demand: every other command starts without the emulator's modules.
  const { runEmulatorCli } = await import('@pxstream/emulator');
  return runEmulatorCli(argv, { stdout: io.stdout, stderr: io.stderr });
}
