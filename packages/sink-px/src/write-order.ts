/**
 * Which write an insert-missing row of USER/ACCOUNT tries first, so that a row costs one write
 * and not two. PX has no upsert: a `PUT` of a record PX lacks answers 404 and needs a `POST`; a
 * `POST` of one PX has answers 400 "duplicate" and needs a `PUT`. Trying `PUT` first, as
 * Gainsight's loader does, spends two requests per new row: an initial load of 1M users, two
 * days of PX's daily quota where one would do.
 *
 * The order comes from, first to last:
 * - what the caller knows: an id the sync ledger holds (`knownId`), or an id an earlier row of
 *   this run just wrote, exists: `PUT` first, and the row teaches the window nothing (it says
 *   nothing of the ids nobody knows);
 * - the recent rows the window decided: a `PUT` that met 404, or a `POST` that created, says
 *   the id was missing (the row ended `inserted`); a `PUT` that updated, or a `POST` that met a
 *   duplicate and then a `PUT` that updated, says it existed (`updated`).
 *
 * With a share `m` of missing ids, `PUT` first costs `1 + m` writes per row and `POST` first
 * `2 - m`: `POST` first pays once `m` passes 1/2. The window switches a little past that (see
 * `SWITCH_AT`), so that a file of existing and new ids in turn (m about 1/2, where either order
 * costs the same) keeps one order rather than flipping on noise.
 *
 * Until the window has `MIN_EVIDENCE` rows, at most that many rows go out as probes (`PUT`
 * first, the old order) and the others wait for their answers: one round trip at the start of
 * a load. Without this wait every row the sink starts before the first answer (twice the
 * concurrency, up to 128) would guess blind: 4% of a 3,000-row load of new users.
 */
import { invalidOption } from './errors.js';

export type FirstWrite = 'PUT' | 'POST';

/** How an insert-missing row of USER/ACCOUNT ended, as far as the order cares. */
export type UpsertOutcome = 'inserted' | 'updated' | 'skipped' | 'rejected';

/** Rows the window remembers: recent enough to follow a file whose mix changes part way. */
export const WINDOW = 32;
/** Rows of evidence before the window decides; also the most probes out at the start. */
export const MIN_EVIDENCE = 8;
/**
 * `POST` first from this share of missing ids in the window, back to `PUT` first below
 * `1 - SWITCH_AT`. Over 32 rows of a 50/50 mix the share's standard deviation is 0.09: a
 * switch 0.125 past 1/2 is about 1.4 of them, and inside that band the two orders differ by
 * at most 0.25 writes per row.
 */
export const SWITCH_AT = 0.625;

/** The order of one row's writes, and what the row taught once it ended. */
export interface WriteChoice {
  readonly first: FirstWrite;
  /** Called once, when the row ended (undefined: it ended without a result, e.g. a stop). */
  learned(outcome: UpsertOutcome | undefined): void;
}

/** The `knownId` option, checked. */
export function checkKnownId(value: unknown): ((id: string) => boolean) | undefined {
  if (value === undefined || typeof value === 'function')
    return value as ((id: string) => boolean) | undefined;
  throw invalidOption(`knownId must be a function, got ${typeof value}`);
}

const KNOWN: WriteChoice = { first: 'PUT', learned: () => {} };

export class WriteOrder {
  /** 1 where a row of the window found its id missing, oldest overwritten first. */
  private readonly ring = new Uint8Array(WINDOW);
  private next = 0;
  private filled = 0;
  private missing = 0;
  private order: FirstWrite = 'PUT';
  /** Rows the window decided whose end is not known yet. */
  private open = 0;
  /** Rows waiting for the window's first evidence. */
  private waiters: Array<() => void> = [];

  constructor(private readonly knownId?: (id: string) => boolean) {}

  /** The order the window would give a row now (tests, stats). */
  get current(): FirstWrite {
    return this.order;
  }

  /**
   * The first write of a row of `id`; `knownToExist` when the caller knows PX holds it. A
   * promise while the window is gathering its first evidence and enough probes are out.
   */
  choose(id: string, knownToExist = false): WriteChoice | Promise<WriteChoice> {
    if (knownToExist || this.knownId?.(id) === true) return KNOWN;
    // Cold: the probes out and the evidence in make at most MIN_EVIDENCE; a probe that ended
    // with no evidence (rejected, stopped) makes room for another.
    if (this.filled < MIN_EVIDENCE && this.filled + this.open >= MIN_EVIDENCE) {
      return new Promise<void>((resolve) => this.waiters.push(resolve)).then(() => this.choose(id));
    }
    this.open++;
    let ended = false;
    return {
      first: this.order,
      learned: (outcome) => {
        if (ended) return;
        ended = true;
        this.open--;
        if (outcome === 'inserted') this.observe(1);
        else if (outcome === 'updated') this.observe(0);
        this.wake();
      },
    };
  }

  private observe(missing: 0 | 1): void {
    if (this.filled === WINDOW) this.missing -= this.ring[this.next]!;
    else this.filled++;
    this.ring[this.next] = missing;
    this.missing += missing;
    this.next = (this.next + 1) % WINDOW;
    if (this.filled < MIN_EVIDENCE) return;
    const share = this.missing / this.filled;
    if (share >= SWITCH_AT) this.order = 'POST';
    else if (share <= 1 - SWITCH_AT) this.order = 'PUT';
  }

  /** Rows waiting for evidence choose again: now decided, or as probes in place of ended ones. */
  private wake(): void {
    if (this.waiters.length === 0) return;
    const waiters = this.waiters;
    this.waiters = [];
    for (const resume of waiters) resume();
  }
}
