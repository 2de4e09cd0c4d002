import { type LedgerError, ledgerError } from './errors.js';
import { type JournalWriter, OpBuffer } from './journal.js';

export interface CommitPolicy {
  /** How long a non-urgent op may wait for companions before its batch is written (ms). */
  delayMs: number;
  /** A batch this large is written at once. */
  maxBatch: number;
}

interface Waiter {
  resolve: () => void;
  reject: (error: unknown) => void;
}

/**
 * Group commit: ops accumulate and are written to the journal as one frame. One write is in
 * flight at a time; ops added meanwhile form the next batch, written as soon as it ends. An
 * urgent op (an event's pending mark: its request waits for it) is written on the next turn of
 * the event loop; other ops wait up to `delayMs` or until `maxBatch` of them are buffered.
 * After a failed write the committer refuses everything: memory may be ahead of the disk.
 */
export class Committer {
  private readonly ops = new OpBuffer();
  private waiters: Waiter[] = [];
  private inFlight: Promise<void> | undefined;
  private inFlightOps = 0;
  private timer: NodeJS.Timeout | undefined;
  private immediate: NodeJS.Immediate | undefined;
  private paused: { resumed: Promise<void>; resume: () => void } | undefined;
  failure: LedgerError | undefined;

  constructor(
    private writer: JournalWriter,
    private readonly policy: CommitPolicy,
  ) {}

  /** Ops not yet on disk (buffered or being written). */
  get uncommitted(): number {
    return this.ops.count + this.inFlightOps;
  }

  get journalFrameBytes(): number {
    return this.writer.frameBytes;
  }

  add(op: number, w0: number, w1: number, w2: number, w3: number): void {
    if (this.failure) throw this.failure;
    this.ops.append(op, w0, w1, w2, w3);
    this.schedule(this.ops.count >= this.policy.maxBatch);
  }

  /** Adds an op and resolves once it is committed. */
  addAndWait(op: number, w0: number, w1: number, w2: number, w3: number): Promise<void> {
    if (this.failure) return Promise.reject(this.failure);
    this.ops.append(op, w0, w1, w2, w3);
    const committed = new Promise<void>((resolve, reject) => this.waiters.push({ resolve, reject }));
    this.schedule(true);
    return committed;
  }

  /** Resolves when everything added so far is committed; rejects if a write failed. */
  async flush(): Promise<void> {
    while (this.inFlight || this.ops.count > 0) {
      if (this.failure) throw this.failure;
      if (this.paused && !this.inFlight) await this.paused.resumed;
      else if (!this.inFlight) this.start();
      await this.inFlight;
    }
    if (this.failure) throw this.failure;
  }

  /** Holds writes (while the journal is being replaced); ops keep accumulating. */
  pause(): void {
    let resume = () => {};
    const resumed = new Promise<void>((resolve) => (resume = resolve));
    this.paused ??= { resumed, resume };
  }

  /** Writes go on, to `writer` (the new journal). */
  resume(writer: JournalWriter): void {
    this.writer = writer;
    this.paused?.resume();
    this.paused = undefined;
    if (this.ops.count > 0) this.schedule(this.waiters.length > 0);
  }

  private schedule(now: boolean): void {
    if (this.inFlight || this.paused) return; // the write in flight schedules the next batch
    if (now) {
      if (this.timer) clearTimeout(this.timer);
      this.timer = undefined;
      this.immediate ??= setImmediate(() => this.start());
    } else {
      this.timer ??= setTimeout(() => this.start(), this.policy.delayMs);
    }
  }

  private start(): void {
    if (this.timer) clearTimeout(this.timer);
    if (this.immediate) clearImmediate(this.immediate);
    this.timer = undefined;
    this.immediate = undefined;
    if (this.inFlight || this.ops.count === 0 || this.paused || this.failure) return;
    const waiters = this.waiters;
    this.waiters = [];
    this.inFlightOps = this.ops.count;
    this.inFlight = this.writer
      .append(this.ops.takeFrame())
      .then(
        () => {
          for (const waiter of waiters) waiter.resolve();
        },
        (error: unknown) => {
          const message = `ledger: journal write failed: ${(error as Error).message}`;
          this.failure = ledgerError('LEDGER_IO_FAILED', message, error);
          for (const waiter of [...waiters, ...this.waiters]) waiter.reject(this.failure);
          this.waiters = [];
        },
      )
      .then(() => {
        this.inFlight = undefined;
        this.inFlightOps = 0;
        if (this.ops.count > 0 && !this.failure) {
          this.schedule(this.waiters.length > 0 || this.ops.count >= this.policy.maxBatch);
        }
      });
  }
}
