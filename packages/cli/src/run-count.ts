/** `pxstream count`: how many users or accounts PX holds (that match the filters), in one request. */
import { count } from '@pxstream/load';
import { EXIT } from './exit-codes.js';
import type { CliIO } from './io.js';
import {
  failureExit,
  interruptedExit,
  parseRead,
  readCommand,
  readFlagWords,
  readLogger,
} from './read-commands.js';

const DESCRIPTION = `Print how many users or accounts PX holds, or how many match the filters (PX's totalHits): one request.`;

const EXAMPLES = `
Examples:
  pxstream count -t USER -c px.json
  pxstream count -t ACCOUNT -c px.json --filter 'customAttributes.tier==gold'

Exit codes: 0 counted, 1 fatal error, 2 usage error, 130 interrupted.`;

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
  const stop = new AbortController();
  let stoppedBy: string | undefined;
  const unsubscribe = io.onInterrupt((signal?: string) => {
    stoppedBy ??= signal ?? 'SIGINT';
    stop.abort();
  });
  try {
    const report = await count({
      config: common.configPath,
      type: common.type,
      filter: common.filters,
      baseUrl: common.baseUrl,
      rate: common.rate,
      timeoutMs: common.timeoutMs,
      wait: common.wait,
      signal: stop.signal,
      onLog: (entry) => {
        if (entry.level === 'warn') log.warn(readFlagWords(entry.message));
        else log.info(readFlagWords(entry.message));
      },
      env: io.env,
      cwd: io.cwd,
    });
    io.stdout.write(`${report.totalHits}\n`);
    return EXIT.OK;
  } catch (error) {
    if (stop.signal.aborted) return interruptedExit(stoppedBy);
    return failureExit(error, log, io, 'count');
  } finally {
    unsubscribe();
  }
}
