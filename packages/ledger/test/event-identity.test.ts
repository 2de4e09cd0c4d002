import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isRejection, type RowEnvelope, type RowStep } from '@pxstream/core';
import { EventIdentityStep, eventInputId, hashBody, OccurrenceCounter } from '@pxstream/ledger';

const COLUMNS = ['id', 'user', 'when'];

/** A CSV row whose "mapper" result is given: the body is what the identity reads. */
function csvRow(index: number, cells: string[], body: Record<string, unknown>): RowEnvelope {
  return { index, line: index + 2, fields: cells, columns: COLUMNS, body };
}

const event = (user: string, date?: number) => ({
  identifyId: user,
  eventName: 'login',
  ...(date === undefined ? {} : { date }),
});

function step(eventKey?: string, inputId = 'file:a', before: RowStep[] = []) {
  return new EventIdentityStep({ eventKey, inputId, before });
}

function identity(s: EventIdentityStep, row: RowEnvelope) {
  const result = s.process(row);
  assert.ok(!isRejection(result), 'not rejected');
  return (result as RowEnvelope).eventIdentity!;
}

describe('EventIdentityStep', () => {
  it('dated: the first occurrence is the body hash (what older ledgers hold), the n-th another identity', () => {
    const s = step();
    const body = event('u1', 1_700_000_000_000);
    const first = identity(s, csvRow(0, ['', 'u1', 'x'], { ...body }));
    const second = identity(s, csvRow(1, ['', 'u1', 'x'], { ...body }));
    const third = identity(s, csvRow(5, ['', 'u1', 'x'], { ...body }));
    assert.equal(first.by, 'content');
    assert.equal(first.hash, hashBody(JSON.stringify(body)));
    assert.equal(new Set([first.hash, second.hash, third.hash]).size, 3);
    // Another step over the same rows (a rerun) gives the same identities, whatever the positions.
    const rerun = step();
    assert.equal(identity(rerun, csvRow(7, [], { ...body })).hash, first.hash);
    assert.equal(identity(rerun, csvRow(9, [], { ...body })).hash, second.hash);
  });

  it('undated: the input and the position, so another input or row is another event', () => {
    const a = step(undefined, 'file:a');
    const b = step(undefined, 'file:b');
    const row = () => csvRow(3, [], event('u1'));
    const one = identity(a, row());
    assert.equal(one.by, 'position');
    assert.equal(identity(step(undefined, 'file:a'), row()).hash, one.hash, 'same input, same row');
    assert.notEqual(identity(b, row()).hash, one.hash, 'another input');
    assert.notEqual(identity(a, csvRow(4, [], event('u1'))).hash, one.hash, 'another row');
  });

  it('a key column: its value alone, for CSV and for nested JSON fields; blank keys are rejected', () => {
    const s = step('id');
    const one = identity(s, csvRow(0, ['ev-1', 'u1', ''], event('u1', 1)));
    const same = identity(s, csvRow(9, [' ev-1 ', 'u2', ''], event('u2', 2)));
    assert.equal(one.by, 'key');
    assert.equal(same.hash, one.hash, 'one event per key, whatever else the row holds');
    const blank = s.process(csvRow(1, ['  ', 'u1', ''], event('u1')));
    assert.ok(isRejection(blank));
    assert.equal(blank.code, 'MAP_EVENT_KEY_EMPTY');
    assert.equal(blank.stage, 'map');
    const nested = step('meta.id');
    const json = (fields: Record<string, unknown>): RowEnvelope => ({
      index: 0,
      line: 1,
      fields,
      body: event('u1'),
    });
    assert.equal(identity(nested, json({ meta: { id: 'ev-1' } })).hash, one.hash);
    assert.equal(identity(nested, json({ 'meta.id': 'ev-1' })).hash, one.hash);
    assert.equal(
      identity(nested, json({ meta: { id: 42 } })).hash,
      identity(step('id'), csvRow(0, ['42'], {})).hash,
    );
    assert.ok(isRejection(nested.process(json({ meta: {} }))));
  });

  it('observe: rows before the run counted through the steps before, rejected ones not', () => {
    const mapper: RowStep = {
      stage: 'map',
      process: (row) =>
        (row.fields as string[])[0] === 'bad'
          ? { row, stage: 'map', code: 'X', message: 'x' }
          : Object.assign(row, { body: event('u1', 5) }),
    };
    const s = step(undefined, 'file:a', [mapper]);
    s.observe({ index: 0, line: 2, fields: ['ok'], columns: COLUMNS });
    s.observe({ index: 1, line: 3, fields: ['bad'], columns: COLUMNS });
    const next = identity(s, csvRow(2, ['ok'], event('u1', 5)));
    const fresh = step();
    identity(fresh, csvRow(0, [], event('u1', 5)));
    assert.equal(next.hash, identity(fresh, csvRow(1, [], event('u1', 5))).hash, 'the second occurrence');
  });
});

describe('eventInputId', () => {
  const file = (path: string, modifiedMs: number) => ({ path, size: 24, modifiedMs, headHash: 'ab12' });

  it('a file: by name, size, modification time and head; a stream: a new identity each run; a resume: the recorded one', () => {
    const monday = eventInputId(file('/x/events-mon.csv', 1000));
    assert.equal(eventInputId(file('/elsewhere/events-mon.csv', 1000)), monday);
    assert.notEqual(eventInputId(file('/x/events-tue.csv', 1000)), monday);
    assert.notEqual(eventInputId(file('/x/events-mon.csv', 2000)), monday);
    assert.notEqual(eventInputId({ ...file('/x/events-mon.csv', 1000), headHash: 'cd34' }), monday);
    const stream = { path: undefined, headHash: 'ab12' };
    assert.notEqual(eventInputId(stream), eventInputId(stream));
    assert.equal(eventInputId(stream, 'run:abc'), 'run:abc');
  });
});

describe('OccurrenceCounter', () => {
  it('counts each content from 1, through many growths of its table', () => {
    const counter = new OccurrenceCounter();
    const hashes = Array.from({ length: 20_000 }, (_, i) => hashBody(String(i)));
    for (const hash of hashes) assert.equal(counter.next(hash), 1);
    for (const hash of hashes) assert.equal(counter.next(hash), 2);
    assert.equal(counter.next(hashes[7]!), 3);
    assert.equal(counter.size, 20_000);
  });
});
