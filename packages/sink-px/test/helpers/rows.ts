/** Row envelopes as the mapper leaves them (`key` and `body` set), and a driver for the sink. */
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import {
  OUTCOME_EVENT,
  REJECTION_EVENT,
  type Rejection,
  type RowEnvelope,
  type RowOutcome,
} from '@pxstream/core';
import type { PxSink } from '../../src/index.js';

export const PRODUCT_KEY = 'AP-TEST00000000-1';

export function row(index: number, key: string | undefined, body: Record<string, unknown>): RowEnvelope {
  return { index, line: index + 2, fields: [], key, body };
}

export function userRow(index: number, identifyId: string, extra: Record<string, unknown> = {}): RowEnvelope {
  return row(index, identifyId, { identifyId, propertyKeys: [PRODUCT_KEY], ...extra });
}

export function accountRow(index: number, id: string, extra: Record<string, unknown> = {}): RowEnvelope {
  return row(index, id, { id, name: `Account ${id}`, propertyKeys: [PRODUCT_KEY], ...extra });
}

export interface Collected {
  outcomes: RowOutcome[];
  rejections: Rejection[];
  /** Events per row index: each must be 1 (exactly one end per row). */
  endsByIndex: Map<number, number>;
  /** updated + inserted + skipped + rejected. */
  readonly finished: number;
  count(kind: 'updated' | 'inserted' | 'skipped'): number;
}

/** Listens to a sink's events. */
export function collect(sink: PxSink): Collected {
  const outcomes: RowOutcome[] = [];
  const rejections: Rejection[] = [];
  const endsByIndex = new Map<number, number>();
  const end = (index: number) => endsByIndex.set(index, (endsByIndex.get(index) ?? 0) + 1);
  sink.on(OUTCOME_EVENT, (outcome: RowOutcome) => {
    outcomes.push(outcome);
    end(outcome.row.index);
  });
  sink.on(REJECTION_EVENT, (rejection: Rejection) => {
    rejections.push(rejection);
    end(rejection.row.index);
  });
  return {
    outcomes,
    rejections,
    endsByIndex,
    get finished() {
      return outcomes.length + rejections.length;
    },
    count: (kind) => outcomes.filter((o) => o.outcome === kind).length,
  };
}

/** Writes every row into the sink with backpressure and waits for it to finish. */
export async function load(sink: PxSink, rows: Iterable<RowEnvelope>): Promise<Collected> {
  const collected = collect(sink);
  await pipeline(Readable.from(rows, { objectMode: true }), sink);
  return collected;
}

/** Asserts every written row ended exactly once; returns nothing, throws on a gap. */
export function everyRowEndedOnce(collected: Collected, written: number): string | undefined {
  if (collected.finished !== written) return `${collected.finished} rows ended, ${written} written`;
  for (let i = 0; i < written; i++) {
    const n = collected.endsByIndex.get(i) ?? 0;
    if (n !== 1) return `row ${i} ended ${n} times`;
  }
  return undefined;
}
