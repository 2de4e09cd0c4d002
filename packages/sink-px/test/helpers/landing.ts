/**
 * The checks every scenario of issue 5 ends with: each row read ended exactly once and the
 * counters add up, and the emulator holds exactly the records expected, none created twice.
 */
import assert from 'node:assert/strict';
import type { PxSink } from '../../src/index.js';
import { type EmulatorStats, recordsById } from './emulator.js';
import { type Collected, everyRowEndedOnce } from './rows.js';

/**
 * updated + inserted + skipped + rejected == rows read, by the sink's events (each row once) and
 * by its counters, which agree with the events; nothing left pending.
 */
export function assertAccounted(sink: PxSink, result: Collected, read: number): void {
  assert.equal(everyRowEndedOnce(result, read), undefined);
  const stats = sink.stats();
  assert.equal(stats.updated + stats.inserted + stats.skipped + stats.rejected, read, JSON.stringify(stats));
  assert.deepEqual(
    [stats.updated, stats.inserted, stats.skipped, stats.rejected],
    [result.count('updated'), result.count('inserted'), result.count('skipped'), result.rejections.length],
    'the counters match the events',
  );
  assert.equal(stats.pending, 0);
}

type Px = { url: string; stats(): EmulatorStats | Promise<EmulatorStats> };

/**
 * The emulator holds exactly the `expected` records (id -> fields each must have): none missing,
 * none under another id, none twice; and it applied `created` creates, so a create repeated
 * into a duplicate would show.
 */
export async function assertRecords(
  px: Px,
  type: 'users' | 'accounts',
  expected: ReadonlyMap<string, Record<string, unknown>>,
  created: number,
): Promise<void> {
  const records = await recordsById(px, type); // throws on an id held twice
  assert.deepEqual([...records.keys()].sort(), [...expected.keys()].sort(), 'the ids held');
  for (const [id, fields] of expected) {
    const record = records.get(id);
    for (const [name, value] of Object.entries(fields)) {
      assert.deepEqual(record?.[name], value, `${JSON.stringify(id)}.${name}`);
    }
  }
  assert.equal((await px.stats()).created[type], created, `${type} created (a duplicate would be one more)`);
}
