import { WriteStream } from 'node:fs';
import { Socket } from 'node:net';
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { PxStreamError, type Rejection, RunStats } from '@pxstream/core';
import {
  type CsvBlock,
  CsvBlockCutter,
  type CsvHeaderInfo,
  DEFAULT_MAX_RECORD_SIZE,
} from '@pxstream/source-csv';
import { endOfPass, type PassContext, type PassResult, redactRejection } from '../run/pass-context.js';
import { ProgressTicker } from '../run/progress.js';
import { rejectsLikeInput } from '../run/rejects.js';
import { RepeatCounter } from '../run/repeat-counter.js';
import { forcedStop, outputClosed, watchStops } from '../run/stops.js';
import { BlockReader } from './block-reader.js';
import type { BlockJob, BlockResult, DryRunThreadData, RecycledOutput } from './protocol.js';

/**
 * The thread's module, compiled. Run from its TypeScript source (the package's tests, under a
 * loader threads do not inherit), this file takes the build's copy of it.
 */
const THREAD_MODULE = new URL(
  import.meta.url.endsWith('.ts') ? '../../dist/dry-run/thread.js' : './thread.js',
  import.meta.url,
);

/** Below this many bytes a dry run stays on one thread: starting threads costs more than it saves. */
export const PARALLEL_DRY_RUN_MIN_BYTES = 8 << 20;
/** Threads besides the main one at most: past that, the main thread (reading, ordering, writing) is the limit. */
const MAX_THREADS = 3;
/** Threads a caller may ask for at most (`dryRunThreads`). */
const MAX_ASKED_THREADS = 16;
/** Blocks the main thread reads itself ahead of the threads' results at most. */
const MAIN_AHEAD = 2;
/**
 * A thread's young generation, in MB (V8's default is 48): its garbage is freed sooner. With
 * threads alone reading, a 1M-row dry run on 2 cores peaked at 175 MB of RSS with 12, 162 MB
 * with 3; no slower.
 */
const THREAD_YOUNG_GENERATION_MB = 4;
/** The main thread's lane in `received`. */
const MAIN = -1;
/**
 * About this many bytes of records per block: 1,700 users. Peak RSS of a 1M-row dry run on 2
 * cores: 142 MB with 1 MiB blocks, 121 MB with 256 KiB, 115 MB with 128 KiB; the same time.
 */
const BLOCK_BYTES = 256 * 1024;
/** Blocks handed to each thread at once: one read, one waiting, so no thread idles. */
const BLOCKS_PER_THREAD = 2;

/**
 * How many threads read this pass in parallel: 0 when it runs on the main thread. Only a CSV
 * dry run that prints its bodies, reads the whole input from its start and reports no row by
 * row (`onRow`) runs in parallel; by default on 2 cores or more and inputs of 8 MiB or more.
 */
export function dryRunThreads(ctx: PassContext): number {
  const { settings, options, input, checkpoint } = ctx;
  if (!settings.dryRun || settings.plan || settings.format !== 'csv' || input.kind === 'objects') return 0;
  if (checkpoint.from || (settings.startRow ?? 0) > 0 || settings.lastRow !== undefined) return 0;
  if (options.onRow || !options.output) return 0;
  const asked = options.dryRunThreads;
  if (asked !== undefined) return Math.min(asked, MAX_ASKED_THREADS);
  const cores = availableParallelism();
  if (cores < 2 || (input.size ?? input.fileSize ?? 0) < PARALLEL_DRY_RUN_MIN_BYTES) return 0;
  return Math.min(cores - 1, MAX_THREADS);
}

/**
 * The dry run on several threads. Profiled on 1M rows, a one-thread dry run spends its time
 * on work each row needs alone: splitting, converting, validating, and `JSON.stringify` of the
 * body (a third); only a second core makes it faster than reading the CSV with csv-parse.
 *
 * The main thread reads the input and cuts it into blocks of whole records (`BLOCK_BYTES`, see
 * `CsvBlockCutter`); each thread parses, maps, validates and encodes a block with the same
 * engine and steps as the one-thread run (`BlockReader`), and returns the bytes of its bodies
 * (transferred, not copied), its rejections and its ids' fingerprints; when every thread has
 * its blocks, the main thread reads the next one itself. The main thread takes the results
 * in block order: it writes the bodies, numbers and records the rejections (the rejects file
 * in row order), counts the rows and the repeated ids. The output is the same bytes as one
 * thread's, and so are the counts, the report and the rejects file.
 *
 * Backpressure holds end to end: no block is read while `BLOCKS_PER_THREAD` per thread and
 * `MAIN_AHEAD` more are out, or the output has not drained. Buffers go round (blocks come back
 * with their results, outputs once written): a new buffer per block outlived its young
 * generation and waited for a full GC, up to 64 MB of them per thread.
 */
export async function runParallelDryRun(ctx: PassContext, threads: number): Promise<PassResult> {
  const run = new ParallelDryRun(ctx, threads);
  return run.done();
}

/**
 * Node's own outputs (standard output and error, files, sockets and pipes) keep no hold on a
 * buffer once its write called back; any other stream might keep it (a list of the chunks
 * written), so its buffers are never reused.
 */
function letsGoOfWrites(out: NodeJS.WritableStream): boolean {
  return (
    out === process.stdout || out === process.stderr || out instanceof WriteStream || out instanceof Socket
  );
}

class ParallelDryRun {
  private readonly stats = new RunStats();
  private readonly repeats: RepeatCounter | undefined;
  /**
   * Buffers of blocks back from the threads, for the next blocks. A new buffer per block lived
   * through its block's parse on the thread, so it was promoted and stayed until a full GC:
   * up to 64 MB of them per thread (V8's external-memory trigger).
   */
  private readonly spareBlocks: ArrayBuffer[] = [];
  private readonly cutter = new CsvBlockCutter({
    blockSize: BLOCK_BYTES,
    allocate: (size) => this.blockBuffer(size),
  });
  private readonly out: NodeJS.WritableStream;
  private workers: Worker[] = [];
  /** The main thread's own reader (see `dispatch`). */
  private own: BlockReader | undefined;
  private readonly loads: number[] = [];
  /** Results back from the threads, by block, with the thread that read it, until taken. */
  private readonly results = new Map<number, { result: BlockResult; thread: number }>();
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
  /** The output lets go of a buffer once its write called back: it goes back to its thread. */
  private readonly recycles: boolean;
  /** The threads are being stopped: their exits are expected. */
  private closing = false;

  constructor(
    private readonly ctx: PassContext,
    private readonly threads: number,
  ) {
    this.repeats = ctx.settings.type === 'CUSTOM_EVENT' ? undefined : new RepeatCounter();
    this.out = ctx.options.output as NodeJS.WritableStream;
    this.recycles = letsGoOfWrites(this.out);
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
    const { error, complete, repeatedIds } = endOfPass({
      error: this.error,
      interrupted: this.interrupted,
      stats: this.stats,
      repeats: this.repeats,
    });
    this.error = error;
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
        if (this.cutter.header && this.own === undefined) this.start(this.cutter.header);
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
    rejectsLikeInput(ctx.rejects, header.columns, header);
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
      const worker = new Worker(THREAD_MODULE, {
        workerData,
        resourceLimits: { maxYoungGenerationSizeMb: THREAD_YOUNG_GENERATION_MB },
      });
      worker.on('message', (result: BlockResult) => this.received(i, result));
      worker.on('error', (error) => this.fail(error));
      worker.on('exit', (code) => {
        if (code !== 0 && !this.closing)
          this.fail(new PxStreamError('INTERNAL', `a dry-run thread stopped (exit code ${code})`));
      });
      this.workers.push(worker);
      this.loads.push(0);
    }
    this.own = new BlockReader(workerData);
  }

  /**
   * Hands a block to the least busy thread, once one may take it and the output has drained;
   * when every thread has its `BLOCKS_PER_THREAD`, the main thread reads it itself. The main
   * thread's own share keeps it allocating like a one-thread run, so its young garbage (the
   * chunks read) goes at its scavenges instead of waiting for a full GC, and it takes a core's
   * share of the work.
   */
  private async dispatch(block: CsvBlock): Promise<void> {
    await this.until(
      () =>
        this.error !== undefined ||
        (!this.blocked && this.sent - this.taken < this.threads * BLOCKS_PER_THREAD + MAIN_AHEAD),
    );
    if (this.error !== undefined) return;
    let least = 0;
    for (let i = 1; i < this.loads.length; i++) if (this.loads[i]! < this.loads[least]!) least = i;
    const seq = this.sent++;
    this.ends.set(seq, block.byteOffset + block.bytes.length);
    const job: BlockJob = { seq, bytes: block.bytes, line: block.line, byteOffset: block.byteOffset };
    if (this.workers.length > 0 && this.loads[least]! < BLOCKS_PER_THREAD) {
      this.loads[least]!++;
      this.workers[least]!.postMessage(job, [block.bytes.buffer as ArrayBuffer]);
    } else this.received(MAIN, this.own!.read(job));
  }

  /** Room for a block's bytes: a spare buffer large enough, or a new one with room to spare. */
  private blockBuffer(size: number): Uint8Array {
    const at = this.spareBlocks.findIndex((buffer) => buffer.byteLength >= size);
    const buffer =
      at >= 0
        ? this.spareBlocks.splice(at, 1)[0]!
        : new ArrayBuffer(Math.max(size, BLOCK_BYTES + (BLOCK_BYTES >> 2)));
    return new Uint8Array(buffer, 0, size);
  }

  private received(thread: number, result: BlockResult): void {
    if (thread !== MAIN) this.loads[thread]!--;
    this.spareBlocks.push(result.input.buffer as ArrayBuffer);
    this.results.set(result.seq, { result, thread });
    // Results are taken in block order: the output and the rejects file in row order.
    for (let next = this.results.get(this.taken); next; next = this.results.get(this.taken)) {
      this.results.delete(this.taken);
      if (this.error === undefined) this.take(next.result, next.thread);
      this.bytesDone = this.ends.get(this.taken) ?? this.bytesDone;
      this.ends.delete(this.taken);
      this.taken++;
    }
    this.poke();
  }

  private take(result: BlockResult, thread: number): void {
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
    const buffer = result.out.buffer as ArrayBuffer;
    const bytes = Buffer.from(buffer, result.out.byteOffset, result.out.byteLength);
    const handBack = () =>
      thread === MAIN
        ? this.own?.recycle(buffer)
        : this.workers[thread]?.postMessage({ recycled: buffer } satisfies RecycledOutput, [buffer]);
    if (bytes.length === 0) {
      handBack();
      return;
    }
    if (!this.out.write(bytes, this.recycles ? handBack : undefined)) {
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
