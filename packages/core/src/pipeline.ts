import type { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { Rejection } from './rejection.js';
import { REJECTION_EVENT } from './rejection.js';
import type { CountedStage, RowOutcome } from './stats.js';
import { OUTCOME_EVENT, RunStats } from './stats.js';

type Stage = NodeJS.ReadWriteStream | Readable | Writable;

export interface RunPipelineOptions {
  /** A row source: emits row envelopes, announces bad rows with `rejection` events, keeps counts. */
  source: Readable & CountedStage;
  /** Middle stages (mapper, validator...): object-mode Duplex streams. */
  stages?: readonly Stage[];
  /** The sink: an object-mode Writable emitting `outcome` (and `rejection`) events. */
  sink: Writable;
  /**
   * The one error channel every rejection is routed to, as it happens. It is called
   * synchronously and must not block; writing to a file stream is fine.
   */
  onRejection?: (rejection: Rejection) => void;
  /** Called once per row that reached an end in the sink. */
  onOutcome?: (outcome: RowOutcome) => void;
  /** Aborting stops the pipeline; rows read but not finished count as not sent. */
  signal?: AbortSignal;
  /** Counters to update; a new one is created when absent. */
  stats?: RunStats;
}

export interface PipelineHandle {
  /** Live counters, readable during the run (for progress) and after it. */
  readonly stats: RunStats;
  /** Settles when the pipeline ends; rejects with the fatal error that stopped it. */
  readonly done: Promise<RunStats>;
}

/**
 * Wires source -> stages -> sink with `stream/promises` `pipeline` (backpressure end to end)
 * and routes every stage's rejections to one channel without stopping the flow.
 */
export function startPipeline(options: RunPipelineOptions): PipelineHandle {
  const stats = options.stats ?? new RunStats();
  const { source, sink } = options;
  const stages = options.stages ?? [];
  const onRejection = (rejection: Rejection) => {
    stats.recordRejection(rejection);
    options.onRejection?.(rejection);
  };
  for (const stream of [source, ...stages, sink]) {
    (stream as NodeJS.EventEmitter).on(REJECTION_EVENT, onRejection);
  }
  sink.on(OUTCOME_EVENT, (outcome: RowOutcome) => {
    stats.recordOutcome(outcome);
    options.onOutcome?.(outcome);
  });
  const syncRead = () => {
    stats.read = source.counts.in;
  };
  const timer = setInterval(syncRead, 100);
  timer.unref();
  const streams = [source, ...stages, sink] as unknown as [Readable, ...Writable[]];
  const done = (
    options.signal
      ? pipeline(streams as unknown as Parameters<typeof pipeline>[0][], { signal: options.signal })
      : pipeline(streams as unknown as Parameters<typeof pipeline>[0][])
  ).then(
    () => {
      clearInterval(timer);
      syncRead();
      return stats;
    },
    (error: unknown) => {
      clearInterval(timer);
      syncRead();
      throw error;
    },
  );
  return { stats, done };
}

/** `startPipeline` for callers that only need the final counts. */
export async function runPipeline(options: RunPipelineOptions): Promise<RunStats> {
  return startPipeline(options).done;
}
