/**
 * Fault and latency draws from seeded generators. One draw per eligible request picks at
 * most one fault: the probabilities are stacked in a fixed order (serverError, resetBefore,
 * resetAfter, hang, trickle, throttle, gateway403, gateway504), so each kind happens at its
 * own rate and the same seed and the same request order give the same sequence (the kinds
 * added last leave the sequences of the first ones unchanged). Latency jitter has its own generator, so
 * turning latency on does not change which requests fail.
 */
import type { FaultOptions, LatencyOptions } from './options.js';
import { mulberry32, type Random } from './prng.js';
import type { FaultKind } from './stats.js';

export const FAULT_ORDER: readonly FaultKind[] = [
  'serverError',
  'resetBefore',
  'resetAfter',
  'hang',
  'trickle',
  'throttle',
  'gateway403',
  'gateway504',
];
const SERVER_ERRORS = [500, 502, 503] as const;

export interface FaultDraw {
  kind: FaultKind;
  /** For `serverError`: 500, 502 or 503. */
  status?: number;
}

export class FaultPlan {
  private random: Random;
  private jitter: Random;

  constructor(
    private faults: FaultOptions = {},
    private latency: LatencyOptions | undefined = undefined,
  ) {
    this.random = mulberry32(faults.seed ?? 1);
    this.jitter = mulberry32((faults.seed ?? 1) ^ 0x5bd1e995);
  }

  get options(): FaultOptions {
    return this.faults;
  }

  setFaults(faults: FaultOptions = {}): void {
    this.faults = faults;
    this.random = mulberry32(faults.seed ?? 1);
  }

  setLatency(latency: LatencyOptions | undefined): void {
    this.latency = latency;
    this.jitter = mulberry32((this.faults.seed ?? 1) ^ 0x5bd1e995);
  }

  /** Restarts both sequences from the seed. */
  reseed(): void {
    this.setFaults(this.faults);
    this.setLatency(this.latency);
  }

  /** Milliseconds to wait before answering (0 when latency is off). */
  delayMs(): number {
    if (!this.latency) return 0;
    const jitter = this.latency.jitterMs ? this.jitter() * this.latency.jitterMs : 0;
    return Math.max(0, this.latency.fixedMs + jitter);
  }

  /** The fault for one request, if any. */
  draw(method: string): FaultDraw | undefined {
    const f = this.faults;
    let total = 0;
    for (const kind of FAULT_ORDER) total += f[kind] ?? 0;
    if (total <= 0) return undefined;
    if (f.methods && !f.methods.includes(method as 'GET')) return undefined;
    const r = this.random();
    let edge = 0;
    for (const kind of FAULT_ORDER) {
      edge += f[kind] ?? 0;
      if (r < edge) {
        if (kind !== 'serverError') return { kind };
        return { kind, status: SERVER_ERRORS[Math.floor(this.random() * SERVER_ERRORS.length)]! };
      }
    }
    return undefined;
  }
}
