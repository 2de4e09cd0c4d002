import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isPxStreamError } from '@pxstream/core';
import { ScrollPosition } from '../src/position.js';

const users = (...ids: string[]) => ids.map((identifyId) => ({ identifyId }));
const ids = (records: Array<{ identifyId?: unknown }>) => records.map((r) => r.identifyId);

/** A position that has handed on `read`, then restarts. */
function restartedAfter(read: string[], slack = 10): ScrollPosition {
  const position = new ScrollPosition('identifyId', slack);
  assert.deepEqual(ids(position.take(users(...read))), read);
  position.restart();
  return position;
}

const lost = (error: unknown) => isPxStreamError(error) && error.code === 'PX_SCROLL_LOST';

describe('ScrollPosition: carrying on after a restart without a record twice', () => {
  it('hands every record on while no restart happened, and counts them', () => {
    const position = new ScrollPosition('identifyId', 10);
    assert.deepEqual(ids(position.take(users('b', 'a', 'c'))), ['b', 'a', 'c']);
    position.end();
    assert.equal(position.read, 3);
    assert.equal(position.skipped, 0);
  });

  it('a restart before anything was read drops nothing', () => {
    const position = new ScrollPosition('identifyId', 10);
    position.restart();
    assert.deepEqual(ids(position.take(users('a', 'b'))), ['a', 'b']);
  });

  it('drops the new scroll up to the last key read, then hands on the rest', () => {
    const position = restartedAfter(['a', 'b', 'c']);
    assert.deepEqual(ids(position.take(users('a', 'b'))), []);
    assert.deepEqual(ids(position.take(users('c', 'd', 'e'))), ['d', 'e']);
    position.end();
    assert.equal(position.read, 5);
    assert.equal(position.skipped, 3);
  });

  it('finds the last key in any order PX sorts by (case-insensitive here), and drops nothing after it', () => {
    // PX's order: a, B, c (not JavaScript's); read a, B before the restart.
    const position = restartedAfter(['a', 'B']);
    assert.deepEqual(ids(position.take(users('a', 'B', 'c', 'D'))), ['c', 'D']);
  });

  it('the last key gone, keys in code-unit order: carries on at the first key past it, drops older ones after', () => {
    const position = restartedAfter(['k1', 'k2', 'k3']);
    // k3 was deleted; k4 comes next. k0 (created meanwhile, out of order) is dropped, never doubled.
    assert.deepEqual(ids(position.take(users('k1', 'k2', 'k4', 'k0', 'k5'))), ['k4', 'k5']);
  });

  it('the last key gone and nothing after it: the scroll ends cleanly when the keys rose', () => {
    const position = restartedAfter(['k1', 'k2', 'k3']);
    assert.deepEqual(ids(position.take(users('k1', 'k2'))), []);
    position.end();
  });

  it('the last key gone in an order JavaScript does not share: PX_SCROLL_LOST at the end', () => {
    const position = restartedAfter(['a', 'B']);
    assert.deepEqual(ids(position.take(users('a', 'c'))), []);
    assert.throws(() => position.end(), lost);
  });

  it('the last key not found within the records read plus the slack: PX_SCROLL_LOST', () => {
    const position = restartedAfter(['b', 'a'], 1);
    // Unordered (b before a): nothing tells which records were read but the key itself.
    assert.throws(() => position.take(users('x', 'y', 'z', 'w')), lost);
  });

  it('a second restart carries on from the last key handed on after the first', () => {
    const position = restartedAfter(['a', 'b']);
    assert.deepEqual(ids(position.take(users('a', 'b', 'c'))), ['c']);
    position.restart();
    assert.deepEqual(ids(position.take(users('a', 'b', 'c', 'd'))), ['d']);
    assert.equal(position.read, 4);
  });

  it('a record without a string key is PX_INVALID_RESPONSE', () => {
    const position = new ScrollPosition('identifyId', 10);
    assert.throws(
      () => position.take([{ email: 'x@example.com' }]),
      (error) => isPxStreamError(error) && error.code === 'PX_INVALID_RESPONSE',
    );
  });
});
