/**
 * A discrete-event simulation of one load through the sink's limiter, in virtual time, to
 * compare control laws on the bench's cases in seconds instead of hours: the real `ControlLaw`
 * (or botocore's, see botocore.ts) behind a model of the start gate (grid with catch-up, at most
 * floor(rate) starts in any 1005 ms, pauses), the in-flight cap, 40 ms of latency, rows of one
 * PUT or a PUT 404 then a POST, and a PX server: a token bucket, a sliding or a fixed window,
 * another client, random throttles with `Retry-After: 1`, answering a limit's 429 at once.
 * Delivery is jittered (exponential, mean `jitterMs`) and the server stalls now and then
 * (`stallsPerSecond`, exponential length `stallMs`): arrivals during a stall are seen at its end,
 * which is what makes a strict window refuse a client that never sent too many. Defaults were
 * fitted to a fixed-rate probe of the emulator's sliding window (200/s refused in 14 of 60
 * half-seconds; 196/s and below: none in 30 s). It is a model: the bench measures.
 */

export interface SimLaw {
  readonly epoch: number;
  rate(now: number): number;
  throttled(now: number, epoch: number): string;
  succeeded(now: number): boolean;
  paused(until: number): void;
}

export interface Scenario {
  shape: 'bucket' | 'sliding' | 'fixed';
  limit: number;
  other: number;
  throttle: number;
  rate: number;
  rows: number;
  latencyMs: number;
  jitterMs: number;
  stallsPerSecond: number;
  stallMs: number;
  seed: number;
}

export interface SimResult {
  seconds: number;
  admitted: number;
  http429: number;
  requests: number;
  verdicts: string[];
}

function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let x = Math.imul(a ^ (a >>> 15), a | 1);
    x ^= x + Math.imul(x ^ (x >>> 7), x | 61);
    return ((x ^ (x >>> 14)) >>> 0) / 4294967296;
  };
}

/** Events by time (then by order of scheduling). */
class Agenda {
  private heap: Array<{ at: number; seq: number; run: () => void }> = [];
  private seq = 0;

  add(at: number, run: () => void): void {
    const heap = this.heap;
    heap.push({ at, seq: this.seq++, run });
    for (let i = heap.length - 1; i > 0; ) {
      const parent = (i - 1) >> 1;
      if (!this.before(i, parent)) break;
      [heap[parent], heap[i]] = [heap[i]!, heap[parent]!];
      i = parent;
    }
  }

  next(): { at: number; run: () => void } | undefined {
    const heap = this.heap;
    const top = heap[0];
    const last = heap.pop();
    if (!top || !last) return undefined;
    if (heap.length > 0) {
      heap[0] = last;
      for (let i = 0; ; ) {
        const l = 2 * i + 1;
        let m = i;
        if (l < heap.length && this.before(l, m)) m = l;
        if (l + 1 < heap.length && this.before(l + 1, m)) m = l + 1;
        if (m === i) break;
        [heap[m], heap[i]] = [heap[i]!, heap[m]!];
        i = m;
      }
    }
    return top;
  }

  private before(a: number, b: number): boolean {
    const x = this.heap[a]!;
    const y = this.heap[b]!;
    return x.at < y.at || (x.at === y.at && x.seq < y.seq);
  }
}

/** The server's per-second limit at arrival time `t` (ms): 0 admitted, else seconds to wait. */
function limiter(sc: Scenario): (t: number) => number {
  if (sc.shape === 'sliding') {
    const admitted: number[] = [];
    let head = 0;
    return (t) => {
      while (head < admitted.length && admitted[head]! <= t - 1000) head++;
      if (admitted.length - head >= sc.limit) return (admitted[head]! + 1000 - t) / 1000;
      admitted.push(t);
      return 0;
    };
  }
  if (sc.shape === 'fixed') {
    let second = -1;
    let count = 0;
    return (t) => {
      const s = Math.floor(t / 1000);
      if (s !== second) [second, count] = [s, 0];
      if (count >= sc.limit) return s + 1 - t / 1000;
      count++;
      return 0;
    };
  }
  let tokens = sc.limit;
  let at = 0;
  return (t) => {
    tokens = Math.min(sc.limit, tokens + ((Math.max(t, at) - at) / 1000) * sc.limit);
    at = Math.max(at, t);
    if (tokens < 1) return (1 - tokens) / sc.limit;
    tokens--;
    return 0;
  };
}

export function simulate(sc: Scenario, law: SimLaw): SimResult {
  const draw = random(sc.seed);
  const concurrency = Math.min(64, Math.max(8, Math.ceil(sc.rate * 0.25)));
  const agenda = new Agenda();
  const admit = limiter(sc);
  const result: SimResult = { seconds: 0, admitted: 0, http429: 0, requests: 0, verdicts: [] };
  let now = 0;
  // Server stalls, drawn ahead.
  const stalls: Array<[number, number]> = [];
  for (let t = 0; sc.stallsPerSecond > 0 && t < 3_600_000; ) {
    t += (-Math.log(1 - draw()) / sc.stallsPerSecond) * 1000;
    stalls.push([t, t - Math.log(1 - draw()) * sc.stallMs]);
  }
  let stall = 0;
  const seenAt = (arrival: number) => {
    while (stall < stalls.length && stalls[stall]![1] < arrival) stall++;
    const s = stalls[stall];
    return s && s[0] <= arrival ? s[1] : arrival;
  };
  let otherSent = 0;
  const otherCatchUp = (t: number) => {
    for (; sc.other > 0 && ((otherSent + 1) * 1000) / sc.other <= t; otherSent++) {
      admit(((otherSent + 1) * 1000) / sc.other);
    }
  };
  // The client: rows (odd ones new), a queue by priority, slots, the gate.
  type Request = { row: number; step: number; priority: number };
  let nextRow = 0;
  let unfinished = 0;
  let finished = 0;
  let slots = 0;
  const queue: Request[] = [];
  const gate: Request[] = [];
  const starts: number[] = [];
  let grid = Number.NEGATIVE_INFINITY;
  let pausedUntil = Number.NEGATIVE_INFINITY;
  let wake = Number.POSITIVE_INFINITY;
  const takeBest = (list: Request[]) => {
    let best = 0;
    for (let i = 1; i < list.length; i++) if (list[i]!.priority < list[best]!.priority) best = i;
    return list.splice(best, 1)[0]!;
  };
  const pull = () => {
    for (; unfinished < 2 * concurrency && nextRow < sc.rows; nextRow++, unfinished++) {
      queue.push({ row: nextRow, step: 0, priority: 5 });
    }
    dispatch();
  };
  const dispatch = () => {
    while (slots < concurrency && queue.length > 0) {
      slots++;
      if (gate.length === 0) grid = Math.max(grid, now);
      gate.push(takeBest(queue));
    }
    pump();
  };
  const pump = () => {
    while (gate.length > 0) {
      const rate = law.rate(now);
      let at = Math.max(pausedUntil, grid, now);
      const limit = Math.floor(rate);
      if (starts.length >= limit) at = Math.max(at, starts[starts.length - limit]! + 1005);
      if (at > now) {
        if (at < wake) {
          wake = at;
          agenda.add(at + 0.3, () => {
            if (wake === at) wake = Number.POSITIVE_INFINITY;
            pump();
          });
        }
        return;
      }
      grid = Math.max(grid, pausedUntil, now - 100) + 1000 / rate;
      starts.push(now);
      if (starts.length > 4 * sc.rate) starts.splice(0, 2 * sc.rate);
      send(takeBest(gate));
    }
  };
  const send = (request: Request) => {
    result.requests++;
    const epoch = law.epoch;
    const seen = seenAt(now + 0.2 - Math.log(1 - draw()) * sc.jitterMs);
    agenda.add(seen, () => {
      otherCatchUp(seen);
      const wait = admit(seen);
      if (wait > 0) {
        agenda.add(seen + 0.3, () => answer(request, epoch, 429, Math.max(1, Math.ceil(wait)) * 1000));
        return;
      }
      agenda.add(seen + sc.latencyMs, () => {
        if (draw() < sc.throttle) return answer(request, epoch, 429, 1000);
        result.admitted++;
        answer(request, epoch, request.step === 0 && request.row % 2 === 1 ? 404 : 200, 0);
      });
    });
  };
  const answer = (request: Request, epoch: number, status: number, retryAfterMs: number) => {
    slots--;
    if (status === 429) {
      result.http429++;
      result.verdicts.push(law.throttled(now, epoch));
      law.paused(now + retryAfterMs);
      pausedUntil = Math.max(pausedUntil, now + retryAfterMs);
      agenda.add(now + retryAfterMs, () => {
        queue.push({ ...request, priority: 3 });
        dispatch();
      });
      dispatch();
      return;
    }
    law.succeeded(now);
    if (status === 404) {
      queue.push({ row: request.row, step: 1, priority: 4 });
      dispatch();
      return;
    }
    unfinished--;
    finished++;
    pull();
  };
  pull();
  for (let event = agenda.next(); event && finished < sc.rows; event = agenda.next()) {
    now = event.at;
    event.run();
  }
  result.seconds = now / 1000;
  return result;
}
