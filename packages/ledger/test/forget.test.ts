/**
 * A records ledger forgetting ids PX deleted (by id or by fingerprint), durably through the
 * journal and a compaction, and telling the ids it holds that an input lacks.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { fingerprintWords, IdFingerprints, idFingerprint, openLedger } from '../src/index.js';
import { bodyHash, EVENTS, tempDir, USERS } from './helpers/temp.js';

const ids = (n: number, from = 0) => Array.from({ length: n }, (_, i) => `user-${from + i}`);

describe('forgetting records', () => {
  it('forget drops the entry at once and for good: after the journal replay, and after a compaction', async () => {
    const dir = await tempDir();
    let ledger = await openLedger({ dir, target: USERS });
    for (const id of ids(2000)) ledger.confirm(id, bodyHash(id));
    await ledger.close(); // the ids in the snapshot
    ledger = await openLedger({ dir, target: USERS });
    assert.equal(ledger.forget('user-7'), true);
    assert.equal(ledger.forget('user-7'), false, 'already forgotten: nothing written');
    assert.equal(ledger.forget('nobody'), false);
    assert.equal(ledger.lookup('user-7'), undefined);
    assert.equal(ledger.counts().records, 1999);
    await ledger.flush();
    ledger.confirm('user-9', bodyHash('user-9', 1));
    assert.equal(ledger.forgetFingerprint(idFingerprint('user-9')), true, 'by fingerprint, after a confirm');
    await ledger.close();
    ledger = await openLedger({ dir, target: USERS, readOnly: true });
    assert.equal(ledger.lookup('user-7'), undefined, 'the journal replays the forget');
    assert.equal(ledger.lookup('user-9'), undefined);
    assert.equal(ledger.lookup('user-8'), bodyHash('user-8').slice(0, 16));
    assert.equal(ledger.counts().records, 1998);
    await ledger.close();
    ledger = await openLedger({ dir, target: USERS });
    await ledger.compact();
    await ledger.close();
    ledger = await openLedger({ dir, target: USERS, readOnly: true });
    assert.equal(ledger.lookup('user-7'), undefined, 'the snapshot leaves it out');
    assert.equal(ledger.counts().records, 1998);
    await ledger.close();
  });

  it('a confirm after a forget holds again (a deleted user loaded again)', async () => {
    const dir = await tempDir();
    let ledger = await openLedger({ dir, target: USERS });
    ledger.confirm('u', bodyHash('u'));
    ledger.forget('u');
    ledger.confirm('u', bodyHash('u', 2));
    await ledger.close();
    ledger = await openLedger({ dir, target: USERS, readOnly: true });
    assert.equal(ledger.hasUnchanged('u', bodyHash('u', 2)), true);
    await ledger.close();
  });

  it('forget is for records ledgers only', async () => {
    const ledger = await openLedger({ dir: await tempDir(), target: EVENTS });
    assert.throws(() => ledger.forget('u'), { code: 'LEDGER_WRONG_KIND' });
    await ledger.close();
  });
});

describe('the ids a ledger holds that an input lacks', () => {
  it('counts them all, keeps the first `keep`, and their fingerprints forget them', async () => {
    const dir = await tempDir();
    const ledger = await openLedger({ dir, target: USERS });
    for (const id of ids(5000)) ledger.confirm(id, bodyHash(id));
    const file = new IdFingerprints();
    for (const id of [...ids(4990), 'not-in-the-ledger', 'user-1']) file.add(id);
    file.seal();
    assert.equal(file.size, 4991, 'repeats dropped');
    assert.equal(file.added, 4992);
    const missing = ledger.missingFrom(file, 4);
    assert.equal(missing.count, 10);
    assert.equal(missing.fingerprints.length, 4);
    const all = ledger.missingFrom(file);
    const expected = ids(10, 4990)
      .map(idFingerprint)
      .sort((a, b) => a - b);
    assert.deepEqual(
      [...all.fingerprints].sort((a, b) => a - b),
      expected,
    );
    for (const fingerprint of all.fingerprints) assert.equal(ledger.forgetFingerprint(fingerprint), true);
    assert.equal(ledger.missingFrom(file).count, 0);
    assert.equal(ledger.counts().records, 4990);
    await ledger.close();
  });

  it('fingerprints are 48 bits and round-trip through their words', () => {
    for (const id of ['a', 'user-1', 'a/b?c#d é', '名前', '']) {
      const fingerprint = idFingerprint(id);
      assert.ok(Number.isSafeInteger(fingerprint) && fingerprint < 2 ** 48);
      const { hi, lo } = fingerprintWords(fingerprint);
      assert.equal(hi * 65536 + (lo >>> 16), fingerprint);
    }
    const set = new IdFingerprints();
    for (let i = 0; i < 3000; i++) set.add(`id-${i % 1000}`);
    set.seal();
    assert.equal(set.size, 1000);
    assert.equal(set.has('id-999'), true);
    assert.equal(set.has('id-1000'), false);
  });
});
