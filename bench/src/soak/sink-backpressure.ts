/**
 * Soak: the PX sink's backpressure at full size (`packages/sink-px/test/px-sink.backpressure.test.ts`
 * runs the same load, with the same assertions, small). 20,000 existing users through the sink
 * (32 requests in flight) against an emulator answering in 5 ms, from a lazy source: the source
 * is read at PX pace, the rows pending never pass the sink's bound, every row ends once.
 *
 *   node --import tsx bench/src/soak/sink-backpressure.ts [--rows 20000] [--concurrency 32] [--latency 5]
 *
 * Prints a line on stderr and, last on stdout, one JSON line of figures; exits 1 when a check
 * fails (its assertion message on stderr).
 */
import { pacedLoad } from '../../../packages/sink-px/test/helpers/paced-load.js';
import { arg, report } from '../case-args.js';

const figures = await pacedLoad({
  rows: Number(arg('rows', '20000')),
  concurrency: Number(arg('concurrency', '32')),
  latencyMs: Number(arg('latency', '5')),
});
process.stderr.write(
  `sink backpressure: ${figures.rows} rows in ${figures.seconds} s, at most ${figures.maxAhead} rows read ahead ` +
    `(bound ${figures.bound}), ${figures.maxPending} pending, ${figures.maxInFlight} in flight ` +
    `(of ${figures.concurrency}), latency p50 ${figures.latency.p50} ms, p95 ${figures.latency.p95} ms\n`,
);
report({ ...figures, passed: true });
