/**
 * Each fault kind happens at its configured rate with a fixed seed, the same seed gives the
 * same run, and what a fault applies is exactly what px-api.md says: nothing, except a
 * reset-after-processing (applied, answer lost) and a trickle (applied, answered slowly).
 * Custom events and preferences get the same faults (issue 9).
 */
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { type EmulatorHandle, type FaultOptions, startEmulator } from '@pxstream/emulator';
import { client, dump, user } from './client.js';

type Kind = 'serverError' | 'resetBefore' | 'resetAfter' | 'hang' | 'trickle';
/** A status, `reset` when the connection died, `aborted` when the client gave up waiting. */
type Outcome = number | 'reset' | 'aborted';

const N = 100;
/** A fault that wrongly hangs must fail a test, not stall the suite. */
const LIMIT = { timeout: 60_000 };
const RATE = 0.2;
/** Sequential requests of the stacked-kinds test, each kind at 0.1: about 20 of each. */
const SEQUENCE = 200;

/** Sends `N` creates at once; hung requests are aborted once every other one has settled. */
async function burst(px: EmulatorHandle, prefix: string): Promise<Outcome[]> {
  const controller = new AbortController();
  let settledCount = 0;
  const sent = Array.from({ length: N }, (_, i) =>
    fetch(`${px.baseUrl}/users`, {
      method: 'POST',
      headers: { 'x-aptrinsic-api-key': px.apiKey, 'content-type': 'application/json' },
      body: JSON.stringify(user(`${prefix}${i}`)),
      signal: controller.signal,
    })
      .then(
        async (response): Promise<Outcome> => {
          await response.arrayBuffer();
          return response.status;
        },
        (error: Error): Outcome => (error.name === 'AbortError' ? 'aborted' : 'reset'),
      )
      .finally(() => settledCount++),
  );
  const drawn = () => Object.values(px.stats().byRoute['POST /v1/users'] ?? {}).reduce((a, b) => a + b, 0);
  // Until every request got its draw and every one not hung has settled: counted, not timed (a
  // deadline cut short on a busy machine would abort answers on their way). A request that
  // wrongly hangs makes the test time out (LIMIT).
  while (drawn() < N || settledCount < N - px.stats().faults.hang) await sleep(5);
  controller.abort();
  return Promise.all(sent);
}

const tally = (outcomes: Outcome[], test: (o: Outcome) => boolean) => outcomes.filter(test).length;
const is5xx = (o: Outcome) => typeof o === 'number' && o >= 500;

/** [kind, what the client sees for a faulted request, whether the write is applied] */
const KINDS: Array<[Kind, (o: Outcome) => boolean, boolean]> = [
  ['serverError', is5xx, false],
  ['resetBefore', (o) => o === 'reset', false],
  ['resetAfter', (o) => o === 'reset', true],
  ['hang', (o) => o === 'aborted', false],
  ['trickle', (o) => o === 201, true],
];

describe('each fault at its configured rate, with a fixed seed', () => {
  const started: EmulatorHandle[] = [];
  after(() => Promise.all(started.map((px) => px.close())));

  for (const [kind, seen, applied] of KINDS) {
    it(
      `${kind} at ${RATE}: about ${N * RATE} of ${N}, the same count again from the same seed`,
      LIMIT,
      async () => {
        const faults: FaultOptions = {
          seed: 1234,
          [kind]: RATE,
          trickleChunkDelayMs: 1,
          trickleChunkBytes: 64,
        };
        const px = await startEmulator({ rateLimit: false, faults });
        started.push(px);
        const first = await burst(px, 'a');
        const stats = px.stats();
        const faulted = stats.faults[kind];
        assert.ok(faulted >= N * RATE * 0.6 && faulted <= N * RATE * 1.4, `${faulted} ${kind} of ${N}`);
        for (const other of KINDS.map(([k]) => k).filter((k) => k !== kind))
          assert.equal(stats.faults[other], 0);
        if (kind === 'trickle') assert.equal(tally(first, seen), N, 'a trickled answer is the right answer');
        else assert.equal(tally(first, seen), faulted, 'the client sees each fault');
        assert.equal(tally(first, (o) => o === 201) + (kind === 'trickle' ? 0 : faulted), N);
        assert.equal(stats.records.users, applied ? N : N - faulted);
        assert.equal(stats.created.users, applied ? N : N - faulted);

        px.reset();
        await burst(px, 'b');
        assert.equal(px.stats().faults[kind], faulted, 'same seed, same number of faults');
        px.configure({ faults: { ...faults, seed: 99 } });
        px.reset();
        await burst(px, 'c');
        assert.ok(px.stats().faults[kind] >= N * RATE * 0.6, 'another seed, the same rate');
      },
    );
  }

  it(
    'stacked kinds each keep their own rate, and the same seed repeats the exact sequence',
    LIMIT,
    async () => {
      const faults = { seed: 5, serverError: 0.1, resetBefore: 0.1, resetAfter: 0.1, trickle: 0.1 };
      const px = await startEmulator({ rateLimit: false, faults: { ...faults, trickleChunkDelayMs: 1 } });
      started.push(px);
      const call = client(px);
      const sequence = async (prefix: string) => {
        const out: Outcome[] = [];
        for (let i = 0; i < SEQUENCE; i++) {
          const reply = call('POST', '/v1/users', user(`${prefix}${i}`));
          out.push(
            await reply.then(
              (r): Outcome => r.status,
              (): Outcome => 'reset',
            ),
          );
        }
        return out;
      };
      const first = await sequence('s');
      const counts = px.stats().faults;
      for (const kind of ['serverError', 'resetBefore', 'resetAfter', 'trickle'] as const) {
        assert.ok(counts[kind] >= 10 && counts[kind] <= 30, `${kind}: ${counts[kind]} of ${SEQUENCE}`);
      }
      assert.equal(
        tally(first, (o) => o === 'reset'),
        counts.resetBefore + counts.resetAfter,
      );
      px.reset();
      assert.deepEqual(await sequence('s'), first);
    },
  );
});

describe('custom events and preferences get the same faults', () => {
  const started: EmulatorHandle[] = [];
  after(() => Promise.all(started.map((px) => px.close())));
  const event = { identifyId: 'u1', eventName: 'clicked', propertyKey: 'AP-TEST-1' };

  /** [fault, event recorded, preference applied] */
  const table: Array<[Kind, boolean]> = [
    ['resetAfter', true],
    ['resetBefore', false],
    ['serverError', false],
  ];
  for (const [kind, applied] of table) {
    it(`${kind}: the event and the preference are ${applied ? '' : 'not '}applied`, LIMIT, async () => {
      const px = await startEmulator({ rateLimit: false });
      started.push(px);
      const call = client(px);
      assert.equal((await call('POST', '/v1/users', user('u1'))).status, 201);
      px.configure({ faults: { [kind]: 1 } });
      const answer = (r: { status: number }) => r.status;
      const posted = await call('POST', '/v1/events/custom', event).then(answer, () => 'reset');
      const put = await call('PUT', '/v1/user/preferences/u1', { surveys: true }).then(answer, () => 'reset');
      for (const outcome of [posted, put]) {
        if (kind === 'serverError') assert.ok(is5xx(outcome as Outcome), String(outcome));
        else assert.equal(outcome, 'reset');
      }
      assert.deepEqual(await dump(px, 'events'), applied ? [event] : []);
      assert.deepEqual(await dump(px, 'preferences'), applied ? [{ identifyId: 'u1', surveys: true }] : []);
      assert.equal(px.stats().created.events, applied ? 1 : 0);
    });
  }
});
