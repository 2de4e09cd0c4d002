/**
 * Rows of one record id, in file order: a row starts only once the row before it with the
 * same id has ended, so that rows sharing an id apply in file order and never race (a create
 * can then never lose to its own earlier row). Rows of other ids are not held back.
 *
 * Only ids with a row in flight are tracked, and only rows waiting behind one are stored: the
 * sink's own bound on rows accepted caps both, whatever the file holds.
 */
export class KeyQueue<T> {
  /** Ids with a row in flight, each with the rows of that id waiting behind it (oldest first). */
  private readonly busy = new Map<string, T[] | undefined>();
  private waitingCount = 0;

  /** Rows waiting for an earlier row of their id. */
  get waiting(): number {
    return this.waitingCount;
  }

  /** True while a row of `key` is in flight (or waiting behind one). */
  isBusy(key: string | undefined): boolean {
    return key !== undefined && this.busy.has(key);
  }

  /** True when `item` may start now; otherwise it is queued behind the row of its id in flight. */
  admit(key: string | undefined, item: T): boolean {
    if (key === undefined) return true;
    if (!this.busy.has(key)) {
      this.busy.set(key, undefined);
      return true;
    }
    const queue = this.busy.get(key);
    if (queue) queue.push(item);
    else this.busy.set(key, [item]);
    this.waitingCount++;
    return false;
  }

  /** The row of `key` in flight ended: returns the next row of that id to start, if any. */
  release(key: string | undefined): T | undefined {
    if (key === undefined) return undefined;
    const queue = this.busy.get(key);
    const next = queue?.shift();
    if (next === undefined) {
      this.busy.delete(key);
      return undefined;
    }
    if (queue!.length === 0) this.busy.set(key, undefined);
    this.waitingCount--;
    return next;
  }

  /** Forgets every waiting row (the sink was destroyed): returns how many there were. */
  clear(): number {
    const dropped = this.waitingCount;
    this.busy.clear();
    this.waitingCount = 0;
    return dropped;
  }
}
