import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isPxStreamError } from '@pxstream/core';
import { ScrollPosition } from '../src/position.js';

const users = (...ids: string[]) => ids.map((identifyId) => ({ identifyId }));
const ids = (records: Array<{ identifyId?: unknown }>) => records.map((r) => r.identifyId);

/** A position that has handed on `read`, then restarts. */
function restartedAfter(read: string[]): ScrollPosition {
  const position = new ScrollPosition('identifyId');
  assert.deepEqual(ids(position.take(users(...read))), read);
  position.restart();
  return position;
}

const lost = (error: unknown) => isPxStreamError(error) && error.code === 'PX_SCROLL_LOST';

describe('ScrollPosition: a new scroll past the last key, without a record twice', () => {
  it('hands every record on while no restart happened, and counts them', () => {
    const position = new ScrollPosition('identifyId');
    assert.deepEqual(ids(position.take(users('a', 'b', 'c'))), ['a', 'b', 'c']);
    assert.deepEqual(position.filters(['plan==gold']), ['plan==gold'], 'no bound before a restart');
    assert.equal(position.read, 3);
    assert.equal(position.skipped, 0);
  });

  it('a restart before anything was read asks for the same query and drops nothing', () => {
    const position = new ScrollPosition('identifyId');
    position.restart();
    assert.deepEqual(position.filters([]), []);
    assert.deepEqual(ids(position.take(users('a', 'b'))), ['a', 'b']);
  });

  it('the new scroll is filtered from the last key on, ANDed into each filter (ORed)', () => {
    const position = restartedAfter(['u1', 'u2']);
    assert.deepEqual(position.filters([]), ['identifyId>=u2']);
    assert.deepEqual(position.filters(['plan==gold', 'score>3']), [
      'plan==gold;identifyId>=u2',
      'score>3;identifyId>=u2',
    ]);
    // `>=` gives the last key again: dropped; the rest handed on.
    assert.deepEqual(ids(position.take(users('u2', 'u3'))), ['u3']);
    assert.equal(position.skipped, 1);
  });

  it('keys equal ignoring case: the ones handed on are dropped by name, the others kept', () => {
    const position = restartedAfter(['a', 'B', 'b']);
    assert.deepEqual(position.filters([]), ['identifyId>=b']);
    assert.deepEqual(ids(position.take(users('b', 'B', 'b2', 'c'))), ['b2', 'c']);
  });

  it('a key with `;` or a space is cut there: the records between the cut and the key are dropped', () => {
    const position = restartedAfter(['a;1', 'a;3 x']);
    assert.deepEqual(position.filters([]), ['identifyId>=a']);
    assert.deepEqual(ids(position.take(users('a;1', 'a;2', 'a;3 x', 'a;4', 'b'))), ['a;4', 'b']);
    assert.equal(position.skipped, 3);
    const spaced = restartedAfter([' lead']);
    assert.deepEqual(spaced.filters([]), [], 'nothing left of the bound: the whole list again');
    assert.deepEqual(ids(spaced.take(users(' lead', 'z'))), ['z']);
  });

  it('past the last key, a lower key is handed on (it is new to this read)', () => {
    const position = restartedAfter(['k1', 'k3']);
    assert.deepEqual(ids(position.take(users('k4', 'k2'))), ['k4', 'k2']);
  });

  it('a second restart starts from the last key handed on after the first', () => {
    const position = restartedAfter(['a', 'b']);
    assert.deepEqual(ids(position.take(users('b', 'c'))), ['c']);
    position.restart();
    assert.deepEqual(position.filters([]), ['identifyId>=c']);
    assert.deepEqual(ids(position.take(users('c', 'd'))), ['d']);
    assert.equal(position.read, 4);
  });

  it('PX sorting otherwise than its filters compare: PX_SCROLL_LOST at the restart', () => {
    const position = new ScrollPosition('identifyId');
    position.take(users('b', 'a'));
    assert.throws(() => position.restart(), lost);
  });

  it('a record without a string key is PX_INVALID_RESPONSE', () => {
    const position = new ScrollPosition('identifyId');
    assert.throws(
      () => position.take([{ email: 'x@example.com' }]),
      (error) => isPxStreamError(error) && error.code === 'PX_INVALID_RESPONSE',
    );
  });
});
