import type { ReadEnding } from '../../run/read-figures.js';
import type { ReadOptions } from '../../run/read-setup.js';
import type { ScrollProgress } from '../../run/scroll-progress.js';

export interface RebuildOptions extends Omit<ReadOptions, 'filter'> {
  /**
   * The ledger's directory, as a load names it (`ledger`); default: the target's own under
   * `$PXSTREAM_LEDGER_DIR`, else `$XDG_STATE_HOME/pxstream/ledgers`, else
   * `~/.local/state/pxstream/ledgers`.
   */
  ledger?: string;
  /** Counters after each page PX answers. */
  onProgress?: (progress: RebuildProgress) => void;
}

/** A ledger rebuild's counters after each page PX answers. */
export type RebuildProgress = ScrollProgress;

/** What `rebuildLedger()` resolves to. */
export interface RebuildReport extends Omit<ReadEnding, 'target'> {
  type: 'USER' | 'ACCOUNT';
  /** The ledger's directory (absolute). */
  ledger: string;
  /** PX records read. */
  records: number;
  /** Ids the ledger holds now: a record's body hash each. */
  entries: number;
  /**
   * PX records the config's mapping cannot turn into a body a load would send (a value the
   * validator refuses, say): no entry, so a `changedOnly` load sends their rows.
   */
  unmappable: number;
  /** Ids the ledger held before (replaced whole), or 0 when there was none. */
  previousEntries: number;
  /** PX's count of its records (the last page's). */
  totalHits: number | null;
  pages: number;
  /** Scrolls started again after one expired or kept failing. */
  restarts: number;
  /** Requests sent: the metadata read and the pages; retries included. */
  requests: number;
  retries: number;
  http429: number;
  /** Every record was read and the ledger replaced. */
  complete: boolean;
  /** Stopped by `signal`: the ledger is left as it was. */
  interrupted: boolean;
  /** The ledger's target: PX's base URL and product keys (never the API key). */
  target: { baseUrl: string; productKeys: string[] } | null;
}
