// Run by crash.test.ts in a child process, which it SIGKILLs mid-way. Confirms (or marks) in
// a fixed order and prints what it knows to be committed, so the parent can check the ledger
// it finds on reopening against it.
//   records DIR: confirms user-0, user-1, ... ; prints "flushed N" after each flush
//   compact DIR: the same, with a compaction every 3,000 confirms ("compacting" before it)
//   events DIR:  marks 20 events pending at a time ("pending N" once they are on disk), waits
//                a little (the requests), settles them (even: confirmed; n % 10 = 1: released;
//                others: left in doubt) and flushes ("settled N")
import { openLedger } from '../../src/index.js';
import { bodyHash, EVENTS, eventHash, USERS } from './temp.js';

const [mode, dir] = process.argv.slice(2) as [string, string];
const say = (line: string) => process.stdout.write(`${line}\n`);
const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

if (mode === 'events') {
  const ledger = await openLedger({ dir, target: EVENTS });
  for (let start = 0; start < 1_000_000; start += 20) {
    const group = Array.from({ length: 20 }, (_, k) => start + k);
    await Promise.all(group.map((n) => ledger.markPending(eventHash(n))));
    say(`pending ${start + 20}`);
    await pause(2);
    for (const n of group) {
      if (n % 2 === 0) ledger.confirmEvent(eventHash(n));
      else if (n % 10 === 1) ledger.releaseEvent(eventHash(n));
    }
    await ledger.flush();
    say(`settled ${start + 20}`);
  }
} else {
  const ledger = await openLedger({ dir, target: USERS, maxBatch: 50, commitDelayMs: 5 });
  for (let i = 0; i < 1_000_000; i++) {
    ledger.confirm(`user-${i}`, bodyHash(`user-${i}`));
    if (i % 50 === 49) await new Promise(setImmediate);
    if (i % 500 === 499) {
      await ledger.flush();
      say(`flushed ${i + 1}`);
    }
    if (mode === 'compact' && i % 3000 === 2999) {
      say('compacting');
      await ledger.compact();
    }
  }
}
