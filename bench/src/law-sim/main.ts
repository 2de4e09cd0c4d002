/**
 * pxstream's control law against botocore's on the cases of `pnpm bench --case 7`, simulated
 * (sim.ts), three seeds each:
 *
 *   node --import tsx bench/src/law-sim/main.ts [--stalls 0.08 --stall-ms 10 --jitter-ms 1.5]
 *
 * The defaults are the delivery jitter fitted to the emulator on this 2-vCPU machine; `--stalls
 * 0.5 --stall-ms 30` is a much busier machine.
 */
import { ControlLaw } from '../../../packages/sink-px/src/control-law.js';
import { arg } from '../case-args.js';
import { BotocoreLaw } from './botocore.js';
import { type Scenario, type SimLaw, simulate } from './sim.js';

const base: Scenario = {
  shape: 'sliding',
  limit: 200,
  other: 0,
  throttle: 0,
  rate: 200,
  rows: 20_000,
  latencyMs: 40,
  jitterMs: Number(arg('jitter-ms', '1.5')),
  stallsPerSecond: Number(arg('stalls', '0.08')),
  stallMs: Number(arg('stall-ms', '10')),
  seed: 1,
};

const cases: Array<[string, Partial<Scenario>, string]> = [
  ['bucket 200/s', { shape: 'bucket' }, 'of 200'],
  ['sliding 200/s', { shape: 'sliding' }, 'of 200'],
  ['fixed 200/s', { shape: 'fixed' }, 'of 200'],
  ['sliding, other client 100/s', { other: 100, rows: 10_000 }, 'of 100'],
  ['faults: 2% throttles, --rate 400', { shape: 'bucket', throttle: 0.02, rate: 400, rows: 3000 }, 's'],
];

const laws: Array<[string, (max: number) => SimLaw]> = [
  ['pxstream', (max) => new ControlLaw({ max }, 0)],
  ['botocore', (max) => new BotocoreLaw(max, 0)],
];

process.stdout.write('| case | law | seed 1 | seed 2 | seed 3 |\n| --- | --- | --- | --- | --- |\n');
for (const [name, over, unit] of cases) {
  for (const [lawName, make] of laws) {
    const cells = [1, 2, 3].map((seed) => {
      const sc = { ...base, ...over, seed };
      const r = simulate(sc, make(sc.rate));
      const share = r.admitted / r.seconds / (sc.limit - sc.other);
      const figure = unit === 's' ? `${r.seconds.toFixed(0)} s` : `${share.toFixed(3)}x ${unit}`;
      return `${figure}, ${r.http429} x 429`;
    });
    process.stdout.write(`| ${name} | ${lawName} | ${cells.join(' | ')} |\n`);
  }
}
