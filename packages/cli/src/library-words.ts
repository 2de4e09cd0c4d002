import { readFile, writeFile } from 'node:fs/promises';
import type { LoadReport } from '@pxstream/load';
import { EXIT, type ExitCode } from './exit-codes.js';

/**
 * The library names its options in its messages, in backquotes (`insertMissing`); the command
 * says its flags instead. Names with no flag of their own keep their backquotes.
 */
const FLAGS: Readonly<Record<string, string>> = {
  type: '--type',
  config: '--config',
  format: '--format',
  insertMissing: '--insert-missing',
  dryRun: '--dry-run',
  strict: '--strict',
  startRow: '--start-row',
  lastRow: '--last-row',
  rejects: '--errors',
  report: '--report',
  rate: '--rate',
  concurrency: '--concurrency',
  baseUrl: '--base-url',
  timeoutMs: '--timeout',
  resume: '--resume',
  checkpoint: '--checkpoint',
  changedOnly: '--changed-only',
  fullResync: '--full-resync',
  plan: '--plan',
  planFile: '--plan-file',
  diff: '--diff',
  readBy: '--read-by',
  rebuildLedger: 'pxstream ledger rebuild',
  ledger: '--ledger',
  'ledger: false': '--no-ledger',
  eventKey: '--event-key',
  eventRetentionDays: '--event-retention-days',
  emulator: '--emulator',
  'wait: false': '--no-wait',
  dailyBudget: '--daily-budget',
  hard: '--hard',
  cascade: '--cascade',
  maxDeletes: '--max-deletes',
  deleteMissing: '--delete-missing',
};

export function inFlagWords(text: string): string {
  return text.replace(/`([A-Za-z]+(?:: false)?)`/g, (quoted, name: string) => FLAGS[name] ?? quoted);
}

/** Codes that mean "the call was wrong", not "the run failed": the command exits 2 on them. */
export const USAGE_ERROR_CODES: ReadonlySet<string> = new Set([
  'LOAD_INVALID_OPTION',
  'LOAD_OUTPUT_CONFLICT',
]);

/**
 * The exit code of a load that ran, from its report, in this order: stopped twice (130), a
 * fatal error (1), stopped once (130), rows rejected (3; a plan only counts them), else 0.
 */
export function exitCodeOf(
  report: Pick<LoadReport, 'error' | 'interrupted' | 'aborted' | 'rejected' | 'plan'>,
): ExitCode {
  if (report.interrupted && report.aborted) return EXIT.INTERRUPTED;
  if (report.error) return EXIT.FATAL;
  if (report.interrupted) return EXIT.INTERRUPTED;
  if (report.rejected > 0 && !report.plan) return EXIT.REJECTED;
  return EXIT.OK;
}

/**
 * The command's report file is the library's report plus what only the command knows: `tool`
 * (after the counts) and `exitCode` (after `rejectsFile`), and its texts in flag words. The
 * library wrote (and redacted) the file; this reads it back, so nothing unredacted is added.
 */
export async function addCommandFields(path: string, exitCode: ExitCode): Promise<void> {
  const written = JSON.parse(await readFile(path, 'utf8')) as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(written)) {
    out[key] = key === 'warnings' && Array.isArray(value) ? value.map((w) => inFlagWords(String(w))) : value;
    if (key === 'rejected') out.tool = 'pxstream';
    if (key === 'rejectsFile') out.exitCode = exitCode;
  }
  const error = out.error as { code: string; message: string } | null;
  if (error) out.error = { ...error, message: inFlagWords(error.message) };
  await writeFile(path, `${JSON.stringify(out, null, 2)}\n`);
}
