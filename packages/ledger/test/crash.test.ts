import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { describe, it } from 'node:test';
import { openLedger } from '../src/index.js';
import { bodyHash, EVENTS, eventHash, runTs, tempDir, USERS } from './helpers/temp.js';

const CHILD = new URL('./helpers/crash-child.ts', import.meta.url).pathname;

/**
 * Runs the crash child and SIGKILLs it once `ready` accepts a line it printed (after a random
 * 0-15 ms, to land anywhere in its work). Returns the last number each kind of line carried.
 */
async function runAndKill(
  mode: string,
  dir: string,
  ready: (line: string, last: Record<string, number>) => boolean,
) {
  const child = spawn(process.execPath, [...runTs(CHILD), mode, dir], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const last: Record<string, number> = {};
  let killing = false;
  let buffered = '';
  child.stdout.on('data', (chunk: Buffer) => {
    buffered += chunk.toString();
    const lines = buffered.split('\n');
    buffered = lines.pop()!;
    for (const line of lines) {
      const [word, value] = line.split(' ');
      if (killing) continue; // printed after the kill was decided: may or may not be true on disk
      last[word!] = Number(value ?? 0);
      if (ready(line, last)) {
        killing = true;
        setTimeout(() => child.kill('SIGKILL'), Math.random() * 15);
      }
    }
  });
  const signal = await new Promise((resolve) => child.on('exit', (_code, sig) => resolve(sig)));
  assert.equal(signal, 'SIGKILL', 'the child must die by SIGKILL, mid-way');
  return last;
}

/** The length of the prefix user-0, user-1, ... present with the right hash. */
function confirmedPrefix(ledger: Awaited<ReturnType<typeof openLedger>>): number {
  let m = 0;
  while (ledger.hasUnchanged(`user-${m}`, bodyHash(`user-${m}`))) m++;
  return m;
}

describe('a ledger after kill -9', () => {
  for (const mode of ['records', 'records', 'compact', 'compact']) {
    it(`${mode}: keeps every flushed confirm, only a prefix of confirms, nothing else (reopens cleanly)`, async () => {
      const dir = await tempDir();
      const threshold = 2_000 + Math.floor(Math.random() * 8) * 500;
      // compact: killed just after a compaction starts (so often during it)
      const ready = (line: string, seen: Record<string, number>) =>
        mode === 'compact'
          ? line === 'compacting' && (seen.flushed ?? 0) >= threshold
          : flushedAtLeast(line, threshold);
      const last = await runAndKill(mode, dir, ready);
      const ledger = await openLedger({ dir, target: USERS }); // writable: takes over the dead lock
      const m = confirmedPrefix(ledger);
      assert.ok(m >= (last.flushed ?? 0), `prefix ${m} shorter than the ${last.flushed} flushed`);
      assert.equal(ledger.counts().records, m, 'an entry outside the prefix of confirms');
      for (let i = m; i < m + 1000; i++) assert.equal(ledger.lookup(`user-${i}`), undefined);
      await ledger.close();
    });
  }

  it('events: marks on disk survive as pending (in doubt), settled states hold, nothing else exists', async () => {
    const dir = await tempDir();
    const last = await runAndKill('events', dir, (line) =>
      flushedAtLeast(line.replace('pending', 'flushed'), 400),
    );
    const ledger = await openLedger({ dir, target: EVENTS, readOnly: true });
    const settled = last.settled ?? 0;
    const marked = last.pending ?? 0;
    assert.ok(marked >= 400 && settled >= marked - 20);
    const final = (n: number) => (n % 2 === 0 ? 'confirmed' : n % 10 === 1 ? undefined : 'pending');
    // Marks were made in order: those on disk are the events [0, end) (released ones aside).
    let end = 0;
    while (ledger.eventState(eventHash(end)) !== undefined || end % 10 === 1) end++;
    assert.ok(end >= marked, `only ${end} events marked, ${marked} were reported on disk`);
    let pending = 0;
    let confirmed = 0;
    for (let n = 0; n < end + 2000; n++) {
      const state = ledger.eventState(eventHash(n));
      if (state === 'pending') pending++;
      if (state === 'confirmed') confirmed++;
      if (n < settled) assert.equal(state, final(n), `event ${n}, settled before the kill`);
      else if (n < end) assert.ok(state === 'pending' || state === final(n), `event ${n}, marked: ${state}`);
      else assert.equal(state, undefined, `event ${n} was never marked`);
    }
    assert.deepEqual([ledger.counts().pendingEvents, ledger.counts().confirmedEvents], [pending, confirmed]);
    await ledger.close();
  });
});

function flushedAtLeast(line: string, threshold: number): boolean {
  const [word, value] = line.split(' ');
  return word === 'flushed' && Number(value) >= threshold;
}
