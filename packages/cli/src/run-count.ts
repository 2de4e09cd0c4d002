/** `pxstream count`: how many users or accounts PX holds (that match the filters), in one request. */
import { count } from '@pxstream/load';
import { EXIT } from './exit-codes.js';
import type { CliIO } from './io.js';
import { failureExit, interruptedExit, parseRead, readCommand, readLogger } from './read-commands.js';
import { runRead } from './read-run.js';

const DESCRIPTION = `Print how many users or accounts PX holds, or how many match the filters (PX's totalHits): one request.`;

const EXAMPLES = `
Examples:
  pxstream count -t USER -c px.json
  pxstream count -t ACCOUNT -c px.json --filter 'customAttributes.tier==gold'

Exit codes: 0 counted, 1 fatal error, 2 usage error, 130 interrupted (Ctrl-C), 143 SIGTERM, 129 SIGHUP.`;

export async function runCountCommand(argv: string[], io: CliIO): Promise<number> {
  let log = readLogger(io, false);
  let parsed: ReturnType<typeof parseRead>;
  try {
    parsed = parseRead(readCommand('count', DESCRIPTION, EXAMPLES, io), argv);
  } catch (error) {
    return failureExit(error, log, io, 'count');
  }
  const { common } = parsed;
  log = readLogger(io, common.quiet);
  return runRead(io, log, common, { name: 'count' }, async (run) => {
    try {
      const report = await count({ ...run.options, filter: common.filters });
      io.stdout.write(`${report.totalHits}\n`);
      return EXIT.OK;
    } catch (error) {
      // A stop rejects (nothing was counted): the exit code of its signal, nothing printed.
      if (run.options.signal.aborted) return interruptedExit(run.stoppedBy());
      throw error;
    }
  });
}
