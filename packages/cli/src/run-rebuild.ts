/**
 * `pxstream ledger rebuild`: fills a target's ledger from PX's own records, over
 * `rebuildLedger()`. stdout gets one line, `REBUILT: N entries from N users, N requests`.
 */
import { type RebuildReport, rebuildLedger } from '@pxstream/load';
import { CliError, EXIT } from './exit-codes.js';
import { ExportProgressLine } from './export-progress.js';
import type { CliIO } from './io.js';
import {
  failureExit,
  interruptedExit,
  parseRead,
  type RawReadOptions,
  readCommand,
  readLogger,
} from './read-commands.js';
import { announcingProgress, runRead } from './read-run.js';
import { elapsed } from './run-verify.js';

const DESCRIPTION = `Rebuild the ledger of a target (PX base URL, product keys, record type) from PX's own records, hashed as a load would send them: afterwards --changed-only sends only the rows that differ from PX (records edited in PX are restored, the rest skipped), and --insert-missing knows which ids PX has. Reads 1,000 records a request; replaces the old ledger only once complete.`;

const EXAMPLES = `
Examples:
  pxstream ledger rebuild -t USER -c px.json
  pxstream ledger rebuild -t ACCOUNT -c px.json --ledger ./ledgers/accounts
  pxstream -t USER -c px.json --plan users.csv       # then: what a load would send
  pxstream -t USER -c px.json -i --changed-only users.csv

Exit codes: 0 rebuilt, 1 fatal error (the old ledger is left as it was), 2 usage error, 130 interrupted (Ctrl-C), 143 SIGTERM, 129 SIGHUP.`;

interface RawRebuildOptions extends RawReadOptions {
  ledger?: string;
}

/** `pxstream ledger <subcommand>`: `rebuild` only, so far. */
export async function runLedgerCommand(argv: string[], io: CliIO): Promise<number> {
  if (argv[0] === 'rebuild') return runRebuildCommand(argv.slice(1), io);
  const log = readLogger(io, false);
  const help = argv[0] === undefined || argv[0] === '--help' || argv[0] === '-h';
  if (help) {
    io.stdout.write('Usage: pxstream ledger rebuild -t USER|ACCOUNT -c <config> [--ledger <dir>]\n');
    return argv[0] === undefined ? EXIT.USAGE : EXIT.OK;
  }
  return failureExit(
    new CliError(`unknown ledger command ${JSON.stringify(argv[0])}: expected rebuild`, EXIT.USAGE),
    log,
    io,
    'ledger rebuild',
  );
}

export async function runRebuildCommand(argv: string[], io: CliIO): Promise<number> {
  const command = readCommand('ledger rebuild', DESCRIPTION, EXAMPLES, io, { filter: false }).option(
    '--ledger <dir>',
    "the ledger's directory (default: the target's own, as a load finds it)",
  );
  let log = readLogger(io, false);
  let parsed: ReturnType<typeof parseRead<RawRebuildOptions>>;
  try {
    parsed = parseRead<RawRebuildOptions>(command, argv);
  } catch (error) {
    return failureExit(error, log, io, 'ledger rebuild');
  }
  const { raw, common } = parsed;
  log = readLogger(io, common.quiet);
  const what = common.type === 'USER' ? 'users' : 'accounts';
  const progress = io.stderr.isTTY && !common.quiet ? new ExportProgressLine(io.stderr) : undefined;
  const stopping = 'the rebuild stops, the ledger is left as it was';
  return runRead(io, log, common, { name: 'ledger rebuild', progress, stopping }, async (run) => {
    const report = await rebuildLedger({
      ...run.options,
      ...(raw.ledger !== undefined ? { ledger: raw.ledger } : {}),
      onProgress: announcingProgress(log, progress, (total) => `${total} ${what} to read`),
    });
    progress?.clear();
    if (report.interrupted) return interruptedExit(run.stoppedBy());
    io.stdout.write(`${rebuildLine(report)}\n`);
    if (!common.quiet) {
      log.info(
        `${elapsed(report.durationMs)}, ${report.pages} pages, ${report.retries} retries, ${report.http429} 429s; ` +
          `the ledger ${report.ledger} held ${report.previousEntries} ids before`,
      );
    }
    return EXIT.OK;
  });
}

/** `REBUILT: N entries from N users, N requests`. */
export function rebuildLine(report: RebuildReport): string {
  const what = report.type === 'USER' ? 'users' : 'accounts';
  return `REBUILT: ${report.entries} entries from ${report.records} ${what}, ${report.requests} requests`;
}
