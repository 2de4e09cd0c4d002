/** Options resolved to their defaults and checked, plus the changes `configure` may make. */
import { FAULT_ORDER } from './faults.js';
import type {
  CustomAttributeSpec,
  EmulatorHandle,
  EmulatorOptions,
  FaultOptions,
  ForbiddenAccess,
  LatencyOptions,
  OtherClientOptions,
  OutageOptions,
  RateLimitOptions,
} from './options.js';

export type ConfigChanges = Parameters<EmulatorHandle['configure']>[0];

export interface ResolvedConfig {
  host: string;
  port: number;
  apiKeys: string[];
  rateLimit: RateLimitOptions | false;
  dailyQuota: number | false;
  retryAfter: boolean;
  latency: LatencyOptions | undefined;
  faults: FaultOptions;
  customAttributes: { user: CustomAttributeSpec[]; account: CustomAttributeSpec[] };
  custom: { user: Map<string, CustomAttributeSpec>; account: Map<string, CustomAttributeSpec> };
  acceptStringTypes: boolean;
  otherClient: OtherClientOptions | false;
  noRouteHtml: boolean;
  dailyQuotaBody: 'plain' | 'quota';
  /** `false`: UTC calendar days. */
  dayLengthSec: number | false;
  forbid: ForbiddenAccess | false;
  outage: OutageOptions | false;
  scrollTtlSec: number;
  reviveWindowSec: number;
}

/** px-api.md "Deleting": a soft-deleted user created again within 7 days comes back. */
export const DEFAULT_REVIVE_WINDOW_SEC = 7 * 86_400;
/**
 * How long an unused scroll stays valid: PX does not say (px-api.md "Reading records back").
 * 60 s is Elasticsearch's usual scroll keep-alive (`1m`), which a `scrollId` and `totalHits`
 * API most likely sits on; each page read renews it.
 */
export const DEFAULT_SCROLL_TTL_SEC = 60;

const LOOPBACK = new Set(['127.0.0.1', '::1', 'localhost']);
const SHAPES = new Set(['bucket', 'sliding', 'fixed']);
const TYPES = new Set(['STRING', 'NUMBER', 'BOOLEAN', 'DATE_TIME']);
const STATES = new Set(['ENABLED', 'DISABLED', 'DELETED']);

/** Thrown for options the emulator cannot run with. */
export class EmulatorOptionError extends Error {
  override readonly name = 'EmulatorOptionError';
  readonly code = 'EMULATOR_INVALID_OPTION';
}

function check(condition: boolean, message: string): void {
  if (!condition) throw new EmulatorOptionError(message);
}

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

function checkRate(rate: RateLimitOptions | false): void {
  if (rate === false) return;
  check(isObject(rate), 'rateLimit must be { perSecond, burst?, shape? } or false');
  check(Number.isFinite(rate.perSecond) && rate.perSecond > 0, `rateLimit.perSecond must be > 0`);
  const shape = rate.shape ?? 'bucket';
  check(SHAPES.has(shape), `rateLimit.shape must be bucket, sliding or fixed, got ${String(shape)}`);
  if (shape === 'bucket') {
    check(rate.burst === undefined || rate.burst >= 1, 'rateLimit.burst must be >= 1');
  } else {
    check(rate.burst === undefined, `rateLimit.burst applies to the bucket only, not to a ${shape} window`);
    check(
      Number.isInteger(rate.perSecond),
      `rateLimit.perSecond must be a whole number for a ${shape} window, got ${rate.perSecond}`,
    );
  }
}

function checkFaults(faults: FaultOptions): void {
  check(isObject(faults), 'faults must be an object');
  let total = 0;
  for (const kind of FAULT_ORDER) {
    const p = faults[kind] ?? 0;
    check(Number.isFinite(p) && p >= 0 && p <= 1, `faults.${kind} must be a probability in [0, 1]`);
    total += p;
  }
  check(total <= 1 + 1e-9, 'the fault probabilities must add up to at most 1');
  const retryAfter = faults.throttleRetryAfterSec;
  check(
    retryAfter === undefined || (Number.isInteger(retryAfter) && retryAfter >= 0),
    'faults.throttleRetryAfterSec must be a whole number of seconds >= 0',
  );
}

function checkOtherClient(other: OtherClientOptions | false): void {
  if (other === false) return;
  check(
    isObject(other) && Number.isFinite(other.perSecond) && other.perSecond > 0,
    'otherClient must be { perSecond } with perSecond > 0, or false',
  );
}

function checkOutage(outage: OutageOptions | false): void {
  if (outage === false) return;
  check(isObject(outage), 'outage must be { afterRequests?, forSec?, kind? } or false');
  const after = outage.afterRequests ?? 0;
  check(Number.isInteger(after) && after >= 0, 'outage.afterRequests must be an integer >= 0');
  check(
    outage.forSec === undefined || (Number.isFinite(outage.forSec) && outage.forSec > 0),
    'outage.forSec must be > 0 seconds',
  );
  check(
    outage.kind === undefined || outage.kind === '503' || outage.kind === 'reset',
    "outage.kind must be '503' or 'reset'",
  );
}

const positiveSeconds = (value: unknown): boolean =>
  typeof value === 'number' && Number.isFinite(value) && value > 0;

function customMap(specs: CustomAttributeSpec[]): Map<string, CustomAttributeSpec> {
  const map = new Map<string, CustomAttributeSpec>();
  for (const spec of specs) {
    check(typeof spec.apiName === 'string' && spec.apiName !== '', 'a custom attribute needs an apiName');
    check(TYPES.has(spec.type), `custom attribute ${spec.apiName}: unknown type ${spec.type}`);
    check(spec.state === undefined || STATES.has(spec.state), `custom attribute ${spec.apiName}: bad state`);
    map.set(spec.apiName, spec);
  }
  return map;
}

export function resolveOptions(options: EmulatorOptions = {}): ResolvedConfig {
  const host = options.host ?? '127.0.0.1';
  check(LOOPBACK.has(host), `host must be a loopback address (127.0.0.1, ::1, localhost), got ${host}`);
  const config: ResolvedConfig = {
    host,
    port: options.port ?? 0,
    apiKeys: ['emulator-key'],
    rateLimit: { perSecond: 200, burst: 200 },
    dailyQuota: 1_000_000,
    retryAfter: true,
    latency: undefined,
    faults: {},
    customAttributes: {
      user: [...(options.customAttributes?.user ?? [])],
      account: [...(options.customAttributes?.account ?? [])],
    },
    custom: { user: new Map(), account: new Map() },
    acceptStringTypes: false,
    otherClient: false,
    noRouteHtml: false,
    dailyQuotaBody: 'plain',
    dayLengthSec: false,
    forbid: false,
    outage: false,
    scrollTtlSec: DEFAULT_SCROLL_TTL_SEC,
    reviveWindowSec: DEFAULT_REVIVE_WINDOW_SEC,
  };
  config.custom.user = customMap(config.customAttributes.user);
  config.custom.account = customMap(config.customAttributes.account);
  applyChanges(config, options);
  return config;
}

/** Applies `configure` changes in place (checked first, so a bad change alters nothing). */
export function applyChanges(config: ResolvedConfig, changes: ConfigChanges): void {
  if (changes.apiKeys !== undefined) {
    check(Array.isArray(changes.apiKeys) && changes.apiKeys.length > 0, 'apiKeys must list at least one key');
  }
  if (changes.rateLimit !== undefined) checkRate(changes.rateLimit);
  if (changes.dailyQuota !== undefined && changes.dailyQuota !== false) {
    check(
      Number.isInteger(changes.dailyQuota) && changes.dailyQuota >= 0,
      'dailyQuota must be an integer >= 0',
    );
  }
  if (changes.latency !== undefined) {
    check(changes.latency.fixedMs >= 0 && (changes.latency.jitterMs ?? 0) >= 0, 'latency must be >= 0');
  }
  if (changes.faults !== undefined) checkFaults(changes.faults);
  if (changes.otherClient !== undefined) checkOtherClient(changes.otherClient);
  if (changes.noRouteHtml !== undefined)
    check(typeof changes.noRouteHtml === 'boolean', 'noRouteHtml must be true or false');
  if (changes.dailyQuotaBody !== undefined)
    check(['plain', 'quota'].includes(changes.dailyQuotaBody), "dailyQuotaBody must be 'plain' or 'quota'");
  if (changes.dayLengthSec !== undefined && changes.dayLengthSec !== false)
    check(positiveSeconds(changes.dayLengthSec), 'dayLengthSec must be > 0 seconds, or false');
  if (changes.forbid !== undefined)
    check([false, 'read', 'write'].includes(changes.forbid), "forbid must be 'read', 'write' or false");
  if (changes.outage !== undefined) checkOutage(changes.outage);
  if (changes.scrollTtlSec !== undefined)
    check(positiveSeconds(changes.scrollTtlSec), 'scrollTtlSec must be > 0 seconds');
  if (changes.reviveWindowSec !== undefined) {
    const window = changes.reviveWindowSec;
    check(
      typeof window === 'number' && Number.isFinite(window) && window >= 0,
      'reviveWindowSec must be >= 0',
    );
  }
  if (changes.apiKeys !== undefined) config.apiKeys = [...changes.apiKeys];
  if (changes.rateLimit !== undefined) config.rateLimit = changes.rateLimit;
  if (changes.dailyQuota !== undefined) config.dailyQuota = changes.dailyQuota;
  if (changes.retryAfter !== undefined) config.retryAfter = changes.retryAfter;
  if (changes.latency !== undefined) config.latency = changes.latency;
  if (changes.faults !== undefined) config.faults = changes.faults;
  if (changes.acceptStringTypes !== undefined) config.acceptStringTypes = changes.acceptStringTypes;
  if (changes.otherClient !== undefined) config.otherClient = changes.otherClient;
  if (changes.noRouteHtml !== undefined) config.noRouteHtml = changes.noRouteHtml;
  if (changes.dailyQuotaBody !== undefined) config.dailyQuotaBody = changes.dailyQuotaBody;
  if (changes.dayLengthSec !== undefined) config.dayLengthSec = changes.dayLengthSec;
  if (changes.forbid !== undefined) config.forbid = changes.forbid;
  if (changes.outage !== undefined) config.outage = changes.outage;
  if (changes.scrollTtlSec !== undefined) config.scrollTtlSec = changes.scrollTtlSec;
  if (changes.reviveWindowSec !== undefined) config.reviveWindowSec = changes.reviveWindowSec;
}
