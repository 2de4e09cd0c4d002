import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { Committer } from './committer.js';
import { asLedgerError, ledgerError } from './errors.js';
import {
  acquireLock,
  checkTarget,
  foreignEntries,
  JOURNAL_FILE,
  META_FILE,
  newMeta,
  readMeta,
  SNAPSHOT_FILE,
  writeFileAtomic,
} from './files.js';
import { type Durability, JOURNAL_HEADER_BYTES, JournalWriter, journalHeader } from './journal.js';
import { readJournal, readJournalGeneration } from './journal-read.js';
import { Ledger } from './ledger.js';
import { phase } from './probe.js';
import { JournalChanges } from './replay.js';
import { loadChanges, SnapshotReader, snapshotVersion, writeSnapshot } from './snapshot.js';
import {
  DAY_MS,
  DEFAULT_RETENTION_DAYS,
  KIND_CODE,
  LedgerState,
  MAX_DAY,
  MAX_RETENTION_DAYS,
} from './state.js';
import { type LedgerTarget, ledgerKind, normalizeTarget, targetId } from './target.js';

export interface OpenLedgerOptions {
  /** The ledger's directory (see defaultLedgerDir); created on the first writable open. */
  dir: string;
  target: LedgerTarget;
  /** For --plan: no lock, no writes, and nothing created when no ledger exists yet. */
  readOnly?: boolean;
  /** 'fsync' (default): a commit is on disk, surviving power loss. 'os': handed to the OS, surviving kill -9 only. */
  durability?: Durability;
  /** Longest wait of a confirm for its group commit, in ms (default 100). */
  commitDelayMs?: number;
  /** A group commit is written at once when it holds this many changes (default 4096). */
  maxBatch?: number;
  /**
   * This open's clock, epoch ms (default: Date.now(), read once at open). Its UTC day stamps the
   * events of this open and decides which have expired. From day 1 (1970-01-02) on.
   */
  now?: number;
  /**
   * Events ledgers: days an event stays known (default 30, a whole number from 1 to
   * MAX_RETENTION_DAYS, 4096). An event stamped on day D is forgotten by an open on day
   * D + retentionDays or later. Records ignore it.
   */
  retentionDays?: number;
}

/** The UTC day of this open and the retention window, from the options (LEDGER_INVALID_OPTION if out of range). */
function eventClock(options: OpenLedgerOptions): { day: number; retentionDays: number } {
  const now = options.now ?? Date.now();
  const day = Math.floor(now / DAY_MS);
  if (!Number.isFinite(now) || day < 1 || day > MAX_DAY) {
    throw ledgerError(
      'LEDGER_INVALID_OPTION',
      `ledger option now: ${now} is not a time from 1970-01-02 on (epoch ms)`,
    );
  }
  const retentionDays = options.retentionDays ?? DEFAULT_RETENTION_DAYS;
  if (!Number.isInteger(retentionDays) || retentionDays < 1 || retentionDays > MAX_RETENTION_DAYS) {
    throw ledgerError(
      'LEDGER_INVALID_OPTION',
      `ledger option retentionDays: ${String(retentionDays)} is not a whole number of days from 1 to ${MAX_RETENTION_DAYS}`,
    );
  }
  return { day, retentionDays };
}

/** Opens (or, writable, creates) the ledger of one target. Every failure carries a LEDGER_ code. */
export async function openLedger(options: OpenLedgerOptions): Promise<Ledger> {
  try {
    return await openOrCreate(options);
  } catch (error) {
    throw asLedgerError(error, `open ${options.dir}`);
  }
}

async function openOrCreate(options: OpenLedgerOptions): Promise<Ledger> {
  const target = normalizeTarget(options.target);
  const id = targetId(target);
  const kind = ledgerKind(target.type);
  const { dir } = options;
  const { day, retentionDays } = eventClock(options);
  const newState = () => new LedgerState(kind, day, retentionDays);
  const state = newState();
  if (options.readOnly) {
    const meta = await readMeta(dir);
    if (meta === undefined) {
      await refuseForeign(dir);
      return new Ledger(dir, target, kind, false, {
        state,
        committer: undefined,
        compact: noop,
        release: noop,
      });
    }
    checkTarget(dir, meta, id, target);
    const loaded = await loadReadOnly(dir, newState);
    loaded.expireEvents(); // in memory only: the files are left as they are
    return new Ledger(dir, target, kind, true, {
      state: loaded,
      committer: undefined,
      compact: noop,
      release: noop,
    });
  }
  await mkdir(dir, { recursive: true });
  const unlock = await acquireLock(dir);
  try {
    let meta = await readMeta(dir);
    if (meta === undefined) {
      await refuseForeign(dir);
      meta = newMeta(kind, id, target);
      await writeFileAtomic(join(dir, META_FILE), `${JSON.stringify(meta, null, 2)}\n`);
    }
    checkTarget(dir, meta, id, target);
    return await openWritable(dir, target, state, options, unlock);
  } catch (error) {
    await unlock();
    throw error;
  }
}

const noop = async () => {};

async function refuseForeign(dir: string): Promise<void> {
  const foreign = await foreignEntries(dir);
  if (foreign.length > 0) {
    throw ledgerError(
      'LEDGER_NOT_A_LEDGER',
      `${dir} is not a pxstream ledger (it holds ${foreign.slice(0, 3).join(', ')})`,
    );
  }
}

/**
 * The journal of the snapshot's generation, then the snapshot (see `loadTable`). A journal of
 * another generation means a compaction replaced the files while we read them: read
 * everything again. (The snapshot is read through the handle opened first, so it is the one
 * whose generation was compared.)
 */
async function loadReadOnly(dir: string, newState: () => LedgerState): Promise<LedgerState> {
  for (let attempt = 0; attempt < 3; attempt++) {
    const state = newState();
    const snapshot = await SnapshotReader.open(join(dir, SNAPSHOT_FILE), KIND_CODE[state.kind]);
    try {
      const generation = snapshot?.generation ?? 0;
      const journalGeneration = await readJournalGeneration(join(dir, JOURNAL_FILE));
      if (journalGeneration === undefined || journalGeneration < generation) {
        await loadTable(state, snapshot, undefined); // the journal is folded in already
        return state;
      }
      if (journalGeneration === generation) {
        const changes = new JournalChanges(state.table.matchA, state.day);
        const journal = await readJournal(join(dir, JOURNAL_FILE), (payload) =>
          changes.addFrame(payload, state.kind),
        );
        if (journal?.generation === generation) {
          state.restampedEvents += changes.restamped;
          await loadTable(state, snapshot, changes);
          return state;
        }
      }
    } finally {
      await snapshot?.close();
    }
  }
  throw ledgerError('LEDGER_CORRUPT', `ledger ${dir}: its journal and snapshot do not match (generations)`);
}

/**
 * Fills the table from the snapshot and the journal's changes (already read: `changes`), shard
 * by shard: each shard's changes are merged into it as soon as it is read, then let go. The
 * table is thus never held beside a second copy or the whole journal, and the journal costs
 * one sorted merge per shard rather than a replay op by op.
 *
 * An events ledger leaves its expired entries out shard by shard as it reads them, so that no
 * more than a shard's worth ever takes memory (at a large ledger's open the load is the peak),
 * and converts the entries of an older snapshot format as it goes: those the journal changes too are
 * not counted as expired (the journal's last op decides, as in a replay in order), and what
 * the journal itself brings stamped too long ago is dropped by expireEvents, which every open
 * runs after the load (and which recounts the events).
 */
async function loadTable(
  state: LedgerState,
  snapshot: SnapshotReader | undefined,
  changes: JournalChanges | undefined,
): Promise<void> {
  if (snapshot) {
    const expiry = state.kind === 'events' ? state : undefined;
    state.expiredEvents += (await snapshot.load(state.table, expiry, changes)).dropped;
  } else if (changes) {
    loadChanges(state.table, changes);
  }
}

async function openWritable(
  dir: string,
  target: LedgerTarget,
  state: LedgerState,
  options: OpenLedgerOptions,
  unlock: () => Promise<void>,
): Promise<Ledger> {
  const snapshotPath = join(dir, SNAPSHOT_FILE);
  const journalPath = join(dir, JOURNAL_FILE);
  const durability = options.durability ?? 'fsync';
  const snapshot = await SnapshotReader.open(snapshotPath, KIND_CODE[state.kind]);
  let generation = snapshot?.generation ?? 0;
  let snapshotBytes = snapshot?.bytes ?? 0;
  let validBytes = JOURNAL_HEADER_BYTES;
  try {
    const journalGeneration = await readJournalGeneration(journalPath);
    if (journalGeneration !== undefined && journalGeneration > generation) {
      throw ledgerError(
        'LEDGER_CORRUPT',
        `ledger ${dir}: journal generation ${journalGeneration} is ahead of the snapshot`,
      );
    }
    let changes: JournalChanges | undefined;
    if (journalGeneration === generation) {
      const gathered = new JournalChanges(state.table.matchA, state.day);
      validBytes = (await readJournal(journalPath, (payload) => gathered.addFrame(payload, state.kind)))!
        .validBytes;
      changes = gathered;
      state.restampedEvents += gathered.restamped;
    } else {
      // No journal yet, or one that a finished compaction already folded into the snapshot.
      await writeFileAtomic(journalPath, journalHeader(generation));
    }
    phase('open: journal read');
    await loadTable(state, snapshot, changes);
    phase('open: snapshot read, journal merged');
  } finally {
    await snapshot?.close();
  }
  state.expireEvents();
  phase('open: expired');
  // Expired or restamped events, or a snapshot in an older format: only a compaction puts the
  // ledger on disk as it now is in memory (until then the next open expires and restamps again).
  let outdated =
    state.expiredEvents > 0 ||
    state.restampedEvents > 0 ||
    (snapshot !== undefined && snapshot.version !== snapshotVersion(KIND_CODE[state.kind]));
  let writer = await JournalWriter.open(journalPath, validBytes, durability);
  const committer = new Committer(writer, {
    delayMs: options.commitDelayMs ?? 100,
    maxBatch: options.maxBatch ?? 4096,
  });

  // Snapshot (atomic rename) first, then an empty journal of the next generation: a crash in
  // between leaves a journal older than the snapshot, which the next open ignores.
  const compact = async () => {
    await committer.flush();
    committer.pause();
    await writer.close();
    const next = generation + 1;
    // Nothing expired is written, by the open's clock. After the expiry at open this finds
    // nothing more (this open stamps only its own day); one pass over the table.
    state.expireEvents();
    phase('compact: merged and expired');
    snapshotBytes = (await writeSnapshot(snapshotPath, state.table, KIND_CODE[state.kind], next)).bytes;
    phase('compact: snapshot written');
    outdated = false;
    await writeFileAtomic(journalPath, journalHeader(next));
    generation = next;
    writer = await JournalWriter.open(journalPath, JOURNAL_HEADER_BYTES, durability);
    committer.resume(writer);
  };
  const release = async () => {
    try {
      await committer.flush();
      if (outdated || committer.journalFrameBytes > Math.max(64 * 1024, snapshotBytes / 4)) await compact();
    } finally {
      await writer.close().catch(() => {});
      await unlock();
    }
  };
  return new Ledger(dir, target, state.kind, true, { state, committer, compact, release });
}
