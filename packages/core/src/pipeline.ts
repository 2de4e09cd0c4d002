import type { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { PxStreamError } from './errors.js';
import { RangeGate, RowGate, type RowRange } from './gate.js';
import type { Rejection } from './rejection.js';
import { REJECTION_EVENT } from './rejection.js';
import { RowStepTransform } from './stage.js';
import type { RowOutcome } from './stats.js';
import { OUTCOME_EVENT, RunStats } from './stats.js';

type Stage = NodeJS.ReadWriteStream | Readable | Writable;

export interface RunPipelineOptions {
  /**
   * Bytes to feed into the source (a file or stdin). Fed with backpressure; `stop()` stops
   * reading it. When absent, `source` must produce rows on its own.
   */
  input?: Readable;
  /** A row source: emits row envelopes and announces bad rows with `rejection` events. */
  source: Readable | (Readable & Writable);
  /** Middle stages (mapper, validator...): object-mode Duplex streams. */
  stages?: readonly Stage[];
  /** The sink: an object-mode Writable emitting `outcome` (and `rejection`) events. */
  sink: Writable;
  /** Only rows in this range belong to the run (Gainsight's `-n`/`-l`, resume). */
  range?: RowRange;
  /**
   * The one error channel every rejection of the run is routed to, as it happens. It is
   * called synchronously and must not block; writing to a file stream is fine. Required: a
   * rejection is never dropped for want of a listener.
   */
  onRejection: (rejection: Rejection) => void;
  /** Called once per row that reached an end in the sink. */
  onOutcome?: (outcome: RowOutcome) => void;
  /** Counters to update; a new one is created when absent. */
  stats?: RunStats;
}

export interface PipelineHandle {
  /** Live counters, readable during the run (for progress) and after it. */
  readonly stats: RunStats;
  /** Settles when the pipeline ends; rejects with the fatal error that stopped it. */
  readonly done: Promise<RunStats>;
  /**
   * Graceful stop: stop reading input; rows already read go on to the sink, which finishes
   * them. `done` then resolves normally.
   */
  stop(): void;
  /** Hard stop: destroy every stage; rows read but unfinished count as not sent. */
  abort(reason?: unknown): void;
  /** True once `stop()` was called or the range's last row was passed. */
  readonly stopped: boolean;
}

/**
 * Wires [input ->] source -> stages -> sink with `stream/promises` `pipeline` (backpressure
 * end to end) and routes every stage's rejections to one channel without stopping the flow.
 */
export function startPipeline(options: RunPipelineOptions): PipelineHandle {
  const stats = options.stats ?? new RunStats();
  const { source, sink, input } = options;
  const stages = options.stages ?? [];
  const gate = new RangeGate(options.range);
  const controller = new AbortController();
  const syncRead = () => {
    stats.read = stats.readBase + gate.rowsRead;
  };

  const record = (rejection: Rejection) => {
    stats.recordRejection(rejection);
    options.onRejection(rejection);
  };
  source.on(REJECTION_EVENT, (rejection: Rejection) => {
    gate.observe(rejection.row.index);
    if (gate.includes(rejection.row.index)) record(rejection);
  });
  for (const stream of [...stages, sink]) (stream as NodeJS.EventEmitter).on(REJECTION_EVENT, record);
  sink.on(OUTCOME_EVENT, (outcome: RowOutcome) => {
    stats.recordOutcome(outcome);
    options.onOutcome?.(outcome);
  });

  const timer = setInterval(syncRead, 100);
  timer.unref();
  // The gate runs inside the first step stream when there is one free (a hop less per row).
  const first = stages[0];
  const fused = first instanceof RowStepTransform && !first.hasAdmission;
  if (fused) first.admitWith((row) => gate.admit(row));
  const head = fused ? [source] : [source, new RowGate(gate)];
  const streams = [...head, ...stages, sink] as unknown as Parameters<typeof pipeline>[0][];
  const flow = pipeline(streams, { signal: controller.signal });
  const fed = input ? feed(input, source as Readable & Writable, gate, controller.signal) : Promise.resolve();
  fed.catch((error: unknown) => source.destroy(error as Error));

  const done = Promise.all([flow, fed]).then(
    () => {
      clearInterval(timer);
      syncRead();
      return stats;
    },
    (error: unknown) => {
      clearInterval(timer);
      syncRead();
      // pipeline() wraps an abort in an AbortError: surface the reason it was given.
      throw controller.signal.aborted ? controller.signal.reason : error;
    },
  );
  return {
    stats,
    done,
    stop: () => gate.stop(),
    abort: (reason?: unknown) =>
      controller.abort(
        reason ?? new PxStreamError('PIPELINE_ABORTED', 'the run was aborted', { fatal: true }),
      ),
    get stopped() {
      return gate.stopped;
    },
  };
}

/** Copies input bytes into the source with backpressure until the end, a stop or an abort. */
async function feed(input: Readable, source: Readable & Writable, gate: RangeGate, signal: AbortSignal) {
  // A stop must not wait for the next chunk (stdin may never send one): end the read now.
  const onStop = () => input.destroy();
  gate.once('stopped', onStop);
  try {
    for await (const chunk of input) {
      if (gate.stopped || signal.aborted || source.destroyed) break;
      if (!source.write(chunk)) {
        await new Promise<void>((resolve) => {
          const done = () => {
            source.off('drain', done);
            source.off('close', done);
            resolve();
          };
          source.on('drain', done);
          source.on('close', done);
        });
      }
    }
  } catch (error) {
    if (gate.stopped || signal.aborted) return;
    throw new PxStreamError('IO_READ_FAILED', `cannot read input: ${(error as Error).message}`, {
      fatal: true,
      cause: error,
    });
  } finally {
    gate.off('stopped', onStop);
    if (!source.destroyed && !source.writableEnded) source.end();
    if (!input.destroyed) input.destroy();
  }
}

/** `startPipeline` for callers that only need the final counts. */
export async function runPipeline(options: RunPipelineOptions): Promise<RunStats> {
  return startPipeline(options).done;
}
