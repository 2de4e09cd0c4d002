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

/**
 * The limiter's shape (px-api.md "Rate limits": PX's is undocumented). `bucket`: a token
 * bucket; `sliding`: at most `perSecond` admitted requests in any 1000 ms (monotonic clock);
 * `fixed`: at most `perSecond` admitted requests per wall-clock second.
 */
export type RateLimitShape = 'bucket' | 'sliding' | 'fixed';

export interface RateLimitOptions {
  /** Requests per second per key (PX: about 200). `sliding` and `fixed` need a whole number. */
  perSecond: number;
  /** Bucket size: how many requests may arrive at once. Default: `perSecond`. `bucket` only. */
  burst?: number;
  /** Default `bucket`. */
  shape?: RateLimitShape;
}

/** Another client of the same key (the customer's other integration), `perSecond` evenly spaced. */
export interface OtherClientOptions {
  perSecond: number;
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
  /** Answer 429 "Rate limit exceeded" at random (a throttle), using no rate-limit budget. */
  throttle?: number;
  /** `Retry-After` seconds of a throttle's 429 (whole, >= 0). Default 1. */
  throttleRetryAfterSec?: number;
  /** Answer 403 with a gateway's HTML page (nothing applied). */
  gateway403?: number;
  /** Answer 504 with a gateway's HTML page (nothing applied). */
  gateway504?: number;
  /** Route kinds faults apply to; default all API routes (never the control plane). */
  methods?: Array<'GET' | 'POST' | 'PUT' | 'DELETE'>;
}

/**
 * PX down (an outage, a maintenance window): every API request is refused before anything
 * else, auth included, and uses no rate-limit budget or quota.
 */
export interface OutageOptions {
  /**
   * API requests answered as usual before PX goes down, counted from the start (or from the
   * last `reset()` or `configure({ outage })`). Default 0: down from the first request.
   */
  afterRequests?: number;
  /** Seconds down, on the monotonic clock, from the first refused request. Absent: until `endOutage()`. */
  forSec?: number;
  /** `'503'` (default): 503 with PX's JSON body, at once; `'reset'`: the connection is reset unanswered. */
  kind?: OutageKind;
}

export type OutageKind = '503' | 'reset';

/** The key's missing permission (px-api.md "Permissions"): its requests answer 403. */
export type ForbiddenAccess = 'read' | 'write';

export interface EmulatorOptions {
  /** Default `127.0.0.1`. The emulator only ever listens on loopback. */
  host?: string;
  /** Default 0 (an ephemeral port). */
  port?: number;
  /** Accepted `X-APTRINSIC-API-KEY` values. Default `['emulator-key']`. */
  apiKeys?: string[];
  /** Per-second limit per key; `false` turns it off. Default `{ perSecond: 200, burst: 200 }` (a token bucket). */
  rateLimit?: RateLimitOptions | false;
  /** Requests per key per day; `false` turns it off. Default 1,000,000. */
  dailyQuota?: number | false;
  /** Send `Retry-After` (whole seconds) on 429. Default true. */
  retryAfter?: boolean;
  /**
   * The 429 of a spent daily quota. `'plain'` (default): PX's ordinary `Rate limit exceeded`
   * with `Retry-After: 1`, the per-second limit's answer (px-api.md "daily quota": PX documents
   * no answer of its own). `'quota'`: `Daily quota exceeded` with `Retry-After` until the day ends.
   */
  dailyQuotaBody?: 'plain' | 'quota';
  /**
   * Length of the quota's "day" in seconds, for tests and benchmarks (e.g. 60). Days then
   * start when the emulator starts (and again at `reset()` or a `configure` of this option) and
   * follow each other on the monotonic clock. Default `false`: UTC calendar days.
   */
  dayLengthSec?: number | false;
  /** Model a key lacking Read or Write permission: its reads or its writes answer 403. Default `false`. */
  forbid?: ForbiddenAccess | false;
  /** A scheduled outage, once. Default `false`. `startOutage()` / `endOutage()` act at any time. */
  outage?: OutageOptions | false;
  /** A scroll expires this many seconds after its last page was read (then 400). Default 60. */
  scrollTtlSec?: number;
  /**
   * A soft-deleted user created again within this many seconds comes back with its history
   * (px-api.md "Deleting": 7 days). Default 604800.
   */
  reviveWindowSec?: number;
  /** Default none. */
  latency?: LatencyOptions;
  /** Default none. */
  faults?: FaultOptions;
  /** Custom attributes per model, listed by the metadata endpoint and accepted in bodies. */
  customAttributes?: { user?: CustomAttributeSpec[]; account?: CustomAttributeSpec[] };
  /** Accept numbers and booleans sent as strings (as real PX does). Default false: strict. */
  acceptStringTypes?: boolean;
  /**
   * A simulated second client of the first key, using its per-second budget (not the daily
   * quota). Default `false`.
   */
  otherClient?: OtherClientOptions | false;
  /** Answer paths that match no API route with a 404 HTML page, as a gateway does. Default false (PX JSON). */
  noRouteHtml?: boolean;
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
        | 'apiKeys'
        | 'rateLimit'
        | 'dailyQuota'
        | 'retryAfter'
        | 'latency'
        | 'faults'
        | 'acceptStringTypes'
        | 'otherClient'
        | 'noRouteHtml'
        | 'dailyQuotaBody'
        | 'dayLengthSec'
        | 'forbid'
        | 'outage'
        | 'scrollTtlSec'
        | 'reviveWindowSec'
      >
    >,
  ): void;
  /** Takes PX down now (as `POST /__emulator/outage`): default kind 503, until `endOutage()`. */
  startOutage(outage?: { kind?: OutageKind; forSec?: number }): void;
  /** Brings PX back now (as `DELETE /__emulator/outage`); a scheduled outage not yet begun is cancelled. */
  endOutage(): void;
  /** Per-second counts since the start or the last reset (the last 3,600 seconds). */
  timeline(): EmulatorTimeline;
  /** Clear records, events, preferences and stats. */
  reset(): void;
  close(): Promise<void>;
}

export interface EmulatorStats {
  /** All API requests received (control plane excluded). */
  requests: number;
  /** Count per `METHOD route` (route with the id replaced by `{id}`) and status, e.g. `{"PUT /v1/users/{id}": {"204": 10}}`. */
  byRoute: Record<string, Record<string, number>>;
  /** 429 answers (rate limit, quota and throttles). */
  rateLimited: number;
  /** Highest number of API requests received in any one-second window. */
  maxPerSecond: number;
  /** Faults injected, per kind. */
  faults: Record<
    | 'serverError'
    | 'resetBefore'
    | 'resetAfter'
    | 'hang'
    | 'trickle'
    | 'throttle'
    | 'gateway403'
    | 'gateway504',
    number
  >;
  /** Records created per type (201 answers plus creates applied before a reset-after). */
  created: { users: number; accounts: number; events: number };
  /** Current record counts. */
  records: { users: number; accounts: number; events: number; preferences: number };
  /**
   * Records deleted (204 answers): `users` includes those an account's delete took with it,
   * also counted in `cascadedUsers`; `hardUsers` those deleted with `hardDelete=true`.
   */
  deleted: { users: number; accounts: number; cascadedUsers: number; hardUsers: number };
  /** Soft-deleted users created again within the revive window (also in `created.users`). */
  revived: { users: number };
  /**
   * Outages: `down` now, `outages` begun so far, `requests` received while down (each
   * refused with a 503 or a reset; also in `requests`).
   */
  outage: { down: boolean; outages: number; requests: number };
  /** The simulated other client's requests (never in `requests`, `rateLimited`, `maxPerSecond`). */
  otherClient: { admitted: number; refused: number };
}

/** One second of the timeline: what happened during it. */
export interface TimelineSecond {
  /** Seconds since the start (or the last reset), on the monotonic clock. */
  second: number;
  /** Wall-clock epoch ms at the start of this second. */
  wallMs: number;
  /** Real requests that passed the limits and were not throttled (404/405 and faulted ones included). */
  admitted: number;
  /** 429s of the rate limiter or the daily quota. */
  rateLimited: number;
  /** 429s of the random throttle. */
  throttled: number;
  /** The other client's requests admitted and refused. */
  otherAdmitted: number;
  otherRefused: number;
  /** Faults injected, throttles excepted. */
  faults: number;
  /** Requests refused because PX was down (an outage). */
  down: number;
}

export interface EmulatorTimeline {
  /** Wall-clock epoch ms of second 0. */
  startedAt: number;
  /** Every second from the oldest kept (at most 3,600) to the current one, empty ones included. */
  seconds: TimelineSecond[];
}
