/** Options resolved to their defaults and checked, plus the changes `configure` may make. */
import { FAULT_ORDER } from './faults.js';
import type {
  CustomAttributeSpec,
  EmulatorHandle,
  EmulatorOptions,
  FaultOptions,
  LatencyOptions,
  OtherClientOptions,
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
}

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
  if (changes.apiKeys !== undefined) config.apiKeys = [...changes.apiKeys];
  if (changes.rateLimit !== undefined) config.rateLimit = changes.rateLimit;
  if (changes.dailyQuota !== undefined) config.dailyQuota = changes.dailyQuota;
  if (changes.retryAfter !== undefined) config.retryAfter = changes.retryAfter;
  if (changes.latency !== undefined) config.latency = changes.latency;
  if (changes.faults !== undefined) config.faults = changes.faults;
  if (changes.acceptStringTypes !== undefined) config.acceptStringTypes = changes.acceptStringTypes;
  if (changes.otherClient !== undefined) config.otherClient = changes.otherClient;
  if (changes.noRouteHtml !== undefined) config.noRouteHtml = changes.noRouteHtml;
}
