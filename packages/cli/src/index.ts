export { main } from './bin.js';
export { runCli } from './cli.js';
export type { ExitCode } from './exit-codes.js';
export { CliError, EXIT } from './exit-codes.js';
export type { CliIO, StopSignal } from './io.js';
export { processIO } from './io.js';
export type { CliLoadOptions } from './options.js';
export { doneLine } from './summary.js';
