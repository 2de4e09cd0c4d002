import { createHash } from 'node:crypto';
import { appendFile, mkdir, open, rename, stat, writeFile } from 'node:fs/promises';
import { dirname, posix, win32 } from 'node:path';
import { ledgerError } from './errors.js';
import { defaultLedgerDir } from './location.js';
import { normalizeTarget } from './target.js';

/**
 * Requests sent to one PX per UTC day, counted across runs (`dailyBudget`). PX's quota, about
 * 1,000,000 requests a day, is per subscription: the count belongs to the base URL and the
 * product keys (the ledger's target without the record type: users, accounts, events and
 * preferences loaded into one PX share it). The API key is never part of it, as for ledgers.
 *
 * Kept in pxstream's state beside the ledgers, as `requests-<16 hex>.jsonl`: one line
 * `{"day":"2026-12-02","requests":37}` appended per flush. An append of one short line is one
 * write to a file opened for appending, so two runs at once into the same PX both count,
 * without a lock; each run reads back what the others appended since its last look. A run
 * killed -9 loses what it counted since its last flush (`FLUSH_INTERVAL_MS`: at PX's 200
 * requests a second, at most 200). The file is rewritten as one line for today when it is
 * opened holding other days or more than `COMPACT_BYTES`.
 */

/** How often a load appends what it counted, and reads what other runs appended. */
export const FLUSH_INTERVAL_MS = 1000;
/** A file past this size is folded into one line when opened (a day of flushes is ~3 MB). */
const COMPACT_BYTES = 64 * 1024;

export interface RequestsTarget {
  /** PX base URL, e.g. `https://api.aptrinsic.com/v1`. */
  readonly baseUrl: string;
  /** The product keys the bodies carry; none for preferences. */
  readonly productKeys: readonly string[];
}

/** `2026-12-02`: the UTC day of an instant. */
export function utcDay(epochMs: number): string {
  return new Date(epochMs).toISOString().slice(0, 10);
}

/** The instant the UTC day after `epochMs`'s begins (00:00 UTC). */
export function nextUtcDay(epochMs: number): number {
  const at = new Date(epochMs);
  return Date.UTC(at.getUTCFullYear(), at.getUTCMonth(), at.getUTCDate() + 1);
}

/**
 * Where a target's daily count lives: in the directory of the default ledgers
 * (`$PXSTREAM_LEDGER_DIR`, else the XDG state directory; see `defaultLedgerDir`).
 */
export function dailyRequestsPath(
  target: RequestsTarget,
  env: Readonly<Record<string, string | undefined>> = process.env,
  platform: NodeJS.Platform = process.platform,
): string {
  // Preferences carry no product key: their count is the base URL's alone.
  const productKeys = target.productKeys.length > 0 ? target.productKeys : ['(none)'];
  const normal = normalizeTarget({ baseUrl: target.baseUrl, productKeys, type: 'USER' });
  const id = createHash('sha256')
    .update(JSON.stringify([normal.baseUrl, normal.productKeys]))
    .digest('hex')
    .slice(0, 16);
  const path = platform === 'win32' ? win32 : posix;
  const root = path.dirname(defaultLedgerDir(normal, env, platform));
  return path.join(root, `requests-${id}.jsonl`);
}

/** The count of requests per UTC day: this run's, and what other runs wrote to the same file. */
export class DailyRequests {
  /** day -> requests read from the file (this run's flushed ones included). */
  private readonly written = new Map<string, number>();
  /** day -> requests this run counted and has not appended yet. */
  private readonly unwritten = new Map<string, number>();
  private offset = 0;
  private flushing: Promise<void> = Promise.resolve();

  private constructor(
    /** The file, or undefined for a count in memory only. */
    readonly path: string | undefined,
    private readonly clock: () => number,
  ) {}

  /** A count kept in memory only (no file could be kept): this run's requests. */
  static inMemory(clock: () => number): DailyRequests {
    return new DailyRequests(undefined, clock);
  }

  /** Opens (creating it and its directory if need be) the count at `path`. */
  static async open(path: string, clock: () => number): Promise<DailyRequests> {
    const count = new DailyRequests(path, clock);
    try {
      await mkdir(dirname(path), { recursive: true });
      await count.readNew();
      await count.compact();
    } catch (error) {
      throw ledgerError(
        'LEDGER_IO_FAILED',
        `cannot keep the daily request count at ${path}: ${(error as Error).message}`,
        error,
      );
    }
    return count;
  }

  /** Requests sent today (UTC, by the clock) to this PX, by every run that counted them. */
  today(): number {
    const day = utcDay(this.clock());
    return (this.written.get(day) ?? 0) + (this.unwritten.get(day) ?? 0);
  }

  /** Counts `n` requests sent now. */
  add(n = 1): void {
    const day = utcDay(this.clock());
    this.unwritten.set(day, (this.unwritten.get(day) ?? 0) + n);
  }

  /**
   * Appends what this run counted since the last flush, then reads what every run appended
   * since the last read. Flushes run one after the other; a failure rejects (the counts
   * stay unwritten, for the next try).
   */
  flush(): Promise<void> {
    this.flushing = this.flushing.catch(() => {}).then(() => this.flushNow());
    return this.flushing;
  }

  private async flushNow(): Promise<void> {
    if (this.path === undefined) return;
    // Taken out before the write: requests counted while it runs wait for the next flush.
    const taken = [...this.unwritten];
    this.unwritten.clear();
    if (taken.length > 0) {
      try {
        await appendFile(
          this.path,
          taken.map(([day, requests]) => `${JSON.stringify({ day, requests })}\n`).join(''),
        );
      } catch (error) {
        for (const [day, requests] of taken)
          this.unwritten.set(day, (this.unwritten.get(day) ?? 0) + requests);
        throw error;
      }
    }
    await this.readNew();
  }

  /** Reads the whole lines appended since the last read (a torn last line waits for its end). */
  private async readNew(): Promise<void> {
    if (this.path === undefined) return;
    const file = await open(this.path, 'a+');
    try {
      const { size } = await file.stat();
      if (size <= this.offset) return;
      const bytes = Buffer.alloc(size - this.offset);
      const { bytesRead } = await file.read(bytes, 0, bytes.length, this.offset);
      const end = bytes.subarray(0, bytesRead).lastIndexOf(0x0a);
      if (end < 0) return;
      for (const line of bytes.subarray(0, end).toString('utf8').split('\n')) this.addLine(line);
      this.offset += end + 1;
    } finally {
      await file.close();
    }
  }

  private addLine(line: string): void {
    try {
      const { day, requests } = JSON.parse(line) as { day?: unknown; requests?: unknown };
      if (typeof day !== 'string' || typeof requests !== 'number' || !(requests >= 0)) return;
      this.written.set(day, (this.written.get(day) ?? 0) + requests);
    } catch {
      // A line torn by a crash mid-append (joined to the next one): its few requests are lost.
    }
  }

  /** Folds the file into one line for today when it holds other days or has grown. */
  private async compact(): Promise<void> {
    if (this.path === undefined) return;
    const today = utcDay(this.clock());
    const others = [...this.written.keys()].some((day) => day !== today);
    const { size } = await stat(this.path);
    if (!others && size <= COMPACT_BYTES) return;
    const requests = this.written.get(today) ?? 0;
    const text = requests > 0 ? `${JSON.stringify({ day: today, requests })}\n` : '';
    const temporary = `${this.path}.${process.pid}.tmp`;
    await writeFile(temporary, text);
    await rename(temporary, this.path);
    this.written.clear();
    if (requests > 0) this.written.set(today, requests);
    this.offset = Buffer.byteLength(text);
  }
}
