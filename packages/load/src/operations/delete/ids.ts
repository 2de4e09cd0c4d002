/**
 * The ids an input names, read the way a load reads its key: the column the mapping gives
 * `identifyId` (users) or `id` (accounts), converted as the load converts it, in any input
 * format. A delete counts them before its first request (the cap), a mirror tells from them
 * what the file lacks.
 */
import { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { keyFieldOf, type PxConfig } from '@pxstream/config';
import {
  createStepStream,
  REJECTION_EVENT,
  type Rejection,
  type RowEnvelope,
  type RowStep,
} from '@pxstream/core';
import { IdFingerprints } from '@pxstream/ledger';
import { compileMapper, type Mapper } from '@pxstream/mapper';
import type { OpenedInput } from '../../run/input.js';
import { createSource } from '../../run/stages.js';
import type { SourceFormat } from '../../settings.js';

/** The steps that give a row its id (`row.key`) and nothing else, or reject it. */
export interface KeySteps {
  /** The key's mapper: its `checkColumns` says when a CSV header lacks the key column. */
  mapper: Mapper;
  steps: readonly RowStep[];
  /** The key column, as the mapping names it. */
  column: string;
}

/**
 * A mapper of the key alone (the rest of the mapping is not read: a file of ids is enough),
 * then a step that rejects a row without one (`VALIDATE_MISSING_KEY`, as a load's validator).
 */
export function keySteps(type: 'USER' | 'ACCOUNT', config: PxConfig, column: string): KeySteps {
  const keyField = keyFieldOf(type);
  const mapper = compileMapper({
    type,
    mapping: { [keyField]: column },
    productKeys: config.productKeys,
    timezone: config.timezone,
  });
  const requireKey: RowStep = {
    stage: 'validate',
    process(row: RowEnvelope): RowEnvelope | Rejection {
      if (row.key !== undefined && row.key !== '') {
        row.body = { [keyField]: row.key };
        return row;
      }
      return {
        row,
        stage: 'validate',
        code: 'VALIDATE_MISSING_KEY',
        message: `no ${keyField} (column ${column})`,
        field: keyField,
      };
    },
  };
  return { mapper, steps: [mapper, requireKey], column };
}

/** What a read of the whole input for its ids found. */
export interface InputIds {
  /** The ids, as ledger fingerprints, sealed (distinct: `ids.size`). */
  ids: IdFingerprints;
  /** Rows read, rejected ones included. */
  rows: number;
  /** Rows without a readable id: unparsable, an empty key, a key that does not convert. */
  withoutId: number;
  /** Of those, rows the source could not parse: they may name an id nobody can read. */
  unparsable: number;
}

/**
 * Reads the whole input from its first row and gathers its ids: 8 bytes an id in memory (see
 * `IdFingerprints`). A CSV header without the key column fails as a load's does
 * (`MAP_UNKNOWN_COLUMN`). `signal` ends the read early (with an `AbortError`).
 */
export async function readInputIds(
  input: OpenedInput,
  format: SourceFormat,
  keys: KeySteps,
  signal?: AbortSignal,
): Promise<InputIds> {
  const ids = new IdFingerprints();
  let withoutId = 0;
  let parseRejected = 0;
  const source = await createSource(input, format);
  const collect: RowStep = {
    stage: 'validate',
    process(row) {
      ids.add(row.key!);
      return row;
    },
  };
  const steps = createStepStream(...keys.steps, collect);
  source.on(REJECTION_EVENT, () => parseRejected++);
  steps.on(REJECTION_EVENT, () => withoutId++);
  source.on('header', (columns: readonly string[]) => {
    try {
      keys.mapper.checkColumns(columns);
    } catch (error) {
      source.destroy(error as Error);
    }
  });
  const drain = new Writable({
    objectMode: true,
    highWaterMark: 64,
    write: (_row, _encoding, done) => done(),
  });
  await pipeline(input.open(), source, steps, drain, ...(signal ? [{ signal }] : []));
  return {
    ids: ids.seal(),
    rows: steps.counts.in + parseRejected,
    withoutId: withoutId + parseRejected,
    unparsable: parseRejected,
  };
}
