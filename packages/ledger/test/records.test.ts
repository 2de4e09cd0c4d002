import assert from 'node:assert/strict';
import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { openLedger } from '../src/index.js';
import { bodyHash, EVENTS, tempDir, USERS } from './helpers/temp.js';

describe('records ledger', () => {
  it('answers unchanged only for the confirmed hash of that id, and lookup returns its first 64 bits', async () => {
    const ledger = await openLedger({ dir: await tempDir(), target: USERS });
    ledger.confirm('user-1', bodyHash('user-1'));
    assert.equal(ledger.hasUnchanged('user-1', bodyHash('user-1')), true);
    assert.equal(ledger.hasUnchanged('user-1', bodyHash('user-1', 2)), false, 'another body of the same id');
    assert.equal(
      ledger.hasUnchanged('user-2', bodyHash('user-1')),
      false,
      'the same body hash under another id',
    );
    assert.equal(ledger.hasUnchanged('user-2', bodyHash('user-2')), false, 'never confirmed');
    assert.equal(ledger.lookup('user-1'), bodyHash('user-1').slice(0, 16));
    assert.equal(ledger.lookup('user-2'), undefined);
    await ledger.close();
  });

  it('sees a confirm at once, before its group commit reaches the disk (the overlay)', async () => {
    const dir = await tempDir();
    const ledger = await openLedger({ dir, target: USERS, commitDelayMs: 60_000 });
    ledger.confirm('user-1', bodyHash('user-1'));
    ledger.confirm('user-1', bodyHash('user-1', 1)); // a later row of the same id, same run
    assert.equal(ledger.counts().uncommitted, 2);
    assert.equal(ledger.hasUnchanged('user-1', bodyHash('user-1', 1)), true);
    assert.equal(ledger.hasUnchanged('user-1', bodyHash('user-1')), false);
    assert.equal((await stat(join(dir, 'journal.bin'))).size, 16, 'nothing but the header written yet');
    await ledger.flush();
    assert.equal(ledger.counts().uncommitted, 0);
    assert.ok((await stat(join(dir, 'journal.bin'))).size > 16);
    await ledger.close();
  });

  it('answers unchangedMany exactly as hasUnchanged, row by row, across batches and the overlay', async () => {
    const dir = await tempDir();
    let ledger = await openLedger({ dir, target: USERS });
    for (let i = 0; i < 3000; i++) ledger.confirm(`user-${i}`, bodyHash(`user-${i}`));
    await ledger.close(); // into the snapshot (the base)
    ledger = await openLedger({ dir, target: USERS, commitDelayMs: 60_000 });
    for (let i = 0; i < 3000; i += 7) ledger.confirm(`user-${i}`, bodyHash(`user-${i}`, 1)); // overlay
    const ids = Array.from({ length: 1000 }, (_, j) => `user-${(j * 37) % 3500}`); // some never confirmed
    const hashes = ids.map((id, j) => bodyHash(id, j % 3 === 0 ? 1 : 0));
    const one = ids.map((id, j) => (ledger.hasUnchanged(id, hashes[j]!) ? 1 : 0));
    assert.deepEqual([...ledger.unchangedMany(ids, hashes)], one);
    assert.ok(one.includes(1) && one.includes(0), 'both answers occur');
    await ledger.close();
  });

  it('does not journal a confirm that changes nothing', async () => {
    const ledger = await openLedger({ dir: await tempDir(), target: USERS, commitDelayMs: 60_000 });
    ledger.confirm('user-1', bodyHash('user-1'));
    await ledger.flush();
    ledger.confirm('user-1', bodyHash('user-1'));
    assert.equal(ledger.counts().uncommitted, 0);
    await ledger.close();
  });

  it('keeps every entry across close and reopen, through merges and compactions', async () => {
    const dir = await tempDir();
    const ids = Array.from({ length: 30_000 }, (_, i) => `user-${String(i * 7).padStart(10, '0')}`);
    let ledger = await openLedger({ dir, target: USERS });
    for (const [i, id] of ids.entries()) ledger.confirm(id, bodyHash(id, i % 3));
    await ledger.close(); // journal far larger than the (absent) snapshot: compacts
    assert.equal((await stat(join(dir, 'journal.bin'))).size, 16, 'compaction leaves an empty journal');

    ledger = await openLedger({ dir, target: USERS });
    assert.equal(ledger.counts().records, ids.length);
    for (const [i, id] of ids.entries()) if (i % 10 === 0) ledger.confirm(id, bodyHash(id, 9));
    await ledger.close(); // a small journal: kept, replayed on the next open
    assert.ok((await stat(join(dir, 'journal.bin'))).size > 16, 'the second run stays in the journal');

    ledger = await openLedger({ dir, target: USERS, readOnly: true });
    assert.equal(ledger.counts().records, ids.length);
    const wrong = ids.filter((id, i) => !ledger.hasUnchanged(id, bodyHash(id, i % 10 === 0 ? 9 : i % 3)));
    assert.deepEqual(wrong, []);
    assert.equal(ledger.hasUnchanged(ids[0]!, bodyHash(ids[0]!, 0)), false, 'the old hash no longer matches');
    await ledger.close();
  });

  it('refuses writes when read-only, event calls on records, and hashes that are not hex', async () => {
    const dir = await tempDir();
    const writable = await openLedger({ dir, target: USERS });
    assert.throws(() => writable.eventState(bodyHash('x')), { code: 'LEDGER_WRONG_KIND' });
    assert.throws(() => writable.confirm('user-1', 'not-a-hash'), { code: 'LEDGER_INVALID_HASH' });
    assert.throws(() => writable.hasUnchanged('user-1', 'abc'), { code: 'LEDGER_INVALID_HASH' });
    await writable.close();
    assert.throws(() => writable.hasUnchanged('user-1', bodyHash('user-1')), { code: 'LEDGER_CLOSED' });
    const reader = await openLedger({ dir, target: USERS, readOnly: true });
    assert.throws(() => reader.confirm('user-1', bodyHash('user-1')), { code: 'LEDGER_READ_ONLY' });
    await reader.close();
  });

  it('refuses a ledger made for another target, writable or read-only, and keeps its own target', async () => {
    const dir = await tempDir();
    await (await openLedger({ dir, target: USERS })).close();
    const elsewhere = { ...USERS, baseUrl: 'https://api-eu.aptrinsic.com/v1' };
    for (const target of [elsewhere, { ...USERS, productKeys: ['AP-OTHER-2'] }, EVENTS]) {
      await assert.rejects(openLedger({ dir, target }), { code: 'LEDGER_TARGET_MISMATCH' });
      await assert.rejects(openLedger({ dir, target, readOnly: true }), { code: 'LEDGER_TARGET_MISMATCH' });
    }
    // The same target written differently is the same target.
    const same = {
      ...USERS,
      baseUrl: 'HTTPS://API.aptrinsic.com/v1/',
      productKeys: ['AP-TEST-1', 'AP-TEST-1'],
    };
    await (await openLedger({ dir, target: same })).close();
    const meta = JSON.parse(await readFile(join(dir, 'ledger.json'), 'utf8'));
    assert.deepEqual(meta.target, USERS);
  });

  it('refuses a second writer while the first holds the ledger', async () => {
    const dir = await tempDir();
    const first = await openLedger({ dir, target: USERS });
    await assert.rejects(openLedger({ dir, target: USERS }), { code: 'LEDGER_LOCKED' });
    const reader = await openLedger({ dir, target: USERS, readOnly: true }); // readers need no lock
    await reader.close();
    await first.close();
    await (await openLedger({ dir, target: USERS })).close();
  });
});
