import type { Writable } from 'node:stream';
import { maybeRecordedStep, RunTracker, SendLease } from '@pxstream/checkpoint';
import {
  PxStreamError,
  type Rejection,
  type RowEnvelope,
  type RowOutcome,
  type RowStep,
  RunStats,
  startPipeline,
} from '@pxstream/core';
import { createPlanSink, EventIdentityStep, eventInputId, eventsGuard, recordsGuard } from '@pxstream/ledger';
import { MappingPresence } from '@pxstream/mapper';
import type { LineBreak } from '@pxstream/sink-errors';
import type { SendGuard } from '@pxstream/sink-px';
import { createDryRunSink } from '../../dry-run/sink.js';
import type { SinkFigures } from '../../report.js';
import { endOfPass, type PassContext, type PassResult, redactRejection } from '../../run/pass-context.js';
import { ProgressTicker } from '../../run/progress.js';
import { DEFAULT_RATE } from '../../run/px-setup.js';
import { rejectsLikeInput } from '../../run/rejects.js';
import { RepeatCounter } from '../../run/repeat-counter.js';
import { createSink, type SinkHandle } from '../../run/sink-setup.js';
import { createSource, resumeAfterOf } from '../../run/stages.js';
import { forcedStop, outputClosed, watchStops } from '../../run/stops.js';
import { eventRules } from './ledger-setup.js';

/** The load itself: input -> source -> mapper+validator -> PX (or dry-run) sink. */
export async function runPass(ctx: PassContext): Promise<PassResult> {
  const { settings, options, input, stages, rejects, checkpoint } = ctx;
  const identity = eventIdentity(ctx);
  // Resuming a file seeks to the checkpoint's byte offset; a stream cannot seek, so its rows
  // below the watermark are read again and skipped. Events identified by their content are
  // read from the start too: their occurrence numbers count the rows before.
  const position = checkpoint.from?.position ?? undefined;
  const seek = position && input.seekable && !identity?.countsRows ? position : undefined;
  const source = await createSource(input, settings.format, seek);
  const firstIndex = Math.max(settings.startRow ?? 0, position?.index ?? 0);
  const events = eventSafety(ctx, firstIndex);
  // JSON inputs have no header to check the mapping against: watch the first records instead.
  const presence =
    settings.format === 'csv'
      ? undefined
      : new MappingPresence(ctx.config.fieldMapping[settings.type] ?? {}, (message) => ctx.log.warn(message));
  const repeats = settings.type === 'CUSTOM_EVENT' ? undefined : new RepeatCounter();
  const tracker = new RunTracker({
    lease: events.lease,
    checkpoint,
    inputName: input.path ?? 'stdin',
    resumeAfter: await resumeAfterOf(settings.format),
    rejects,
    firstIndex,
    delimiter: () => (source as { readonly delimiter?: string }).delimiter,
    eventInput: identity?.inputId,
  });
  let sinkHandle: SinkHandle | undefined;
  let sink: Writable;
  if (settings.plan && ctx.ledger && ctx.planCounts)
    sink = createPlanSink(ctx.ledger, ctx.planCounts, ctx.planFile?.planned);
  else if (settings.dryRun) sink = createDryRunSink(options.output, ctx.redact);
  else {
    sinkHandle =
      ctx.makeSink?.() ??
      createSink(ctx.config, settings, {
        guard: sendGuard(ctx, identity?.eventKey),
        requestBudget: ctx.budget,
        onWait: ctx.waits.onWait,
        knownId: knownId(ctx),
      });
    sink = sinkHandle.sink;
  }
  const onRow = options.onRow;
  const onRejected = options.onRejection;
  const onRejection = (rejection: Rejection) => {
    tracker.settle(rejection);
    ctx.planFile?.rejected(rejection);
    if (!onRow && !onRejected) return;
    const redacted = redactRejection(rejection, ctx.redact);
    onRow?.({ rejection: redacted });
    onRejected?.(redacted);
  };
  const onOutcome = (outcome: RowOutcome) => {
    tracker.settle(outcome);
    onRow?.({ outcome });
  };

  // The first checkpoint is written before any row is read: an unwritable one fails first.
  let aborter: ((error: unknown) => void) | undefined;
  await tracker.start((error) => aborter?.(error));
  const handle = startPipeline({
    input: input.open(seek?.byteOffset),
    source,
    stages: [
      stages.steps(presence ? [presence] : [], [
        ...(repeats ? [repeats] : []),
        ...(identity ? [identity.step] : []),
        ...events.steps,
      ]),
      ...(events.lease ? [events.lease.gate(() => tracker.writeNow())] : []),
    ],
    sink,
    range: {
      first: firstIndex,
      last: settings.lastRow,
      ...(identity?.countsRows ? { beforeFirst: (row: RowEnvelope) => identity.step.observe(row) } : {}),
    },
    onRejection,
    onOutcome,
    stats: checkpoint.from ? RunStats.restore(checkpoint.from.counters) : new RunStats(),
  });
  const useColumns = (columns: readonly string[]) => {
    try {
      stages.mapper.checkColumns(columns);
      if (identity?.eventKey !== undefined) checkEventKeyColumn(identity.eventKey, columns);
      const csv = source as {
        readonly delimiter?: string;
        readonly hadBom?: boolean;
        readonly lineBreak?: LineBreak;
      };
      rejectsLikeInput(rejects, columns, {
        delimiter: csv.delimiter ?? seek?.delimiter,
        hadBom: csv.hadBom,
        lineBreak: csv.lineBreak,
      });
    } catch (error) {
      handle.abort(error);
    }
  };
  aborter = (error) => handle.abort(error);
  ctx.onRejectsError((error) => handle.abort(error));
  // A dry run's reader went away (`| head`): stop there, with a coded error, not a stack trace.
  const output = settings.dryRun ? options.output : undefined;
  const onOutputError = (error: NodeJS.ErrnoException) =>
    handle.abort(outputClosed(error, handle.stats.dryRun));
  output?.once('error', onOutputError);
  if (seek?.columns) useColumns(seek.columns);
  source.on('header', useColumns);
  let interrupted = false;
  let aborted = false;
  // The first stop sends nothing new: reading stops, and the sink starts no request (rows it
  // holds are left unfinished, for the checkpoint); only requests on the wire finish.
  const onStop = () => {
    interrupted = true;
    handle.stop();
    sinkHandle?.sink.halt();
  };
  const onForce = () => {
    interrupted = true;
    aborted = true;
    handle.abort(forcedStop());
  };
  const unwatchStops = watchStops(options, onStop, onForce);
  const sinkFigures = (): SinkFigures =>
    sinkHandle?.figures() ?? { requests: 0, retries: 0, http429: 0, waits: 0, waitedMs: 0 };
  const ticker = options.onProgress
    ? new ProgressTicker(options.onProgress, options.progressIntervalMs ?? 250, {
        stats: handle.stats,
        bytesDone: () =>
          input.seekable ? (tracker.watermark.resumePoint?.byteOffset ?? seek?.byteOffset ?? 0) : undefined,
        startBytes: seek?.byteOffset ?? 0,
        size: input.size,
        sink: () => sinkHandle?.sink.stats(),
        budget: ctx.budget,
        waits: ctx.waits,
      })
    : undefined;
  ticker?.start();
  let error: unknown;
  try {
    await handle.done;
  } catch (caught) {
    error = caught;
  } finally {
    ticker?.stop();
    unwatchStops();
    output?.off('error', onOutputError);
  }
  presence?.report();
  const end = endOfPass({ error, interrupted, stats: handle.stats, repeats });
  error = end.error;
  const { complete, repeatedIds } = end;
  let resumable = false;
  try {
    resumable = await tracker.finish(complete, handle.stats.read - handle.stats.readBase);
  } catch (caught) {
    error ??= caught;
    resumable = checkpoint.path !== undefined;
  }
  return { stats: handle.stats, error, interrupted, aborted, complete, resumable, sinkFigures, repeatedIds };
}

/**
 * CUSTOM_EVENT loads that keep a checkpoint: the send lease (see `SendLease`), and on resume a
 * step that rejects the rows the interrupted run may have sent instead of sending them twice.
 */
function eventSafety(ctx: PassContext, firstIndex: number): { lease?: SendLease; steps: RowStep[] } {
  const { settings, checkpoint, log } = ctx;
  if (settings.type !== 'CUSTOM_EVENT' || !checkpoint.path || settings.dryRun) return { steps: [] };
  const inherited = checkpoint.from?.sentCeiling;
  const step = Math.max(64, Math.ceil((ctx.config.rate ?? DEFAULT_RATE) * 1.5));
  // With the ledger, each event's own mark says whether it may have reached PX: no lease.
  const lease = ctx.ledger ? undefined : new SendLease(step, Math.max(firstIndex - 1, inherited ?? -1));
  if (inherited === undefined || inherited < firstIndex) return lease ? { lease, steps: [] } : { steps: [] };
  log.warn(
    `rows ${firstIndex} to ${inherited} may have reached PX before the earlier run stopped: ` +
      'they are not sent again, but go to the rejects file as PX_EVENT_MAYBE_RECORDED (check PX for them)',
  );
  const steps = [maybeRecordedStep(firstIndex, inherited)];
  return lease ? { lease, steps } : { steps };
}

/**
 * `insertMissing` with a records ledger: an id the ledger holds was confirmed by PX, so its
 * row's first write is a `PUT` (one request instead of a `POST` refused as a duplicate).
 */
function knownId(ctx: PassContext): ((id: string) => boolean) | undefined {
  const { ledger, settings } = ctx;
  if (ledger?.kind !== 'records' || !settings.insertMissing) return undefined;
  return (id) => ledger.lookup(id) !== undefined;
}

/** The ledger's hook into the PX sink, when the load has a ledger. */
function sendGuard(ctx: PassContext, eventKey: string | undefined): SendGuard | undefined {
  const { ledger, ledgerFigures } = ctx;
  if (!ledger || !ledgerFigures) return undefined;
  if (ledger.kind === 'events') return eventsGuard(ledger, ledgerFigures, eventKey);
  return recordsGuard(ledger, ctx.settings.changedOnly, ledgerFigures);
}

/**
 * Custom events with the events ledger: the step that gives each event its identity, what
 * identifies the input (kept in the checkpoint), and whether identities count the rows before
 * the run's first one (content identities do; keys do not).
 */
function eventIdentity(ctx: PassContext) {
  if (ctx.ledger?.kind !== 'events') return undefined;
  const { eventKey } = eventRules(ctx.settings, ctx.config);
  const { input, checkpoint } = ctx;
  const source = {
    path: input.kind === 'file' ? input.path : undefined,
    size: input.fileSize,
    modifiedMs: input.modifiedMs,
  };
  const inputId = eventInputId(
    { ...source, headHash: checkpoint.fingerprint.headSha256 },
    checkpoint.from?.eventInput,
  );
  const step = new EventIdentityStep({ eventKey, inputId, before: ctx.stages.rowSteps });
  return { step, inputId, eventKey, countsRows: eventKey === undefined };
}

/** The key column must be in the header, as mapped columns must. */
function checkEventKeyColumn(eventKey: string, columns: readonly string[]): void {
  if (columns.includes(eventKey)) return;
  throw new PxStreamError('MAP_UNKNOWN_COLUMN', `the event key column "${eventKey}" is not in the header`, {
    fatal: true,
    stage: 'map',
    field: eventKey,
  });
}
