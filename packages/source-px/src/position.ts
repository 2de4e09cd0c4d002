/**
 * Where a read of PX's scroll has got to, so that a new scroll (after one expired, failed, or
 * lost a page's answer) carries on from there without handing a record on twice, in constant
 * memory.
 *
 * A scroll cannot be asked for the same page twice: PX's scroll is stateful (an Elasticsearch
 * scroll, as the peer PX models it), so a page request whose answer was lost moved it on, and
 * asking again skips a page. The only safe way on is a new scroll. The reader asks PX for the
 * records sorted by their key, so the new scroll is filtered past the last key handed on
 * (`{key}>={last}`): it holds only what comes after, and costs no re-read.
 *
 * PX's filters compare without regard to case (px-api.md), so the filter is a bound in that
 * order, lower case; the sort is taken to be the same order, and this is checked on every key
 * handed on: if a key ever sorted below the one before it (in lower case), PX sorts otherwise,
 * the filter says nothing of what was read, and a restart stops with `PX_SCROLL_LOST` instead.
 * Keys equal in lower case (`u1`, `U1`) are all kept by `>=`: the ones of them already handed
 * on are known by name and dropped. An id's `;` would split the filter into two terms, PX may
 * trim a value's spaces, and an operator or a comma in it could be read otherwise by a PX that
 * parses terms differently: the bound is the key cut before the first of any of them, and the
 * records from the bound up to the last key are dropped as read already (they sort before it).
 */
import { type JsonObject, PxStreamError } from '@pxstream/core';
import { sourcePxError } from './errors.js';

/** What a filter's value may not carry safely (see above): the bound stops before it. */
const UNSAFE_IN_FILTER = /[;,\s=!<>~]/;

/** PX's filters ignore case: keys are compared as they compare them. */
const fold = (key: string) => key.toLowerCase();

export class ScrollPosition {
  /** Records handed on. */
  read = 0;
  /** Records of restarted scrolls dropped as read already. */
  skipped = 0;
  private lastKey: string | undefined;
  private lastFolded: string | undefined;
  /** The keys handed on that fold to `lastFolded` (most often the last key alone). */
  private readonly sameFolded = new Set<string>();
  /** Every key handed on folded at or above the one before it: PX sorts as its filters compare. */
  private ordered = true;
  /** After a restart: the folded last key, until a record past it is handed on. */
  private resumeFrom: string | undefined;

  constructor(private readonly keyField: string) {}

  /**
   * A new scroll starts: it is to hold only what comes after the last key handed on. Throws
   * `PX_SCROLL_LOST` when PX's order is not its filters' (nothing tells what was read).
   */
  restart(): void {
    if (this.lastFolded === undefined) return;
    if (!this.ordered) throw this.lost();
    this.resumeFrom = this.lastFolded;
  }

  /**
   * The filters of the new scroll after `restart()`: each of `filters` (ORed) ANDed with the
   * bound on the key; the bound alone when there are none.
   */
  filters(filters: readonly string[]): readonly string[] {
    const bound = this.lastKey?.split(UNSAFE_IN_FILTER, 1)[0] ?? '';
    if (this.resumeFrom === undefined || bound === '') return filters;
    const term = `${this.keyField}>=${bound}`;
    return filters.length === 0 ? [term] : filters.map((filter) => `${filter};${term}`);
  }

  /** The records of a page that were not handed on yet, in order; the position moves past them. */
  take(records: readonly JsonObject[]): JsonObject[] {
    const fresh: JsonObject[] = [];
    for (const record of records) {
      const key = this.keyOf(record);
      const folded = fold(key);
      if (this.resumeFrom !== undefined && this.readAlready(key, folded, this.resumeFrom)) {
        this.skipped++;
        continue;
      }
      if (this.lastFolded !== undefined && folded < this.lastFolded) this.ordered = false;
      if (folded !== this.lastFolded) this.sameFolded.clear();
      this.sameFolded.add(key);
      this.lastKey = key;
      this.lastFolded = folded;
      this.read++;
      fresh.push(record);
    }
    return fresh;
  }

  /**
   * Whether a record of a restarted scroll was handed on already: one of the keys equal to the
   * last in lower case, or one below it (the bound was cut short, or PX created it meanwhile).
   */
  private readAlready(key: string, folded: string, from: string): boolean {
    if (folded === from) return this.sameFolded.has(key);
    if (folded > from) {
      this.resumeFrom = undefined;
      return false;
    }
    return true;
  }

  private lost(): Error {
    return sourcePxError(
      'PX_SCROLL_LOST',
      `PX's scroll had to be started again after ${this.read} records, and PX does not list ${this.keyField}s in the order its filters compare them (ignoring case): a new scroll cannot start where the last one stopped without giving records twice; read again from the start`,
    );
  }

  private keyOf(record: JsonObject): string {
    const key = record[this.keyField];
    if (typeof key === 'string') return key;
    throw new PxStreamError(
      'PX_INVALID_RESPONSE',
      `PX listed a record without a string ${this.keyField}: ${JSON.stringify(record).slice(0, 200)}`,
      { fatal: true },
    );
  }
}
