import { errorMessage } from '@pxstream/core';
import { CliError, EXIT } from './exit-codes.js';
import type { CliIO } from './io.js';
import { parseLoadCommand } from './program.js';
import { runEmulatorCommand } from './run-emulator.js';
import { runLoad } from './run-load.js';

/** The whole command, in-process: parses argv, runs, returns the exit code. */
export async function runCli(argv: string[], io: CliIO): Promise<number> {
  if (argv[0] === 'emulator') return runEmulatorCommand(argv.slice(1), io);
  try {
    const command = parseLoadCommand(argv, {
      out: (text) => io.stdout.write(text),
      err: (text) => io.stderr.write(text),
      columns: io.stdout.columns ?? io.stderr.columns,
    });
    return await runLoad(command.options, io);
  } catch (error) {
    if (error instanceof CliError) {
      if (error.message) io.stderr.write(`pxstream: error: ${error.message}\n`);
      if (error.exitCode === EXIT.USAGE) io.stderr.write('Run pxstream --help for usage.\n');
      return error.exitCode;
    }
    io.stderr.write(`pxstream: error: ${errorMessage(error)}\n`);
    return EXIT.FATAL;
  }
}
