import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  MIN_EVIDENCE,
  SWITCH_AT,
  type UpsertOutcome,
  WINDOW,
  type WriteChoice,
  WriteOrder,
} from '../src/write-order.js';

/** A choice that must be given at once (not a wait for evidence). */
function now(choice: WriteChoice | Promise<WriteChoice>): WriteChoice {
  assert.ok(!(choice instanceof Promise), 'the choice waits');
  return choice;
}

/** `n` rows decided by the window, each ending `outcome`. */
function rows(order: WriteOrder, n: number, outcome: UpsertOutcome): void {
  for (let i = 0; i < n; i++) now(order.choose(`id-${i}`)).learned(outcome);
}

describe('write order: which write an insert-missing row tries first', () => {
  it('starts PUT first and turns to POST first once most rows found their id missing', () => {
    const order = new WriteOrder();
    const first = now(order.choose('a'));
    assert.equal(first.first, 'PUT');
    first.learned('inserted');
    rows(order, MIN_EVIDENCE - 2, 'inserted');
    const last = now(order.choose('b'));
    assert.equal(last.first, 'PUT', 'too little evidence yet');
    last.learned('inserted');
    assert.equal(now(order.choose('c')).first, 'POST');
    // Back to PUT once most of the window found its id.
    rows(order, WINDOW, 'updated');
    assert.equal(order.current, 'PUT');
  });

  it('keeps its order over a mix near 1/2, and switches past SWITCH_AT', () => {
    const order = new WriteOrder();
    for (let i = 0; i < WINDOW; i++) rows(order, 1, i % 2 === 0 ? 'inserted' : 'updated');
    assert.equal(order.current, 'PUT', 'either order costs the same at 1/2');
    // Missing ids from now on: POST first from SWITCH_AT of the window, not before.
    const needed = Math.ceil(WINDOW * SWITCH_AT) - WINDOW / 2;
    for (let i = 0; i < 2 * needed - 1; i++) rows(order, 1, 'inserted');
    assert.equal(order.current, 'PUT');
    rows(order, 1, 'inserted');
    assert.equal(order.current, 'POST');
  });

  it('cold: MIN_EVIDENCE probes go out, the next rows wait for their answers', async () => {
    const order = new WriteOrder();
    const probes = Array.from({ length: MIN_EVIDENCE }, (_, i) => now(order.choose(`p-${i}`)));
    const waiting = order.choose('w');
    assert.ok(waiting instanceof Promise);
    let decided: WriteChoice | undefined;
    void waiting.then((choice) => (decided = choice));
    // A probe that ends with nothing to learn (rejected) makes room for one more probe.
    probes[0]!.learned('rejected');
    await new Promise((resolve) => setImmediate(resolve));
    assert.equal(decided?.first, 'PUT', 'the waiting row went out as a probe');
    // With evidence in, no more probes: the others wait until the window decides.
    for (const probe of probes.slice(1)) probe.learned('inserted');
    assert.ok(order.choose('x') instanceof Promise, 'probes out + evidence in = MIN_EVIDENCE');
    decided!.learned('inserted');
    assert.equal(now(order.choose('y')).first, 'POST');
  });

  it('an id the caller knows goes PUT first, waits for nothing and teaches nothing', () => {
    const order = new WriteOrder((id) => id.startsWith('known'));
    rows(order, MIN_EVIDENCE, 'inserted');
    const known = now(order.choose('known-1'));
    assert.equal(known.first, 'PUT');
    known.learned('updated');
    assert.equal(now(order.choose('hinted', true)).first, 'PUT');
    assert.equal(now(order.choose('other')).first, 'POST', 'the window saw only the unknown ids');
  });
});
