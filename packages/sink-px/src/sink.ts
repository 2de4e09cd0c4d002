/**
 * The sink: an object-mode Writable over `PxClient.send`. It takes rows while fewer than
 * `maxPending` are unfinished and holds the write callback otherwise, so upstream (the file
 * read) slows to PX's pace and memory stays flat. Rows that share a record id (`row.key`)
 * are sent one after the other in file order (see `KeyQueue`); rows waiting for their id are
 * bounded apart, so that an id repeated many times in a row does not starve the others. Each
 * row ends with exactly one `outcome` or `rejection` event, unless a fatal error destroyed the
 * sink first, or `halt()` stopped it: then the rows still unfinished get no event at all, and
 * the caller counts them as not sent.
 */
import { Writable } from 'node:stream';
import type { RecordType } from '@pxstream/config';
import {
  emitRejection,
  isPxStreamError,
  OUTCOME_EVENT,
  type Rejection,
  type RowEnvelope,
  type RowOutcome,
} from '@pxstream/core';
import { Client } from './client.js';
import { asSendResult } from './delete.js';
import type { GuardVerdict, SendGuard } from './guard.js';
import { KeyQueue } from './key-queue.js';
import { resolveClientOptions } from './options.js';
import type { SendResult } from './send.js';
import type { RequestTicket } from './session.js';
import { Session } from './session.js';
import { checkSinkOptions, FATAL_GRACE_MS, PENDING_PER_REQUEST, type PxSinkOptions } from './sink-options.js';
import type { PxSinkStats } from './stats.js';
import { checkKnownId } from './write-order.js';

export class PxSink extends Writable {
  readonly client: Client;
  readonly type: RecordType;
  readonly insertMissing: boolean;
  /** Delete mode (see `PxSinkOptions.delete`), or undefined for writes. */
  readonly deleting: { hard: boolean } | undefined;
  /** `maxPending` given, or undefined: twice the in-flight cap of the moment. */
  private readonly fixedPending: number | undefined;
  private readonly pendingPerRequest: number;
  private readonly fixedWaiting: number | undefined;
  /** Rows written whose `send` has not settled (waiting for their id included). */
  private unsettled = 0;
  private readonly keys = new KeyQueue<RowEnvelope>();
  private readonly guard: SendGuard | undefined;
  /** Rows started (admitted or being admitted) and not settled, with how far their request got. */
  private readonly started = new Map<RowEnvelope, RequestTicket>();
  /** Rows started whose admission or request has not finished. */
  private active = 0;
  /** The fatal error (401/403, daily quota, wrong base URL) the sink is stopping on. */
  private failure: Error | undefined;
  /** `halt()` was called: no request starts any more, rows are taken and dropped. */
  private halted = false;
  private graceTimer: NodeJS.Timeout | undefined;
  private readonly fatalGraceMs: number;
  private heldCallback: ((error?: Error | null) => void) | undefined;
  private finalCallback: ((error?: Error | null) => void) | undefined;

  constructor(options: PxSinkOptions) {
    super({ objectMode: true, highWaterMark: options.highWaterMark ?? 16 });
    checkSinkOptions(options);
    const resolved = resolveClientOptions(options);
    const knownId = checkKnownId(options.knownId);
    this.deleting = options.delete === undefined ? undefined : { hard: options.delete.hard === true };
    this.type = options.type;
    this.insertMissing = options.insertMissing === true;
    this.fixedPending = options.maxPending;
    this.pendingPerRequest = options.maxPendingPerRequest ?? PENDING_PER_REQUEST;
    this.fixedWaiting = options.maxWaiting;
    this.guard = options.guard;
    this.fatalGraceMs = options.fatalGraceMs ?? FATAL_GRACE_MS;
    const session = new Session(resolved);
    this.client = new Client(session, knownId);
    // On a fatal answer no row starts any more; the requests on the wire get their answers.
    session.onFatal((error) => this.fail(error));
    // A larger in-flight cap takes in more rows at once (a far PX answers nothing for a while,
    // and no row settles to let the next one in). Deferred: the cap grows within a request's start.
    session.limiter.onResize(() =>
      queueMicrotask(() => {
        if (!this.destroyed && !this.failure) this.wake();
      }),
    );
  }

  /**
   * Rows accepted and unfinished at most before `write()` holds its callback: `maxPending`, or
   * `maxPendingPerRequest` × the requests in flight allowed now (it follows the round trip).
   */
  get maxPending(): number {
    return (
      this.fixedPending ??
      Math.max(1, Math.ceil(this.pendingPerRequest * this.client.session.limiter.concurrency))
    );
  }

  /** Rows waiting for an earlier row of their id at most: `maxWaiting`, or four times `maxPending`. */
  get maxWaiting(): number {
    return this.fixedWaiting ?? this.maxPending * 4;
  }

  /** Live counters (see `PxSinkStats`). */
  stats(): PxSinkStats {
    return this.client.stats();
  }

  /**
   * Stops sending, gently: the first Ctrl-C or SIGTERM. No request starts any more. Rows
   * waiting for an earlier row of their id, for the limiter or for a backoff are not sent and
   * end with no event, as the rows a fatal stop leaves unfinished: the caller counts them as
   * not sent, and a checkpoint resumes from them. Rows written from now on are taken at once
   * and dropped the same way, so that the rows upstream drain. The requests already on the
   * wire get their answers, and their rows end as usual (with no event if they needed one more
   * request). Once ended, the sink finishes without error as soon as those answers are in.
   * Does nothing after a fatal error or once destroyed; idempotent.
   */
  halt(): void {
    if (this.halted || this.failure || this.destroyed) return;
    this.halted = true;
    this.unsettled -= this.keys.clear();
    // Queued requests and backoffs end at once (`PX_ABORTED`): their rows settle below, unsent.
    this.client.halt();
    this.wake();
  }

  /** True once `halt()` was called. */
  get isHalted(): boolean {
    return this.halted;
  }

  /** Rows waiting for an earlier row of their id to end. */
  get waitingForKey(): number {
    return this.keys.waiting;
  }

  override _write(
    row: RowEnvelope,
    _encoding: BufferEncoding,
    callback: (error?: Error | null) => void,
  ): void {
    // Stopping on a fatal answer: no row is taken any more (the destroy ends the pipeline).
    if (this.failure) {
      this.heldCallback = callback;
      return;
    }
    // Halted: taken and dropped, unsent and with no event (counted as not sent).
    if (this.halted) {
      callback();
      return;
    }
    // A row the guard ends on arrival (unchanged since PX confirmed it): 99% of a nightly
    // `--changed-only` load. Settled here, it never enters the per-id queue or the maps of
    // rows in flight, whose churn made half the old-generation garbage of such a load.
    const early = this.guard?.skip && !this.keys.isBusy(row.key) ? this.guard.skip(row) : undefined;
    if (early) {
      this.announceVerdict(row, early);
      callback();
      return;
    }
    this.unsettled++;
    if (this.keys.admit(row.key, row)) this.start(row);
    if (this.mayTakeMore()) callback();
    else this.heldCallback = callback;
  }

  private mayTakeMore(): boolean {
    const waiting = this.keys.waiting;
    return this.unsettled - waiting < this.maxPending && waiting < this.maxWaiting;
  }

  /** `knownToExist`: the row before it of the same id just wrote the record (see `WriteOrder`). */
  private start(row: RowEnvelope, knownToExist = false): void {
    const ticket: RequestTicket = { state: 'waiting' };
    this.started.set(row, ticket);
    this.active++;
    const verdict = this.guard?.admit(row);
    if (verdict instanceof Promise) {
      verdict.then(
        (decided) => this.go(row, decided, ticket, knownToExist),
        (error: unknown) => this.destroy(error instanceof Error ? error : new Error(String(error))),
      );
    } else this.go(row, verdict, ticket, knownToExist);
  }

  private go(
    row: RowEnvelope,
    verdict: GuardVerdict | undefined,
    ticket: RequestTicket,
    knownToExist: boolean,
  ): void {
    if (this.destroyed) return;
    if (this.failure) {
      // Stopping: never sent (reported abandoned, not in doubt, when the sink is destroyed).
      this.ended();
      return;
    }
    if (verdict) {
      this.started.delete(row);
      this.active--;
      this.announceVerdict(row, verdict);
      this.settled(row);
      return;
    }
    if (this.halted) {
      this.abandon(row, ticket);
      this.ended();
      this.settled(row);
      return;
    }
    let wrote = false;
    const sending = this.deleting
      ? this.client
          .deleteRow(this.type as 'USER' | 'ACCOUNT', row.key ?? '', { ...this.deleting, ticket })
          .then(asSendResult)
      : this.client.send(this.type, row, { insertMissing: this.insertMissing, ticket, knownToExist });
    sending
      .then(
        (result) => {
          if (this.destroyed) return;
          this.started.delete(row);
          this.guard?.settled(row, result);
          wrote = result.outcome === 'inserted' || result.outcome === 'updated';
          this.announce(row, result);
        },
        (error: unknown) => {
          if (this.destroyed) return;
          // The fatal answer itself, or a request it cut: the row stays started, to be
          // reported abandoned with how far its request got.
          if (this.failure) return;
          // Halted before the row's next request: unfinished, with no event.
          if (this.halted) {
            this.abandon(row, ticket);
            return;
          }
          this.destroy(isPxStreamError(error) || error instanceof Error ? error : new Error(String(error)));
        },
      )
      .finally(() => {
        this.ended();
        this.settled(row, wrote);
      })
      // A listener that throws must not become an unhandled rejection: it stops the sink.
      .catch((error: unknown) => this.destroy(error instanceof Error ? error : new Error(String(error))));
  }

  /**
   * A fatal answer came back: take and start no more rows, let the requests on the wire get
   * their answers (a few seconds at most), then stop with the error.
   */
  private fail(error: Error): void {
    // After `halt()` the session's stop is the halt itself (see `Client.halt`), not a failure.
    if (this.failure || this.destroyed || this.halted) return;
    this.failure = error;
    if (this.active === 0) this.destroy(error);
    else this.graceTimer = setTimeout(() => this.destroy(error), this.fatalGraceMs);
  }

  /** A started row's admission or request finished. */
  private ended(): void {
    this.active--;
    if (this.failure && this.active === 0 && !this.destroyed) this.destroy(this.failure);
  }

  override _final(callback: (error?: Error | null) => void): void {
    if (this.unsettled === 0) callback();
    else this.finalCallback = callback;
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    clearTimeout(this.graceTimer);
    // Aborts requests still in flight and queued; their rows get no event (they were not finished).
    this.client.close();
    // Rows started and unfinished: the guard learns whether each may have reached PX.
    for (const [row, ticket] of this.started) this.guard?.abandoned(row, ticket.state === 'sent');
    this.started.clear();
    this.keys.clear();
    this.heldCallback = undefined;
    this.finalCallback = undefined;
    callback(error);
  }

  private announceVerdict(row: RowEnvelope, verdict: GuardVerdict): void {
    if (verdict.outcome === 'skipped') {
      this.emit(OUTCOME_EVENT, { row, outcome: 'skipped', reason: verdict.reason } satisfies RowOutcome);
    } else {
      emitRejection(this, { row, stage: 'send', code: verdict.code, message: verdict.message });
    }
  }

  private announce(row: RowEnvelope, result: SendResult): void {
    if (this.destroyed) return;
    if (result.outcome === 'rejected') {
      const rejection: Rejection = {
        row,
        stage: 'send',
        code: result.code,
        message: result.message,
        ...(result.status === undefined ? {} : { status: result.status }),
      };
      emitRejection(this, rejection);
      return;
    }
    const outcome: RowOutcome =
      result.reason === undefined
        ? { row, outcome: result.outcome }
        : { row, outcome: result.outcome, reason: result.reason };
    this.emit(OUTCOME_EVENT, outcome);
  }

  /** A row the sink will not finish (halted): the guard learns whether it may have reached PX. */
  private abandon(row: RowEnvelope, ticket: RequestTicket): void {
    this.started.delete(row);
    this.guard?.abandoned(row, ticket.state === 'sent');
  }

  /** `wrote`: the row ended inserted or updated, so PX holds its id now. */
  private settled(row: RowEnvelope, wrote = false): void {
    this.unsettled--;
    if (this.destroyed || this.failure) return;
    // The next row of the same id, held back until this one ended, goes now.
    const next = this.halted ? undefined : this.keys.release(row.key);
    if (next) this.start(next, wrote);
    this.wake();
  }

  /** Calls back a write held for backpressure when a row may come in, and the end when all settled. */
  private wake(): void {
    const held = this.heldCallback;
    if (held && (this.halted || this.mayTakeMore())) {
      this.heldCallback = undefined;
      held();
    }
    const final = this.finalCallback;
    if (final && this.unsettled === 0) {
      this.finalCallback = undefined;
      final();
    }
  }
}

/** The sink the CLI wires at the end of the pipeline. */
export function createPxSink(options: PxSinkOptions): PxSink {
  return new PxSink(options);
}
