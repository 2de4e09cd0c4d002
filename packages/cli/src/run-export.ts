/**
 * `pxstream export`: PX's users or accounts written as the config's CSV columns (or every field
 * as JSON-lines), to stdout or a file (gzip by its `.gz`), over `exportRecords()`.
 */
import { type ExportFormat, type ExportReport, exportRecords } from '@pxstream/load';
import { EXIT } from './exit-codes.js';
import { ExportProgressLine } from './export-progress.js';
import type { CliIO } from './io.js';
import type { Logger } from './logger.js';
import { parseFormat } from './options.js';
import {
  failureExit,
  interruptedExit,
  parseRead,
  type RawReadOptions,
  readCommand,
  readLogger,
} from './read-commands.js';
import { announcingProgress, runRead } from './read-run.js';

const DESCRIPTION = `Export PX's users or accounts: by default under the config's CSV columns, with values the loader reads back to the same records (an export loads into an empty PX as it was); --all-fields writes every field of every record as JSON-lines. Reads 1,000 records a request, at the load's rate.`;

const EXAMPLES = `
Examples:
  pxstream export -t USER -c px.json > users.csv
  pxstream export -t ACCOUNT -c px.json -o accounts.jsonl.gz
  pxstream export -t USER -c px.json --filter 'customAttributes.plan==gold' --filter 'email~*@acme.com'
  pxstream export -t USER -c px.json --all-fields -o users-all.jsonl

Exit codes: 0 exported, 1 fatal error (no file is left), 2 usage error, 130 interrupted (Ctrl-C), 143 SIGTERM, 129 SIGHUP.`;

interface RawExportOptions extends RawReadOptions {
  format?: string;
  output?: string;
  allFields?: boolean;
}

export async function runExportCommand(argv: string[], io: CliIO): Promise<number> {
  const command = readCommand('export', DESCRIPTION, EXAMPLES, io)
    .option(
      '-f, --format <format>',
      'csv, jsonl or json (default: from --output, else csv; jsonl with --all-fields)',
    )
    .option('-o, --output <file>', 'write to this file (gzip when it ends in .gz); default stdout')
    .option('--all-fields', 'every field of every record, as JSON-lines (dotted paths for nested fields)');
  let log = readLogger(io, false);
  let format: ExportFormat | undefined;
  let parsed: ReturnType<typeof parseRead<RawExportOptions>>;
  try {
    parsed = parseRead<RawExportOptions>(command, argv);
    format = parsed.raw.format === undefined ? undefined : parseFormat(parsed.raw.format);
  } catch (error) {
    return failureExit(error, log, io, 'export');
  }
  const { raw, common } = parsed;
  log = readLogger(io, common.quiet);
  const progress = io.stderr.isTTY && !common.quiet ? new ExportProgressLine(io.stderr) : undefined;
  const what = common.type === 'USER' ? 'users' : 'accounts';
  return runRead(io, log, common, { name: 'export', progress, stopping: 'the export stops' }, async (run) => {
    const report = await exportRecords({
      ...run.options,
      filter: common.filters,
      allFields: raw.allFields === true,
      onProgress: announcingProgress(log, progress, (total) => `${total} ${what} to export`),
    }).write(raw.output ?? io.stdout, format ? { format } : {});
    progress?.clear();
    if (report.interrupted) {
      log.info(
        `stopped after ${report.records} records${raw.output === undefined ? '' : ': no file written'}`,
      );
      return interruptedExit(run.stoppedBy());
    }
    summarize(io, log, report, raw.output !== undefined, common.quiet);
    return EXIT.OK;
  });
}

/** `EXPORT: N records, N requests` (stdout when the records went to a file, else stderr) and the figures. */
function summarize(io: CliIO, log: Logger, report: ExportReport, toFile: boolean, quiet: boolean): void {
  if (quiet) return;
  const out = toFile ? io.stdout : io.stderr;
  out.write(`${exportLine(report)}\n`);
  const seconds = (report.durationMs / 1000).toFixed(1);
  const where = report.output && report.output !== 'stream' ? `; written to ${report.output}` : '';
  log.info(
    `${seconds} s, ${report.recordsPerSecond} records/s, ${report.pages} pages, ${report.retries} retries, ${report.http429} 429s${
      report.restarts > 0 ? `, ${report.restarts} scroll restarts` : ''
    }${where}`,
  );
}

/** The closing line of an export: what it wrote and what it cost. */
export function exportLine(report: ExportReport): string {
  return `EXPORT: ${report.records} records, ${report.requests} requests`;
}
