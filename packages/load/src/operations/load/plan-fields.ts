/**
 * The fields a plan file names for its changed rows (issue 26). The ledger keeps one 64-bit hash
 * of the body PX last confirmed per id: it knows that a row changed, never which field. PX's
 * record knows, and reading it is no write: a plan may.
 *
 * For each row the ledger calls changed this keeps, not the row, but its id (in verify's
 * `IdTable`: the id's 64-bit hash), its field set and a 64-bit hash per compared field (verify's
 * tokens: `FieldComparer.fieldHashesOf`): about 50 bytes and 8 a field, so a million changed rows
 * of 15 fields take about 170 MB and the unchanged ones nothing. Once the input is read, PX's
 * records of those ids are read verify's way (`read-px.ts`): one `GET` each while the changed ids
 * are no more than the pages of PX's scroll (known from one count request, made at the first
 * changed row), else the whole scroll, 1,000 records a request, over the plan's own client (the
 * load's rate, limiter and waits for PX). The ids' text, which a `GET` needs, is kept only while
 * reading by id may still be the cheaper way, as verify keeps its rows. Each row then names the
 * fields whose value PX holds otherwise, compared as `verify` compares them (numbers by value,
 * dates as epoch ms, booleans, strings exactly; a field the row leaves empty is not compared).
 */
import { keyFieldOf, type PxConfig, resolveFieldTypes } from '@pxstream/config';
import { errorMessage, type JsonObject, type RowEnvelope } from '@pxstream/core';
import { createPxClient, type PxClient } from '@pxstream/sink-px';
import { readPxRecords } from '@pxstream/source-px';
import type { LoadLog } from '../../run/log.js';
import { pxClientOptions } from '../../run/px-connection.js';
import { sayScrollRestart } from '../../run/read-setup.js';
import type { AttributeMetadataList } from '../../run/stages.js';
import type { PxWaits } from '../../run/waits.js';
import type { RunSettings } from '../../settings.js';
import { comparedFields, FieldComparer } from '../verify/fields.js';
import { IdTable, MATCH, UNSEEN } from '../verify/id-table.js';
import {
  cheaperRead,
  countPx,
  getEach,
  type PxCount,
  readByLine,
  readConcurrency,
} from '../verify/read-px.js';

/** What a changed row's line says of PX once read (`named`: an index into the named field lists). */
const UNREAD = 0;
const MISSING = 1;
const NAMED = 2;

/** What naming the changed fields needs of the load. */
export interface PlanReads {
  config: PxConfig;
  settings: Pick<RunSettings, 'type' | 'timeoutMs' | 'wait'>;
  /** PX's attribute metadata the load's stages were typed with. */
  metadata: AttributeMetadataList | undefined;
  log: LoadLog;
  waits: PxWaits;
  /** The load's first stop: no read starts after it. */
  signal?: AbortSignal | undefined;
}

export class ChangedFields {
  private readonly comparer: FieldComparer;
  private readonly keyField: string;
  /** The distinct ids of the changed rows; `rows[ordinal]`: the id's last changed row. */
  private readonly ids = new IdTable();
  /** The ids' text by ordinal, while a `GET` each may be the cheaper read. */
  private texts: string[] | undefined = [];
  private client: PxClient | undefined;
  private count: PxCount | undefined;
  /** PX could not be read: the changed rows keep `fields: null`. */
  private failed = false;
  /** Per changed row, by its number among them: field set, first hash word, the id's earlier changed row (-1), result. */
  private fieldSets = new Uint32Array(64);
  private starts = new Uint32Array(64);
  private earlier = new Int32Array(64);
  private results = new Uint32Array(64);
  private hashes = new Uint32Array(1024);
  private words = 0;
  /** The lists of fields named, as JSON, interned (`results` holds `NAMED` + index). */
  private readonly named: string[] = [];
  private readonly namedIndex = new Map<string, number>();
  /** Changed rows kept. */
  rows = 0;

  private constructor(
    private readonly reads: PlanReads,
    private readonly type: 'USER' | 'ACCOUNT',
  ) {
    const { config, metadata } = reads;
    const mapping = config.fieldMapping[type] ?? {};
    const fieldTypes = resolveFieldTypes(type, mapping, { metadata, attributeTypes: config.attributeTypes });
    this.keyField = keyFieldOf(type);
    this.comparer = new FieldComparer(comparedFields(mapping, fieldTypes, this.keyField), config.productKeys);
  }

  /**
   * Naming the changed fields of a plan, when PX can be read: users and accounts (PX has no
   * read of events or preferences), with an API key (a plan without one reads nothing).
   */
  static for(reads: PlanReads): ChangedFields | undefined {
    const { type } = reads.settings;
    if ((type !== 'USER' && type !== 'ACCOUNT') || !reads.config.apiKey) return undefined;
    return new ChangedFields(reads, type);
  }

  /** A row the ledger calls changed; the first waits for PX's count. */
  add(row: RowEnvelope): Promise<void> | undefined {
    if (this.failed) return undefined;
    if (this.count === undefined) return this.countPx().then(() => this.add(row));
    const id = row.key as string;
    const body = row.body as JsonObject;
    const { ordinal, added } = this.ids.upsert(id);
    if (added && this.texts) {
      if (this.ids.size > this.count.pages) this.texts = undefined;
      else this.texts[ordinal] = id;
    }
    const k = this.rows++;
    if (k >= this.fieldSets.length) this.growRows();
    const setId = this.comparer.fieldSetOf(body);
    const words = 2 * this.comparer.sizeOf(setId);
    if (this.words + words > this.hashes.length) this.hashes = grown(this.hashes, this.words + words);
    this.comparer.fieldHashesOf(body, setId, this.hashes, this.words);
    this.fieldSets[k] = setId;
    this.starts[k] = this.words;
    this.words += words;
    this.earlier[k] = added ? -1 : this.ids.rows[ordinal]!;
    this.ids.rows[ordinal] = k;
    return undefined;
  }

  /** Reads PX's records of the changed ids, the cheaper way, and names each changed row's fields. */
  async read(): Promise<void> {
    const { count, client } = this;
    const { log, signal } = this.reads;
    if (this.rows === 0 || !count || !client || signal?.aborted) return;
    const readBy = this.texts ? cheaperRead(this.ids.size, count.pages) : 'scroll';
    log.info(readByLine(readBy, this.ids.size, count.totalHits, 'changed ids, to name their fields'));
    try {
      if (readBy === 'get') await this.readByGet(client, this.texts ?? []);
      else await this.readByScroll(client, count);
      if (!signal?.aborted) {
        const rows = this.rows === 1 ? '1 changed row' : `${this.rows} changed rows`;
        log.info(
          `named the fields of ${rows} with ${client.stats().sent} reads of PX (the count among them)`,
        );
      }
    } catch (error) {
      this.cannotRead(error);
    }
  }

  /**
   * What replaces the end of changed row `k`'s line, `"fields":null}`: the fields named, or the
   * record missing in PX; undefined when PX was not read (its line stays as it is).
   */
  tailOf(k: number): string | undefined {
    const result = k < this.rows ? this.results[k]! : UNREAD;
    if (result === UNREAD) return undefined;
    if (result === MISSING) return '"fields":null,"px":"missing"}';
    return `"fields":${this.named[result - NAMED]!}}`;
  }

  close(): void {
    this.reads.signal?.removeEventListener('abort', this.stop);
    this.client?.close();
  }

  /** A stop closes the client: the request on its way ends (a wait for PX too), none starts. */
  private readonly stop = () => this.client?.close();

  /** PX's count: what its scroll costs, so whether a `GET` each is cheaper. */
  private async countPx(): Promise<void> {
    const { config, settings, waits, signal } = this.reads;
    try {
      this.client = createPxClient(
        pxClientOptions(config, { timeoutMs: settings.timeoutMs, wait: settings.wait, onWait: waits.onWait }),
      );
      signal?.addEventListener('abort', this.stop, { once: true });
      this.count = await countPx(this.client, this.type);
    } catch (error) {
      this.cannotRead(error);
    }
  }

  private async readByGet(client: PxClient, texts: readonly string[]): Promise<void> {
    const { config, signal } = this.reads;
    const read = {
      client,
      type: this.type,
      count: this.ids.size,
      concurrency: readConcurrency(config),
      signal,
    };
    await getEach({ ...read, idOf: (ordinal) => texts[ordinal]! }, (ordinal, record) =>
      this.settle(ordinal, record),
    );
  }

  private async readByScroll(client: PxClient, count: PxCount): Promise<void> {
    const { log, signal } = this.reads;
    const { ids, keyField } = this;
    const reader = readPxRecords({
      client,
      type: this.type,
      firstPage: count.firstPage,
      ...(signal ? { signal } : {}),
      onRestart: sayScrollRestart(log),
    });
    for await (const record of reader) {
      const id = record[keyField];
      const ordinal = typeof id === 'string' ? ids.get(id) : -1;
      // A restarted scroll may hand a record on twice.
      if (ordinal < 0 || ids.states[ordinal] !== UNSEEN) continue;
      ids.states[ordinal] = MATCH;
      this.settle(ordinal, record);
    }
    if (signal?.aborted) return;
    for (let ordinal = 0; ordinal < ids.size; ordinal++) {
      if (ids.states[ordinal] === UNSEEN) this.settle(ordinal, undefined);
    }
  }

  /** PX's record of an id (undefined: none): the fields of each of its changed rows. */
  private settle(ordinal: number, record: JsonObject | undefined): void {
    for (let k = this.ids.rows[ordinal]!; k >= 0; k = this.earlier[k]!) {
      if (record === undefined) {
        this.results[k] = MISSING;
        continue;
      }
      const fields = this.comparer.differingFields(record, this.fieldSets[k]!, this.hashes, this.starts[k]!);
      const text = JSON.stringify(fields.sort());
      let index = this.namedIndex.get(text);
      if (index === undefined) {
        index = this.named.length;
        this.named.push(text);
        this.namedIndex.set(text, index);
      }
      this.results[k] = NAMED + index;
    }
  }

  private cannotRead(error: unknown): void {
    this.failed = true;
    if (this.reads.signal?.aborted) return;
    this.reads.log.warn(
      `cannot read PX to name the changed fields (${errorMessage(error)}): the plan file's changed rows ` +
        'not named keep "fields": null',
    );
  }

  private growRows(): void {
    const size = this.fieldSets.length * 2;
    this.fieldSets = grown(this.fieldSets, size);
    this.starts = grown(this.starts, size);
    this.earlier = grown(this.earlier, size);
    this.results = grown(this.results, size);
  }
}

/** `array` copied into one of at least `size` elements (doubled, at least). */
function grown<T extends Uint32Array | Int32Array>(array: T, size: number): T {
  const next = new (array.constructor as new (n: number) => T)(Math.max(size, array.length * 2));
  next.set(array);
  return next;
}
