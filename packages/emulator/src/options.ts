/**
 * Public options of the PX emulator. Every limit and fault is configurable; by default the
 * limits are PX's (200 requests/s, 1,000,000/day) and every fault is off.
 */

export type PxAttributeType = 'STRING' | 'NUMBER' | 'BOOLEAN' | 'DATE_TIME';

/** A custom attribute configured at start, as PX's attribute metadata lists it. */
export interface CustomAttributeSpec {
  /** Case-sensitive API name, used as `customAttributes.<apiName>`. */
  apiName: string;
  type: PxAttributeType;
  /** Display name; defaults to `apiName`. */
  name?: string;
  /** Default `ENABLED`. A DISABLED or DELETED attribute is rejected in bodies with 400. */
  state?: 'ENABLED' | 'DISABLED' | 'DELETED';
}

export interface RateLimitOptions {
  /** Tokens added per second (PX: about 200). */
  perSecond: number;
  /** Bucket size: how many requests may arrive at once. Default: `perSecond`. */
  burst?: number;
}

export interface LatencyOptions {
  /** Added to every request before it is answered. */
  fixedMs: number;
  /** Uniform random extra in [0, jitterMs), from the seeded generator. */
  jitterMs?: number;
}

/** Probabilities in [0, 1] per request, drawn from a generator seeded with `seed`. */
export interface FaultOptions {
  seed?: number;
  /** Answer 500, 502 or 503 without processing. */
  serverError?: number;
  /** Destroy the socket before processing (nothing applied). */
  resetBefore?: number;
  /** Apply the write, then destroy the socket without answering (the answer is lost). */
  resetAfter?: number;
  /** Never answer (the client's timeout must fire); the write is not applied. */
  hang?: number;
  /** Answer correctly but trickle the body slowly, a few bytes at a time. */
  trickle?: number;
  /** Delay between trickled chunks. Default 50 ms. */
  trickleChunkDelayMs?: number;
  /** Bytes per trickled chunk. Default 16. */
  trickleChunkBytes?: number;
  /** Route kinds faults apply to; default all API routes (never the control plane). */
  methods?: Array<'GET' | 'POST' | 'PUT' | 'DELETE'>;
}

export interface EmulatorOptions {
  /** Default `127.0.0.1`. The emulator only ever listens on loopback. */
  host?: string;
  /** Default 0 (an ephemeral port). */
  port?: number;
  /** Accepted `X-APTRINSIC-API-KEY` values. Default `['emulator-key']`. */
  apiKeys?: string[];
  /** Token bucket per key; `false` turns it off. Default `{ perSecond: 200, burst: 200 }`. */
  rateLimit?: RateLimitOptions | false;
  /** Requests per key per day; `false` turns it off. Default 1,000,000. */
  dailyQuota?: number | false;
  /** Send `Retry-After` (whole seconds) on 429. Default true. */
  retryAfter?: boolean;
  /** Default none. */
  latency?: LatencyOptions;
  /** Default none. */
  faults?: FaultOptions;
  /** Custom attributes per model, listed by the metadata endpoint and accepted in bodies. */
  customAttributes?: { user?: CustomAttributeSpec[]; account?: CustomAttributeSpec[] };
  /** Accept numbers and booleans sent as strings (as real PX does). Default false: strict. */
  acceptStringTypes?: boolean;
}

/** What `startEmulator` returns. */
export interface EmulatorHandle {
  /** Origin, e.g. `http://127.0.0.1:43123`. */
  readonly url: string;
  /** API base to give pxstream as `baseUrl`: `${url}/v1`. */
  readonly baseUrl: string;
  /** A key the emulator accepts (the first of `apiKeys`). */
  readonly apiKey: string;
  stats(): EmulatorStats;
  /** Change limits, faults or keys while running (e.g. revoke a key mid-run for a 401 test). */
  configure(
    changes: Partial<
      Pick<
        EmulatorOptions,
        'apiKeys' | 'rateLimit' | 'dailyQuota' | 'retryAfter' | 'latency' | 'faults' | 'acceptStringTypes'
      >
    >,
  ): void;
  /** Clear records, events, preferences and stats. */
  reset(): void;
  close(): Promise<void>;
}

export interface EmulatorStats {
  /** All API requests received (control plane excluded). */
  requests: number;
  /** Count per `METHOD route` (route with the id replaced by `{id}`) and status, e.g. `{"PUT /v1/users/{id}": {"204": 10}}`. */
  byRoute: Record<string, Record<string, number>>;
  /** 429 answers (rate limit and quota). */
  rateLimited: number;
  /** Highest number of API requests received in any one-second window. */
  maxPerSecond: number;
  /** Faults injected, per kind. */
  faults: Record<'serverError' | 'resetBefore' | 'resetAfter' | 'hang' | 'trickle', number>;
  /** Records created per type (201 answers plus creates applied before a reset-after). */
  created: { users: number; accounts: number; events: number };
  /** Current record counts. */
  records: { users: number; accounts: number; events: number; preferences: number };
}
