import { rm } from 'node:fs/promises';
import { resolve } from 'node:path';
import { isRejection, type Rejection, type RowEnvelope, type RowStep, runStep } from '@pxstream/core';
import { bodyHashOf, defaultLedgerDir, type Ledger, openLedger } from '@pxstream/ledger';
import { type PxRecordReader, readPxRecords } from '@pxstream/source-px';
import { loadError } from '../../errors.js';
import { closeOnStop } from '../../run/read-end.js';
import { ReadFigures } from '../../run/read-figures.js';
import { checkReadOptions, openRead, type ReadSetup, sayScrollRestart } from '../../run/read-setup.js';
import { readStages } from '../../run/read-stages.js';
import { scrollProgress } from '../../run/scroll-progress.js';
import { mappingShaper } from '../export/records.js';
import { ledgerTarget } from '../load/ledger-setup.js';
import { siblingDir, swapLedger } from './swap.js';
import type { RebuildOptions, RebuildProgress, RebuildReport } from './types.js';

/** Records the mapping cannot send that are named one by one on the log; the rest are counted. */
const NAMED_UNMAPPABLE = 5;

/**
 * Fills a target's ledger from PX's own records (README, "Ledger rebuild"): every user or account
 * read over the list scroll (1,000 a request), turned into the row an export writes (the config's
 * mapping turned around), mapped and validated as a load would, and its body hashed as a load's
 * ledger hashes what PX confirmed. The ledger is then what a load of those very rows would have
 * left: a `changedOnly` load sends only the rows that differ from PX, and a load with
 * `insertMissing` knows which ids PX has (one request a row). The old ledger is replaced whole,
 * once the new one is complete (see `swapLedger`); a stop (`signal`) or a failure leaves it as it
 * was. Resolves to the report; rejects with a `LoadError`.
 */
export async function rebuildLedger(options: RebuildOptions): Promise<RebuildReport> {
  if ((options as { filter?: unknown }).filter !== undefined) {
    throw loadError(
      'LOAD_INVALID_OPTION',
      '`filter` does not apply to a ledger rebuild: the ledger must hold every record PX has',
    );
  }
  const { type } = checkReadOptions(options);
  return new RebuildRun(type).start(options);
}

class RebuildRun {
  /** When it ran and how it ended; the target and warnings are the setup's. */
  private readonly figures = new ReadFigures();
  private setup: ReadSetup | undefined;
  private reader: PxRecordReader | undefined;
  private metadataRequests = 0;
  private dir = '';
  private records = 0;
  private entries = 0;
  private unmappable = 0;
  private previousEntries = 0;

  constructor(private readonly type: 'USER' | 'ACCOUNT') {}

  async start(options: RebuildOptions): Promise<RebuildReport> {
    const { signal } = options;
    const release = closeOnStop(signal, () => this.setup?.client);
    let current: Ledger | undefined;
    let fresh: Ledger | undefined;
    let freshDir: string | undefined;
    try {
      const setup = await openRead({ ...options, filter: undefined });
      this.setup = setup;
      const { stages, fieldTypes, mapping, requests } = await readStages(setup, options);
      this.metadataRequests = requests;
      const target = ledgerTarget(setup.config, this.type);
      const env = options.env ?? process.env;
      this.dir = options.ledger
        ? resolve(options.cwd ?? process.cwd(), options.ledger)
        : defaultLedgerDir(target, env);
      // The ledger in place, opened (and locked) for the time of the rebuild: another target's
      // is refused, a load into this one waits for the rebuild to end.
      current = await openLedger({ dir: this.dir, target });
      this.previousEntries = current.counts().records;
      freshDir = siblingDir(this.dir, 'rebuild');
      fresh = await openLedger({ dir: freshDir, target });
      setup.log.info(
        `rebuilding the ledger ${this.dir} from PX's ${this.type === 'USER' ? 'users' : 'accounts'} at ${setup.config.baseUrl}`,
      );
      const shape = mappingShaper(mapping, fieldTypes).shape;
      const reader = readPxRecords({
        client: setup.client,
        type: this.type,
        ...(signal ? { signal } : {}),
        onPage: () => options.onProgress?.(this.progress()),
        onRestart: sayScrollRestart(setup.log),
      });
      this.reader = reader;
      for await (const record of reader) {
        const row: RowEnvelope = { index: this.records, line: this.records + 1, fields: shape(record) };
        this.records++;
        this.confirm(fresh, row, stages.rowSteps);
      }
      if (signal?.aborted) {
        this.figures.interrupted = true;
        return this.report();
      }
      await fresh.close();
      await current.close();
      await swapLedger(this.dir, freshDir);
      freshDir = undefined;
      this.figures.complete = true;
      if (this.unmappable > 0) {
        setup.log.warn(
          `${this.unmappable} of PX's records cannot be sent as the config maps them: the ledger has no entry for them, so a load sends their rows`,
        );
      }
      return this.report();
    } catch (error) {
      if (this.figures.stoppedBy(error, signal)) return this.report();
      throw this.figures.failure(error, this.setup);
    } finally {
      release();
      await fresh?.close().catch(() => {});
      await current?.close().catch(() => {});
      if (freshDir !== undefined) await rmDir(freshDir);
    }
  }

  /**
   * One record's row through the load's mapper and validator, and its body's hash confirmed: a
   * row the steps reject gets no entry (a load then sends it, which is safe).
   */
  private confirm(ledger: Ledger, row: RowEnvelope, steps: readonly RowStep[]): void {
    const result = runSteps(row, steps);
    if (isRejection(result)) {
      this.unmappable++;
      if (this.unmappable <= NAMED_UNMAPPABLE) {
        this.setup?.log.warn(
          `PX's record ${JSON.stringify(result.row.key ?? '?')} cannot be sent as the config maps it (${result.code}: ${result.message}): no ledger entry`,
        );
      }
      return;
    }
    ledger.confirm(result.key as string, bodyHashOf(result));
    this.entries++;
  }

  private progress(): RebuildProgress {
    return scrollProgress(this.reader, this.setup?.client, this.figures.started, this.metadataRequests);
  }

  private requests(): number {
    return (this.setup?.client.stats().sent ?? 0) + this.metadataRequests;
  }

  private report(): RebuildReport {
    const reader = this.reader?.stats();
    const client = this.setup?.client.stats();
    const config = this.setup?.config;
    return {
      type: this.type,
      ledger: this.dir,
      records: this.records,
      entries: this.figures.complete ? this.entries : this.previousEntries,
      unmappable: this.unmappable,
      previousEntries: this.previousEntries,
      totalHits: reader?.totalHits ?? null,
      pages: reader?.pages ?? 0,
      restarts: reader?.restarts ?? 0,
      requests: this.requests(),
      retries: client?.retries ?? 0,
      http429: client?.http429 ?? 0,
      ...this.figures.ending(),
      target: config ? { baseUrl: config.baseUrl, productKeys: [...config.productKeys] } : null,
      warnings: [...(this.setup?.log.warnings ?? [])],
    };
  }
}

/** The steps (mapper, validator) on one row: its rejection, or the row with `key` and `body` set. */
function runSteps(row: RowEnvelope, steps: readonly RowStep[]): RowEnvelope | Rejection {
  let current = row;
  for (const step of steps) {
    const result = runStep(step, current);
    if (isRejection(result)) return result;
    current = result;
  }
  return current;
}

async function rmDir(dir: string): Promise<void> {
  await rm(dir, { recursive: true, force: true }).catch(() => {});
}
