import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { PxStreamError, type Rejection, RunStats } from '@pxstream/core';
import {
  type CsvBlock,
  CsvBlockCutter,
  type CsvHeaderInfo,
  DEFAULT_MAX_RECORD_SIZE,
} from '@pxstream/source-csv';
import type { BlockResult, DryRunThreadData } from './dry-run-protocol.js';
import { type PassContext, type PassResult, redactRejection } from './pass.js';
import { ProgressTicker } from './progress.js';
import { RepeatCounter } from './repeat-counter.js';
import { forcedStop, outputClosed, watchStops } from './stops.js';

/**
 * The thread's module, compiled. Run from its TypeScript source (the package's tests, under a
 * loader threads do not inherit), this file takes the build's copy of it.
 */
const THREAD_MODULE = new URL(
  import.meta.url.endsWith('.ts') ? '../dist/dry-run-thread.js' : './dry-run-thread.js',
  import.meta.url,
);

/** Below this many bytes a dry run stays on one thread: starting threads costs more than it saves. */
export const PARALLEL_DRY_RUN_MIN_BYTES = 8 << 20;
/** Threads at most: past four, the main thread (reading, ordering, writing) is the limit. */
const MAX_THREADS = 4;
/** Blocks handed to each thread at once: one read, one waiting, so no thread idles. */
const BLOCKS_PER_THREAD = 2;

/**
 * How many threads read this pass in parallel: 0 when it runs on the main thread. Only a CSV
 * dry run that prints its bodies, reads the whole input from its start and reports no row by
 * row (`onRow`) runs in parallel; by default on 2 cores or more and inputs of 8 MiB or more.
 */
export function dryRunThreads(ctx: PassContext): number {
  const { settings, options, input, plan } = ctx;
  if (!settings.dryRun || settings.plan || settings.format !== 'csv' || input.kind === 'objects') return 0;
  if (plan.from || (settings.startRow ?? 0) > 0 || settings.lastRow !== undefined) return 0;
  if (options.onRow || !options.output) return 0;
  const asked = options.dryRunThreads;
  if (asked !== undefined) return asked;
  const cores = availableParallelism();
  if (cores < 2 || (input.size ?? input.fileSize ?? 0) < PARALLEL_DRY_RUN_MIN_BYTES) return 0;
  return Math.min(cores, MAX_THREADS);
}

/**
 * The dry run on several threads. Profiled on 1M rows, a one-thread dry run spends its time
 * on work each row needs alone: splitting, converting, validating, and `JSON.stringify` of the
 * body (a third); only a second core makes it faster than reading the CSV with csv-parse.
 *
 * The main thread reads the input and cuts it into blocks of whole records (about 1 MiB, see
 * `CsvBlockCutter`); each thread parses, maps, validates and encodes a block with the same
 * engine and steps as the one-thread run, and returns the bytes of its bodies (transferred,
 * not copied), its rejections and its ids' fingerprints. The main thread takes the results
 * in block order: it writes the bodies, numbers and records the rejections (the rejects file
 * in row order), counts the rows and the repeated ids. The output is the same bytes as one
 * thread's, and so are the counts, the report and the rejects file.
 *
 * Backpressure holds end to end: no block is read while `BLOCKS_PER_THREAD` per thread are
 * out or the output has not drained.
 */
export async function runParallelDryRun(ctx: PassContext, threads: number): Promise<PassResult> {
  const run = new ParallelDryRun(ctx, threads);
  return run.done();
}

class ParallelDryRun {
  private readonly stats = new RunStats();
  private readonly repeats: RepeatCounter | undefined;
  private readonly cutter = new CsvBlockCutter();
  private readonly out: NodeJS.WritableStream;
  private workers: Worker[] = [];
  private readonly loads: number[] = [];
  private readonly results = new Map<number, BlockResult>();
  private readonly ends = new Map<number, number>();
  private sent = 0;
  private taken = 0;
  private indexBase = 0;
  private bytesDone = 0;
  private blocked = false;
  private error: unknown;
  private stopped = false;
  private interrupted = false;
  private aborted = false;
  private wake: (() => void) | undefined;
  /** The threads are being stopped: their exits are expected. */
  private closing = false;

  constructor(
    private readonly ctx: PassContext,
    private readonly threads: number,
  ) {
    this.repeats = ctx.settings.type === 'CUSTOM_EVENT' ? undefined : new RepeatCounter();
    this.out = ctx.options.output as NodeJS.WritableStream;
  }

  async done(): Promise<PassResult> {
    const { options, input } = this.ctx;
    const onStop = () => {
      this.interrupted = true;
      this.stopped = true;
      this.poke();
    };
    const onForce = () => {
      this.interrupted = true;
      this.aborted = true;
      this.fail(forcedStop());
    };
    const onOutputError = (error: NodeJS.ErrnoException) => this.fail(outputClosed(error, this.stats.dryRun));
    this.ctx.onRejectsError((error) => this.fail(error));
    this.out.once('error', onOutputError);
    const unwatchStops = watchStops(options, onStop, onForce);
    const ticker = options.onProgress
      ? new ProgressTicker(options.onProgress, options.progressIntervalMs ?? 250, {
          stats: this.stats,
          bytesDone: () => (input.seekable ? this.bytesDone : undefined),
          startBytes: 0,
          size: input.size,
          sink: () => undefined,
        })
      : undefined;
    ticker?.start();
    try {
      await this.read();
      await this.until(() => this.taken === this.sent || this.error !== undefined);
    } catch (error) {
      this.error ??= error;
    } finally {
      ticker?.stop();
      unwatchStops();
      this.out.off('error', onOutputError);
      this.closing = true;
      await Promise.all(this.workers.map((worker) => worker.terminate()));
    }
    let repeatedIds: number | null = null;
    try {
      repeatedIds = this.repeats ? this.repeats.count() : null;
    } catch (error) {
      this.error ??= error;
    }
    const complete = this.error === undefined && !this.interrupted && this.stats.notSent === 0;
    return {
      stats: this.stats,
      error: this.error,
      interrupted: this.interrupted,
      aborted: this.aborted,
      complete,
      resumable: false,
      sinkFigures: () => ({ requests: 0, retries: 0, http429: 0 }),
      repeatedIds,
    };
  }

  /** Reads the input into blocks and hands them out, until its end, a stop or a failure. */
  private async read(): Promise<void> {
    const stream = this.ctx.input.open();
    const chunks = stream[Symbol.asyncIterator]();
    try {
      for (;;) {
        if (this.stopped || this.error !== undefined) return;
        let next: IteratorResult<Buffer>;
        try {
          next = await chunks.next();
        } catch (error) {
          if (this.stopped || this.error !== undefined) return;
          throw new PxStreamError('IO_READ_FAILED', `cannot read input: ${(error as Error).message}`, {
            fatal: true,
            cause: error,
          });
        }
        const blocks = next.done ? this.cutter.end() : this.cutter.push(next.value);
        if (this.cutter.header && this.workers.length === 0) this.start(this.cutter.header);
        for (const block of blocks) await this.dispatch(block);
        if (next.done) return;
      }
    } finally {
      stream.destroy();
    }
  }

  /** The header is read: check it against the mapping, set up the rejects file, start the threads. */
  private start(header: CsvHeaderInfo): void {
    const { ctx } = this;
    ctx.stages.mapper.checkColumns(header.columns);
    // The rejects file is written the way the input was (an Excel export's BOM and CRLF).
    ctx.rejects.setColumns(header.columns, header.delimiter, {
      bom: header.hadBom,
      ...(header.lineBreak ? { lineBreak: header.lineBreak } : {}),
    });
    const workerData: DryRunThreadData = {
      type: ctx.settings.type,
      config: { ...ctx.config, apiKey: undefined },
      metadata: ctx.metadata,
      secrets: ctx.secrets,
      columns: header.columns,
      delimiter: header.delimiter,
      maxRecordSize: DEFAULT_MAX_RECORD_SIZE,
      countRepeats: this.repeats !== undefined,
    };
    for (let i = 0; i < this.threads; i++) {
      const worker = new Worker(THREAD_MODULE, { workerData });
      worker.on('message', (result: BlockResult) => this.received(i, result));
      worker.on('error', (error) => this.fail(error));
      worker.on('exit', (code) => {
        if (code !== 0 && !this.closing)
          this.fail(new PxStreamError('INTERNAL', `a dry-run thread stopped (exit code ${code})`));
      });
      this.workers.push(worker);
      this.loads.push(0);
    }
  }

  /** Hands a block to the least busy thread, once one may take it and the output has drained. */
  private async dispatch(block: CsvBlock): Promise<void> {
    await this.until(
      () =>
        this.error !== undefined ||
        (!this.blocked && this.sent - this.taken < this.threads * BLOCKS_PER_THREAD),
    );
    if (this.error !== undefined) return;
    let least = 0;
    for (let i = 1; i < this.loads.length; i++) if (this.loads[i]! < this.loads[least]!) least = i;
    const seq = this.sent++;
    this.loads[least]!++;
    this.ends.set(seq, block.byteOffset + block.bytes.length);
    this.workers[least]!.postMessage({
      seq,
      bytes: block.bytes,
      line: block.line,
      byteOffset: block.byteOffset,
    });
  }

  private received(thread: number, result: BlockResult): void {
    this.loads[thread]!--;
    this.results.set(result.seq, result);
    // Results are taken in block order: the output and the rejects file in row order.
    for (let next = this.results.get(this.taken); next; next = this.results.get(this.taken)) {
      this.results.delete(this.taken);
      if (this.error === undefined) this.take(next);
      this.bytesDone = this.ends.get(this.taken) ?? this.bytesDone;
      this.ends.delete(this.taken);
      this.taken++;
    }
    this.poke();
  }

  private take(result: BlockResult): void {
    const { stats, ctx } = this;
    stats.read += result.rows;
    for (const rejection of result.rejections) {
      const numbered: Rejection = {
        ...rejection,
        row: { ...rejection.row, index: rejection.row.index + this.indexBase },
      };
      stats.recordRejection(numbered);
      ctx.rejects.write(numbered);
      ctx.options.onRejection?.(redactRejection(numbered, ctx.redact));
    }
    stats.dryRun += result.bodies;
    this.indexBase += result.rows;
    const fingerprints = result.fingerprints;
    if (fingerprints && this.repeats) {
      for (let i = 0; i < fingerprints.length; i++) this.repeats.addFingerprint(fingerprints[i]!);
    }
    if (result.out.byteLength === 0) return;
    const bytes = Buffer.from(result.out.buffer, result.out.byteOffset, result.out.byteLength);
    if (!this.out.write(bytes)) {
      this.blocked = true;
      this.out.once('drain', () => {
        this.blocked = false;
        this.poke();
      });
    }
  }

  private fail(error: unknown): void {
    this.error ??= error;
    this.poke();
  }

  private poke(): void {
    const wake = this.wake;
    this.wake = undefined;
    wake?.();
  }

  /** Waits until `ready()` holds (checked again on every event that may change it). */
  private async until(ready: () => boolean): Promise<void> {
    while (!ready()) {
      await new Promise<void>((resolve) => {
        this.wake = resolve;
      });
    }
  }
}
