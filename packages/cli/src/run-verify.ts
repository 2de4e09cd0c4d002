/**
 * `pxstream verify`: checks that PX holds what an input says, field by field, over `verify()`.
 * stdout gets one line, `VERIFY: N match, N differ, N missing in PX` (`, N rejected` when rows
 * were rejected before comparing); `--diff` a JSON-lines file of the differences.
 */
import { type VerifyProgress, type VerifyReadBy, type VerifyReport, verify } from '@pxstream/load';
import { CliError, EXIT } from './exit-codes.js';
import { InPlaceLine } from './in-place-line.js';
import type { CliIO } from './io.js';
import type { Logger } from './logger.js';
import { parseFormat } from './options.js';
import { formatDuration } from './progress.js';
import {
  failureExit,
  interruptedExit,
  parseRead,
  type RawReadOptions,
  readCommand,
  readLogger,
} from './read-commands.js';
import { runRead } from './read-run.js';

const DESCRIPTION = `Check that PX holds what a file says: each row mapped and validated as a load would send it, then compared field by field with PX's record (numbers by value, dates as epoch ms, booleans, strings exactly; a field the row leaves empty is not compared). Reads PX the cheaper way: one request per id for a small file, else PX's whole list, 1,000 records a request.`;

const EXAMPLES = `
Examples:
  pxstream verify -t USER -c px.json users.csv
  pxstream verify -t USER -c px.json --diff differences.jsonl users.csv.gz
  jq -r 'select(.kind == "missing") | .id' differences.jsonl

Exit codes: 0 PX holds every row as the file says, 3 some rows differ, are missing in PX or were rejected, 1 fatal error, 2 usage error, 130 interrupted (Ctrl-C), 143 SIGTERM, 129 SIGHUP.`;

interface RawVerifyOptions extends RawReadOptions {
  diff?: string;
  format?: string;
  readBy?: string;
}

export async function runVerifyCommand(argv: string[], io: CliIO): Promise<number> {
  const command = readCommand('verify', DESCRIPTION, EXAMPLES, io, { filter: false })
    .argument('<input>', 'the file to check (CSV, JSON-lines or a JSON array; gzip too); "-" for stdin')
    .option('--diff <file>', 'write the differences there, one JSON object a line (gzip when it ends in .gz)')
    .option(
      '-f, --format <format>',
      'input format: csv, jsonl or json; default: from the extension, else the first bytes',
    )
    .option('--read-by <way>', "scroll (PX's whole list) or get (one request per id); default: the cheaper");
  let log = readLogger(io, false);
  let parsed: ReturnType<typeof parseRead<RawVerifyOptions>>;
  let readBy: VerifyReadBy | undefined;
  try {
    parsed = parseRead<RawVerifyOptions>(command, argv);
    readBy = parseReadBy(parsed.raw.readBy);
    if (parsed.raw.format !== undefined) parseFormat(parsed.raw.format);
  } catch (error) {
    return failureExit(error, log, io, 'verify');
  }
  const { raw, common } = parsed;
  const input = command.args[0]!;
  log = readLogger(io, common.quiet);
  const progress =
    io.stderr.isTTY && !common.quiet ? new InPlaceLine(io.stderr, verifyProgressText) : undefined;
  return runRead(io, log, common, { name: 'verify', progress, stopping: 'the verify stops' }, async (run) => {
    const report = await verify({
      ...run.options,
      input: input === '-' ? io.stdin : input,
      inputName: 'stdin',
      ...(raw.format !== undefined ? { format: parseFormat(raw.format) } : {}),
      ...(raw.diff !== undefined ? { diff: raw.diff } : {}),
      ...(readBy ? { readBy } : {}),
      ...(progress ? { onProgress: progress.update } : {}),
    });
    progress?.clear();
    if (report.interrupted) return interruptedExit(run.stoppedBy());
    io.stdout.write(`${verifyLine(report)}\n`);
    if (!common.quiet) summarize(log, report);
    return report.differ + report.missing + report.rejected === 0 ? EXIT.OK : EXIT.REJECTED;
  });
}

function parseReadBy(value: string | undefined): VerifyReadBy | undefined {
  if (value === undefined || value === 'scroll' || value === 'get') return value;
  throw new CliError(`--read-by takes scroll or get, got ${JSON.stringify(value)}`, EXIT.USAGE);
}

/** The one line on stdout: `VERIFY: N match, N differ, N missing in PX[, N rejected]`. */
export function verifyLine(report: VerifyReport): string {
  const rejected = report.rejected > 0 ? `, ${report.rejected} rejected` : '';
  return `VERIFY: ${report.match} match, ${report.differ} differ, ${report.missing} missing in PX${rejected}`;
}

/** What the verify found besides its counts, and what it cost, on stderr. */
function summarize(log: Logger, report: VerifyReport): void {
  const fields = Object.entries(report.differingFields).sort((a, b) => b[1] - a[1]);
  if (fields.length > 0) log.info(`fields that differ: ${fields.map(([f, n]) => `${f} ${n}`).join(', ')}`);
  else if (report.differ > 0) log.info('--diff names the fields that differ');
  if (report.repeatedRows > 0) {
    log.info(`${report.repeatedRows} rows of ids on more than one row: the last row of each id was compared`);
  }
  if (report.rejected > 0)
    log.info(`${report.rejected} rows were rejected before comparing, as a load would reject them`);
  if (report.diffFile && report.diffFile !== 'stream') {
    log.info(`${report.diffLines} differences written to ${report.diffFile}`);
  }
  const reads = report.readBy === 'get' ? `${report.gets} by id` : `${report.pages} pages`;
  log.info(
    `${elapsed(report.durationMs)}, ${report.rows} rows, ${report.requests} requests (${reads}), ${report.retries} retries, ${report.http429} 429s`,
  );
}

/** `4.2 s`, or `3m05s` past a minute. */
export function elapsed(ms: number): string {
  return ms < 60_000 ? `${(ms / 1000).toFixed(1)} s` : formatDuration(ms);
}

/** The verify's progress line on a terminal: what it is reading, and how far. */
function verifyProgressText(p: VerifyProgress): string {
  return p.phase === 'input'
    ? `reading the input: ${p.rows} rows`
    : p.phase === 'px'
      ? `reading PX: ${p.records}${p.totalHits === undefined ? '' : ` of ${p.totalHits}`} records | ${p.requests} requests`
      : 'naming the differences: reading the input again';
}
