/**
 * The peer PX server as a process of its own (see server.ts):
 *
 *   node --import tsx bench/src/peer-px/main.ts --key K --rate 200 --limiter sliding --latency 40
 *     [--jitter ms]
 *     [--burst n] [--other n] [--throttle p] [--throttle-retry-after s] [--server-error p]
 *     [--reset-before p] [--reset-after p] [--seed n]
 *     [--daily-quota n [--day-length s] [--quota-days fixed|rolling]]
 *     [--outage-after n] [--outage-for s] [--outage-kind 503|reset] [--scroll-ttl s]
 *
 * Any of the `--outage-*` flags plans one outage (after 0 requests and until
 * `DELETE /_peer/outage` unless given).
 * Prints `PX peer listening on http://127.0.0.1:PORT/v1` and stops on SIGTERM or SIGINT.
 */
import type { Shape } from './limits.js';
import type { OutageKind, OutagePlan } from './outage.js';
import type { QuotaDays } from './quota.js';
import { startPeer } from './server.js';

function flag(name: string): string | undefined {
  const at = process.argv.indexOf(`--${name}`);
  return at >= 0 ? process.argv[at + 1] : undefined;
}

function number(name: string, fallback?: number): number | undefined {
  const value = flag(name);
  if (value === undefined) return fallback;
  const parsed = Number(value);
  if (!Number.isFinite(parsed) || parsed < 0) throw new Error(`--${name} must be a number, got ${value}`);
  return parsed;
}

const shape = (flag('limiter') ?? 'sliding') as Shape;
if (!['sliding', 'fixed', 'bucket'].includes(shape)) throw new Error(`--limiter: unknown shape ${shape}`);
const quotaDays = flag('quota-days') as QuotaDays | undefined;
if (quotaDays !== undefined && quotaDays !== 'fixed' && quotaDays !== 'rolling')
  throw new Error(`--quota-days: fixed or rolling, got ${quotaDays}`);
const outageKind = flag('outage-kind') as OutageKind | undefined;
if (outageKind !== undefined && outageKind !== '503' && outageKind !== 'reset')
  throw new Error(`--outage-kind: 503 or reset, got ${outageKind}`);
let outage: OutagePlan | undefined;
if (flag('outage-after') !== undefined || flag('outage-for') !== undefined || outageKind !== undefined) {
  outage = { afterRequests: number('outage-after', 0), forSec: number('outage-for'), kind: outageKind };
}
const options = {
  key: flag('key') ?? 'peer-key',
  perSecond: number('rate', 200)!,
  shape,
  burst: number('burst'),
  other: number('other'),
  latencyMs: number('latency'),
  jitterMs: number('jitter'),
  throttle: number('throttle'),
  throttleRetryAfterSec: number('throttle-retry-after'),
  serverError: number('server-error'),
  resetBefore: number('reset-before'),
  resetAfter: number('reset-after'),
  seed: number('seed'),
  dailyQuota: number('daily-quota'),
  quotaDays,
  dayLengthSec: number('day-length'),
  outage,
  scrollTtlSec: number('scroll-ttl'),
};
const defined = Object.fromEntries(Object.entries(options).filter(([, value]) => value !== undefined));
const peer = await startPeer(defined as typeof options & { perSecond: number });
process.stdout.write(`PX peer listening on ${peer.url}/v1\n`);
for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  process.once(signal, () => {
    peer.close().then(() => process.exit(0));
  });
}
