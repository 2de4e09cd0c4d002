import { createRedactor, errorMessage } from '@pxstream/core';
import { CliError, EXIT } from './exit-codes.js';
import type { CliIO } from './io.js';
import { createLogger, logFormatIn } from './logger.js';
import { parseLoadCommand } from './program.js';
import { runCountCommand } from './run-count.js';
import { runDeleteCommand } from './run-delete.js';
import { runEmulatorCommand } from './run-emulator.js';
import { runExportCommand } from './run-export.js';
import { runLoad, usageHint } from './run-load.js';
import { runLedgerCommand } from './run-rebuild.js';
import { runVerifyCommand } from './run-verify.js';

/** The whole command, in-process: parses argv, runs, returns the exit code. */
export async function runCli(argv: string[], io: CliIO): Promise<number> {
  if (argv[0] === 'emulator') return runEmulatorCommand(argv.slice(1), io);
  if (argv[0] === 'export') return runExportCommand(argv.slice(1), io);
  if (argv[0] === 'count') return runCountCommand(argv.slice(1), io);
  if (argv[0] === 'verify') return runVerifyCommand(argv.slice(1), io);
  if (argv[0] === 'ledger') return runLedgerCommand(argv.slice(1), io);
  if (argv[0] === 'delete') return runDeleteCommand(argv.slice(1), io);
  // Errors before the command is parsed are written in the format it asks for, if it can tell.
  const log = createLogger(io, { quiet: false, verbose: false, logFormat: logFormatIn(argv) }, () =>
    createRedactor([io.env.PX_API_KEY]),
  );
  try {
    const command = parseLoadCommand(argv, {
      out: (text) => io.stdout.write(text),
      err: (text) => io.stderr.write(text),
      columns: io.stdout.columns ?? io.stderr.columns,
    });
    return await runLoad(command.options, io);
  } catch (error) {
    if (error instanceof CliError) {
      if (error.message) log.fatal(error.message, 'USAGE');
      if (error.exitCode === EXIT.USAGE) usageHint(io, log);
      return error.exitCode;
    }
    log.fatal(errorMessage(error), 'INTERNAL');
    return EXIT.FATAL;
  }
}
