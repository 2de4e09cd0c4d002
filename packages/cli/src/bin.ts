import { runCli } from './cli.js';
import { processIO } from './io.js';

/** Entry point of the `pxstream` bin. */
export async function main(argv: string[] = process.argv.slice(2)): Promise<void> {
  process.exitCode = await runCli(argv, processIO());
}
