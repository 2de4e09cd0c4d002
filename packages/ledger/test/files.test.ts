import assert from 'node:assert/strict';
import { appendFile, copyFile, open, readFile, stat, truncate, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { openLedger } from '../src/index.js';
import { bodyHash, tempDir, USERS } from './helpers/temp.js';

/** A ledger whose journal holds `batches` frames of 10 confirms each (user-0, user-1, ...). */
async function journalOf(batches: number): Promise<string> {
  const dir = await tempDir();
  const ledger = await openLedger({ dir, target: USERS, commitDelayMs: 60_000 });
  for (let b = 0; b < batches; b++) {
    for (let i = b * 10; i < b * 10 + 10; i++) ledger.confirm(`user-${i}`, bodyHash(`user-${i}`));
    await ledger.flush();
  }
  await ledger.close(); // 10 frames stay a journal (too small to compact)
  return dir;
}

async function present(dir: string, upTo: number): Promise<number[]> {
  const ledger = await openLedger({ dir, target: USERS, readOnly: true });
  const found = Array.from({ length: upTo }, (_, i) => i).filter((i) =>
    ledger.hasUnchanged(`user-${i}`, bodyHash(`user-${i}`)),
  );
  await ledger.close();
  return found;
}

const FRAME = 8 + 10 * 17; // one frame of 10 ops
const HEADER = 16;

describe('ledger files after a crash or damage', () => {
  it('drops a torn last frame (cut short), keeps the frames before it, and truncates it on a writable open', async () => {
    const dir = await journalOf(3);
    const journal = join(dir, 'journal.bin');
    assert.equal((await stat(journal)).size, HEADER + 3 * FRAME);
    await truncate(journal, HEADER + 2 * FRAME + 50);
    assert.deepEqual(
      await present(dir, 40),
      Array.from({ length: 20 }, (_, i) => i),
    );
    await (await openLedger({ dir, target: USERS })).close();
    assert.equal((await stat(journal)).size, HEADER + 2 * FRAME);
  });

  it('treats a frame followed only by zeros as torn (a file extended but not written)', async () => {
    const dir = await journalOf(2);
    const journal = join(dir, 'journal.bin');
    const handle = await open(journal, 'r+');
    await handle.write(Buffer.alloc(40), 0, 40, HEADER + FRAME + 20); // damage the second frame
    await handle.close();
    await appendFile(journal, Buffer.alloc(4096));
    assert.deepEqual(
      await present(dir, 30),
      Array.from({ length: 10 }, (_, i) => i),
    );
  });

  it('refuses a damaged frame with good data after it (not a torn append): LEDGER_CORRUPT', async () => {
    const dir = await journalOf(3);
    const journal = join(dir, 'journal.bin');
    const bytes = await readFile(journal);
    bytes[HEADER + FRAME + 30]! ^= 0xff;
    await writeFile(journal, bytes);
    await assert.rejects(openLedger({ dir, target: USERS, readOnly: true }), { code: 'LEDGER_CORRUPT' });
    await assert.rejects(openLedger({ dir, target: USERS }), { code: 'LEDGER_CORRUPT' });
  });

  it('refuses a snapshot that fails its checksum: LEDGER_CORRUPT', async () => {
    const dir = await tempDir();
    const ledger = await openLedger({ dir, target: USERS });
    for (let i = 0; i < 5000; i++) ledger.confirm(`user-${i}`, bodyHash(`user-${i}`));
    await ledger.close();
    const snapshot = join(dir, 'snapshot.bin');
    const bytes = await readFile(snapshot);
    bytes[bytes.length - 100]! ^= 0x01;
    await writeFile(snapshot, bytes);
    await assert.rejects(openLedger({ dir, target: USERS, readOnly: true }), { code: 'LEDGER_CORRUPT' });
  });

  it('ignores the old journal when a crash came between the new snapshot and the new journal', async () => {
    const dir = await journalOf(2);
    const journal = join(dir, 'journal.bin');
    await copyFile(journal, `${journal}.old`);
    const ledger = await openLedger({ dir, target: USERS });
    ledger.confirm('user-0', bodyHash('user-0', 5)); // changed after the old journal
    await ledger.compact();
    await ledger.close();
    await copyFile(`${journal}.old`, journal); // as if the crash came before the journal was replaced
    const reopened = await openLedger({ dir, target: USERS });
    assert.equal(
      reopened.hasUnchanged('user-0', bodyHash('user-0', 5)),
      true,
      'the old journal was replayed',
    );
    assert.equal(reopened.counts().records, 20);
    await reopened.close();
    assert.equal((await stat(journal)).size, HEADER, 'the stale journal is replaced by an empty one');
  });

  it('takes over the lock of a process that died, refuses that of a live one', async () => {
    const dir = await journalOf(1);
    await writeFile(join(dir, 'lock'), JSON.stringify({ pid: 2 ** 22 + 12345, host: hostname() }));
    await (await openLedger({ dir, target: USERS })).close();
    await writeFile(join(dir, 'lock'), JSON.stringify({ pid: process.ppid, host: hostname() }));
    await assert.rejects(openLedger({ dir, target: USERS }), { code: 'LEDGER_LOCKED' });
  });
});
