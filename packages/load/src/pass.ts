import type { Writable } from 'node:stream';
import type { PxConfig } from '@pxstream/config';
import {
  PxStreamError,
  type Rejection,
  type RowOutcome,
  type RowStep,
  RunStats,
  startPipeline,
} from '@pxstream/core';
import type { LineBreak, RejectsWriter } from '@pxstream/sink-errors';
import { createDryRunSink } from './dry-run-sink.js';
import type { OpenedInput } from './input.js';
import type { CliIO } from './io.js';
import type { Logger } from './logger.js';
import type { LoadOptions } from './options.js';
import { ProgressLine } from './progress.js';
import { createSink, DEFAULT_RATE, type SinkHandle } from './px-setup.js';
import type { SinkFigures } from './report.js';
import type { ResumePlan } from './resume.js';
import { maybeRecordedStep, SendLease } from './send-lease.js';
import { createSource, type RowStages } from './stages.js';
import { RunTracker } from './tracker.js';

/** How many rejections are echoed on stderr without --verbose (the rest are in the file). */
const ECHOED_REJECTIONS = 5;

export interface PassResult {
  stats: RunStats;
  error: unknown;
  interrupted: boolean;
  /** True when every row of the input (or range) reached an end. */
  complete: boolean;
  /** A checkpoint was left behind: `--resume` can carry on. */
  resumable: boolean;
  sinkFigures(): SinkFigures;
}

export interface PassContext {
  config: PxConfig;
  options: LoadOptions;
  io: CliIO;
  input: OpenedInput;
  stages: RowStages;
  rejects: RejectsWriter;
  log: Logger;
  redact: () => (text: string) => string;
  plan: ResumePlan;
  /** Registers what to do when the rejects file fails mid-run (stop the run). */
  onRejectsError?: (handler: (error: unknown) => void) => void;
}

/** The load itself: input -> source -> mapper+validator -> PX (or dry-run) sink. */
export async function runPass(ctx: PassContext): Promise<PassResult> {
  const { options, io, input, stages, rejects, log, plan } = ctx;
  // Resuming a file seeks to the checkpoint's byte offset; stdin cannot seek, so its rows
  // below the watermark are read again and skipped.
  const position = plan.from?.position ?? undefined;
  const seek = position && input.path ? position : undefined;
  const source = createSource(options.format, seek);
  const firstIndex = Math.max(options.startRow ?? 0, position?.index ?? 0);
  const events = eventSafety(ctx, firstIndex);
  const tracker = new RunTracker({
    lease: events.lease,
    plan,
    input,
    format: options.format,
    rejects,
    firstIndex,
    delimiter: () => (source as { readonly delimiter?: string }).delimiter,
  });
  let sinkHandle: SinkHandle | undefined;
  let sink: Writable;
  if (options.dryRun) sink = createDryRunSink(io.stdout, (text) => ctx.redact()(text));
  else {
    sinkHandle = createSink(ctx.config, options);
    sink = sinkHandle.sink;
  }
  let echoed = 0;
  const onRejection = (rejection: Rejection) => {
    tracker.settle({ rejection });
    const text = `line ${rejection.row.line}: rejected [${rejection.stage} ${rejection.code}${rejection.status ? ` ${rejection.status}` : ''}] ${rejection.message}`;
    if (log.isVerbose) log.verbose(text);
    else if (echoed < ECHOED_REJECTIONS) {
      echoed++;
      log.warn(echoed === ECHOED_REJECTIONS ? `${text} (further rejections only in the rejects file)` : text);
    }
  };
  const onOutcome = (outcome: RowOutcome) => {
    tracker.settle({ outcome });
    if (log.isVerbose) {
      log.verbose(
        `line ${outcome.row.line}: ${outcome.outcome}${outcome.reason ? ` (${outcome.reason})` : ''} ${outcome.row.key ?? ''}`,
      );
    }
  };

  // The first checkpoint is written before any row is read: an unwritable one fails first.
  let aborter: ((error: unknown) => void) | undefined;
  await tracker.start((error) => aborter?.(error));
  const handle = startPipeline({
    input: input.open(seek?.byteOffset),
    source,
    stages: [
      stages.steps(...events.steps),
      ...(events.lease ? [events.lease.gate(() => tracker.writeNow())] : []),
    ],
    sink,
    range: { first: firstIndex, last: options.lastRow },
    onRejection,
    onOutcome,
    stats: plan.from ? RunStats.restore(plan.from.counters) : new RunStats(),
  });
  const useColumns = (columns: readonly string[]) => {
    try {
      stages.mapper.checkColumns(columns);
      const csv = source as {
        readonly delimiter?: string;
        readonly hadBom?: boolean;
        readonly lineBreak?: LineBreak;
      };
      // The rejects file is written the way the input was (an Excel export's BOM and CRLF).
      rejects.setColumns(columns, csv.delimiter ?? seek?.delimiter, {
        bom: csv.hadBom === true,
        ...(csv.lineBreak ? { lineBreak: csv.lineBreak } : {}),
      });
    } catch (error) {
      handle.abort(error);
    }
  };
  aborter = (error) => handle.abort(error);
  ctx.onRejectsError?.((error) => handle.abort(error));
  // A dry run's reader went away (`| head`): stop there, with a message, not a stack trace.
  const onStdoutError = (error: NodeJS.ErrnoException) =>
    handle.abort(
      new PxStreamError(
        'IO_WRITE_FAILED',
        `stdout was closed (${error.code ?? error.message}) after ${handle.stats.dryRun} bodies: the dry run stopped there`,
        { fatal: true, cause: error },
      ),
    );
  if (options.dryRun) io.stdout.once('error', onStdoutError);
  if (seek?.columns) useColumns(seek.columns);
  source.on('header', useColumns);
  let interrupts = 0;
  const unsubscribe = io.onInterrupt(() => {
    interrupts++;
    if (interrupts === 1) {
      log.info('interrupted: stopped reading; finishing the rows in flight (Ctrl-C again to abort them)');
      handle.stop();
    } else {
      handle.abort(
        new PxStreamError('PIPELINE_ABORTED', 'interrupted twice: requests in flight were aborted'),
      );
    }
  });
  const sinkFigures = (): SinkFigures => sinkHandle?.figures() ?? { requests: 0, retries: 0, http429: 0 };
  const progress =
    io.stderr.isTTY && !options.quiet && !options.verbose
      ? new ProgressLine(io.stderr, {
          stats: handle.stats,
          bytesDone: () => tracker.ledger.resumePoint?.byteOffset ?? seek?.byteOffset ?? 0,
          startBytes: seek?.byteOffset ?? 0,
          size: input.size,
          sinkStats: sinkFigures,
        })
      : undefined;
  progress?.start();
  let error: unknown;
  try {
    await handle.done;
  } catch (caught) {
    error = caught;
  } finally {
    progress?.stop();
    unsubscribe();
    io.stdout.off('error', onStdoutError);
  }
  const complete = error === undefined && interrupts === 0 && handle.stats.notSent === 0;
  let resumable = false;
  try {
    resumable = await tracker.finish(complete, handle.stats.read - handle.stats.readBase);
  } catch (caught) {
    error ??= caught;
    resumable = plan.path !== undefined;
  }
  return { stats: handle.stats, error, interrupted: interrupts > 0, complete, resumable, sinkFigures };
}

/**
 * CUSTOM_EVENT loads that keep a checkpoint: the send lease (see `SendLease`), and on resume a
 * step that rejects the rows the interrupted run may have sent instead of sending them twice.
 */
function eventSafety(ctx: PassContext, firstIndex: number): { lease?: SendLease; steps: RowStep[] } {
  const { options, plan, log } = ctx;
  if (options.type !== 'CUSTOM_EVENT' || !plan.path) return { steps: [] };
  const inherited = plan.from?.sentCeiling;
  const step = Math.max(64, Math.ceil((ctx.config.rate ?? DEFAULT_RATE) * 1.5));
  const lease = new SendLease(step, Math.max(firstIndex - 1, inherited ?? -1));
  if (inherited === undefined || inherited < firstIndex) return { lease, steps: [] };
  log.warn(
    `rows ${firstIndex} to ${inherited} may have reached PX before the earlier run stopped: ` +
      'they are not sent again, but go to the rejects file as PX_EVENT_MAYBE_RECORDED (check PX for them)',
  );
  return { lease, steps: [maybeRecordedStep(firstIndex, inherited)] };
}
