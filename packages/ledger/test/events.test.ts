import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { openLedger } from '../src/index.js';
import { EVENTS, eventHash, tempDir } from './helpers/temp.js';

describe('events ledger', () => {
  it('takes an event from pending to confirmed, and never lets it be marked again', async () => {
    const dir = await tempDir();
    const ledger = await openLedger({ dir, target: EVENTS });
    const hash = eventHash(1);
    assert.equal(ledger.eventState(hash), undefined);
    assert.equal(await ledger.markPending(hash), true);
    assert.equal(ledger.eventState(hash), 'pending');
    assert.equal(
      await ledger.markPending(hash),
      false,
      'already in flight: a duplicate row must not be sent',
    );
    ledger.confirmEvent(hash);
    assert.equal(ledger.eventState(hash), 'confirmed');
    assert.equal(await ledger.markPending(hash), false, 'confirmed: never sent again');
    assert.equal(ledger.releaseEvent(hash), false, 'a confirmed event cannot be released');
    assert.deepEqual(ledger.counts(), {
      records: 0,
      pendingEvents: 0,
      confirmedEvents: 1,
      expiredEvents: 0,
      uncommitted: 1,
    });
    await ledger.close();
    const reopened = await openLedger({ dir, target: EVENTS, readOnly: true });
    assert.equal(reopened.eventState(hash), 'confirmed');
    await reopened.close();
  });

  it('releases a pending event that PX did not record, so a later run sends it', async () => {
    const dir = await tempDir();
    const ledger = await openLedger({ dir, target: EVENTS });
    const [sent, refused] = [eventHash(1), eventHash(2)];
    await Promise.all([ledger.markPending(sent), ledger.markPending(refused)]);
    assert.equal(ledger.counts().pendingEvents, 2);
    assert.equal(ledger.releaseEvent(refused), true);
    assert.equal(ledger.eventState(refused), undefined);
    assert.equal(ledger.releaseEvent(refused), false, 'nothing left to release');
    await ledger.close();
    const reopened = await openLedger({ dir, target: EVENTS });
    assert.equal(reopened.eventState(refused), undefined);
    assert.equal(reopened.eventState(sent), 'pending', 'never answered: still in doubt');
    assert.equal(await reopened.markPending(refused), true);
    await reopened.close();
  });

  it('writes many marks made at once in one commit, and each waits for it', async () => {
    const dir = await tempDir();
    const ledger = await openLedger({ dir, target: EVENTS });
    const marks = Array.from({ length: 500 }, (_, n) => ledger.markPending(eventHash(n)));
    assert.equal(ledger.counts().uncommitted, 500);
    assert.deepEqual(new Set(await Promise.all(marks)), new Set([true]));
    assert.equal(ledger.counts().uncommitted, 0);
    assert.equal(ledger.counts().pendingEvents, 500);
    await ledger.close();
  });

  it('keeps states through compaction, and tells events apart beyond their first 64 bits', async () => {
    const dir = await tempDir();
    let ledger = await openLedger({ dir, target: EVENTS });
    const hashes = Array.from({ length: 20_000 }, (_, n) => eventHash(n));
    // Same first 64 bits, different next 32: two different events.
    const twin = `${hashes[0]!.slice(0, 16)}${hashes[1]!.slice(16)}`;
    await Promise.all(hashes.map((hash) => ledger.markPending(hash)));
    hashes.forEach((hash, n) => {
      if (n % 2 === 0) ledger.confirmEvent(hash);
      else if (n % 3 === 0) ledger.releaseEvent(hash);
    });
    assert.equal(ledger.eventState(twin), undefined);
    await ledger.compact();
    await ledger.close();
    ledger = await openLedger({ dir, target: EVENTS, readOnly: true });
    const expected = (n: number) => (n % 2 === 0 ? 'confirmed' : n % 3 === 0 ? undefined : 'pending');
    assert.deepEqual(
      hashes
        .map((hash, n) => [n, ledger.eventState(hash)])
        .filter(([n, state]) => state !== expected(n as number)),
      [],
    );
    const pending = hashes.filter((_, n) => expected(n) === 'pending').length;
    assert.deepEqual(ledger.counts(), {
      records: 0,
      pendingEvents: pending,
      confirmedEvents: 10_000,
      expiredEvents: 0,
      uncommitted: 0,
    });
    await ledger.close();
  });
});
