/**
 * Where a read of PX's scroll has got to, so that a new scroll (after one expired or kept
 * failing) carries on from there without handing a record on twice, in constant memory.
 *
 * The reader asks PX for the records sorted by their key, so a new scroll gives back, first,
 * the records already read, up to the last key handed on, then the rest. The obvious shortcut,
 * a `{key}>{last}` filter on the new scroll, is not taken: PX compares filters without regard
 * to case (px-api.md) while nothing says its sort does, so `>` could leave out records the sort
 * puts after the last one; and an id may hold `;`, which separates filter terms, with no
 * documented escape. Re-reading the records already read costs one request per 1,000 of them,
 * for a restart that only happens after a wait longer than the scroll's life.
 *
 * So a new scroll is read from its start and its records are dropped until the last key handed
 * on comes by: every record after it comes after it in PX's order, whatever that order is, and
 * was never handed on. If that key is gone (the record was deleted meanwhile), the key order
 * decides, when it can: if every key handed on so far, and every key of the new scroll so far,
 * rose in code-unit order, then PX sorts as JavaScript compares, the first key above the last
 * one is where to carry on, and any later key at or below it was handed on already (or was
 * created meanwhile) and is dropped. Otherwise nothing tells which records were read: the read
 * stops with `PX_SCROLL_LOST` rather than risk one twice.
 */
import { type JsonObject, PxStreamError } from '@pxstream/core';
import { sourcePxError } from './errors.js';

interface Resume {
  /** The last key handed on before the restart. */
  key: string;
  /** Every key handed on before the restart rose in code-unit order. */
  ascending: boolean;
  /** `seeking`: dropping records until `key`; `passed`: `key` is gone, keys at or below it are dropped. */
  state: 'seeking' | 'passed';
  /** The previous key of the new scroll, and whether they all rose so far. */
  previous: string | undefined;
  scanAscending: boolean;
  /** Records dropped while seeking, and how many may be before `key` is taken to be gone. */
  dropped: number;
  limit: number;
}

export class ScrollPosition {
  /** Records handed on. */
  read = 0;
  /** Records of restarted scrolls dropped as read already. */
  skipped = 0;
  private lastKey: string | undefined;
  private ascending = true;
  private resume: Resume | undefined;

  constructor(
    private readonly keyField: string,
    /**
     * Records a new scroll may hold before the last key beyond the count read: records created
     * meanwhile before it. A page's worth: more and the key is taken to be gone.
     */
    private readonly slack: number,
  ) {}

  /** A new scroll starts: drop what it gives again, up to where the last one had got. */
  restart(): void {
    if (this.lastKey === undefined) return;
    this.resume = {
      key: this.lastKey,
      ascending: this.ascending,
      state: 'seeking',
      previous: undefined,
      scanAscending: true,
      dropped: 0,
      limit: this.read + this.slack,
    };
  }

  /** The records of a page that were not handed on yet, in order; the position moves past them. */
  take(records: readonly JsonObject[]): JsonObject[] {
    const fresh: JsonObject[] = [];
    for (const record of records) {
      const key = this.keyOf(record);
      if (this.resume !== undefined && this.drops(this.resume, key)) {
        this.skipped++;
        continue;
      }
      if (this.lastKey !== undefined && !(key > this.lastKey)) this.ascending = false;
      this.lastKey = key;
      this.read++;
      fresh.push(record);
    }
    return fresh;
  }

  /** The scroll ended. Throws `PX_SCROLL_LOST` if a new scroll never came to where the old one was. */
  end(): void {
    const resume = this.resume;
    if (resume?.state !== 'seeking') return;
    // Every key of the new scroll was below the last one, in an order JavaScript's agrees with:
    // they were all read already, and none came after it.
    if (resume.ascending && resume.scanAscending) return;
    throw this.lost(resume);
  }

  /** Whether a record of a restarted scroll is one to drop; moves the restart's state on. */
  private drops(resume: Resume, key: string): boolean {
    if (resume.state === 'passed') return key <= resume.key;
    resume.scanAscending &&= resume.previous === undefined || key > resume.previous;
    resume.previous = key;
    if (key === resume.key) {
      this.resume = undefined;
      return true;
    }
    if (resume.ascending && resume.scanAscending && key > resume.key) {
      resume.state = 'passed';
      return false;
    }
    if (++resume.dropped > resume.limit) throw this.lost(resume);
    return true;
  }

  private lost(resume: Resume): Error {
    return sourcePxError(
      'PX_SCROLL_LOST',
      `PX's scroll was restarted after ${this.read} records, and the last one read (${this.keyField} ${JSON.stringify(resume.key)}) is no longer in it: reading on could give records twice; read again from the start`,
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
