/** The emulator's command-line flags, parsed into `EmulatorOptions` (shared with `pxstream emulator`). */
import { parseArgs } from 'node:util';
import { readConfigFile } from './config-file.js';
import type {
  CustomAttributeSpec,
  EmulatorOptions,
  FaultOptions,
  OutageOptions,
  RateLimitOptions,
} from './options.js';

export { EMULATOR_HELP } from './help.js';

export class EmulatorArgsError extends Error {
  override readonly name = 'EmulatorArgsError';
  readonly code = 'EMULATOR_INVALID_ARGUMENT';
}

/** Every flag the command takes (the help must list each: a test checks). */
export const FLAGS = {
  port: { type: 'string' },
  host: { type: 'string' },
  'api-key': { type: 'string', multiple: true },
  config: { type: 'string' },
  rate: { type: 'string' },
  limiter: { type: 'string' },
  burst: { type: 'string' },
  'no-rate-limit': { type: 'boolean' },
  'daily-quota': { type: 'string' },
  'no-daily-quota': { type: 'boolean' },
  'no-retry-after': { type: 'boolean' },
  'other-client': { type: 'string' },
  latency: { type: 'string' },
  jitter: { type: 'string' },
  seed: { type: 'string' },
  'fault-server-error': { type: 'string' },
  'fault-reset-before': { type: 'string' },
  'fault-reset-after': { type: 'string' },
  'fault-hang': { type: 'string' },
  'fault-trickle': { type: 'string' },
  'trickle-delay': { type: 'string' },
  'trickle-bytes': { type: 'string' },
  throttle: { type: 'string' },
  'throttle-retry-after': { type: 'string' },
  'fault-gateway-403': { type: 'string' },
  'fault-gateway-504': { type: 'string' },
  'fault-methods': { type: 'string' },
  'no-route-html': { type: 'boolean' },
  'custom-attribute': { type: 'string', multiple: true },
  'accept-string-types': { type: 'boolean' },
  'daily-quota-body': { type: 'string' },
  'day-length': { type: 'string' },
  forbid: { type: 'string' },
  'outage-after': { type: 'string' },
  'outage-for': { type: 'string' },
  'outage-kind': { type: 'string' },
  'scroll-ttl': { type: 'string' },
  'revive-window': { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

function number(flag: string, raw: string, min = 0, max = Number.POSITIVE_INFINITY): number {
  const value = Number(raw);
  if (raw.trim() === '' || !Number.isFinite(value) || value < min || value > max) {
    throw new EmulatorArgsError(
      `--${flag}: expected a number from ${min} to ${max}, got ${JSON.stringify(raw)}`,
    );
  }
  return value;
}

const TYPES = new Set(['STRING', 'NUMBER', 'BOOLEAN', 'DATE_TIME']);
const STATES = new Set(['ENABLED', 'DISABLED', 'DELETED']);

/** `[user.|account.]apiName:TYPE[:STATE]`. */
export function parseCustomAttribute(spec: string): {
  model: 'user' | 'account';
  attribute: CustomAttributeSpec;
} {
  let model: 'user' | 'account' = 'user';
  let rest = spec;
  const prefix = /^(user|account)\./.exec(rest);
  if (prefix) {
    model = prefix[1] as 'user' | 'account';
    rest = rest.slice(prefix[0].length);
  }
  const [apiName, type, state, extra] = rest.split(':');
  const bad = (why: string) => new EmulatorArgsError(`--custom-attribute ${JSON.stringify(spec)}: ${why}`);
  if (!apiName || extra !== undefined) throw bad('expected [user.|account.]apiName:TYPE[:STATE]');
  const upperType = (type ?? '').toUpperCase();
  if (!TYPES.has(upperType)) throw bad('TYPE must be STRING, NUMBER, BOOLEAN or DATE_TIME');
  const attribute: CustomAttributeSpec = { apiName, type: upperType as CustomAttributeSpec['type'] };
  if (state !== undefined) {
    if (!STATES.has(state.toUpperCase())) throw bad('STATE must be ENABLED, DISABLED or DELETED');
    attribute.state = state.toUpperCase() as CustomAttributeSpec['state'];
  }
  return { model, attribute };
}

const SHAPES = ['bucket', 'sliding', 'fixed'];

function rateLimit(str: (flag: string) => string | undefined): RateLimitOptions | undefined {
  const shape = str('limiter');
  if (shape !== undefined && !SHAPES.includes(shape))
    throw new EmulatorArgsError(`--limiter: expected bucket, sliding or fixed, got ${JSON.stringify(shape)}`);
  if (str('rate') === undefined && str('burst') === undefined && shape === undefined) return undefined;
  const perSecond = str('rate') !== undefined ? number('rate', str('rate')!, 0.001) : 200;
  if (shape === 'sliding' || shape === 'fixed') {
    if (str('burst') !== undefined) throw new EmulatorArgsError(`--burst applies to --limiter bucket only`);
    if (!Number.isInteger(perSecond))
      throw new EmulatorArgsError(`--rate: a ${shape} window needs a whole number, got ${perSecond}`);
    return { perSecond, shape };
  }
  const burst = str('burst') !== undefined ? number('burst', str('burst')!, 1) : perSecond;
  return shape === undefined ? { perSecond, burst } : { perSecond, burst, shape: 'bucket' };
}

function oneOf<T extends string>(flag: string, raw: string, allowed: readonly T[]): T {
  if (!(allowed as readonly string[]).includes(raw))
    throw new EmulatorArgsError(`--${flag}: expected ${allowed.join(' or ')}, got ${JSON.stringify(raw)}`);
  return raw as T;
}

/** `--outage-after <requests>`, `--outage-for <s>`, `--outage-kind 503|reset`: any of them plans one outage. */
function outage(str: (flag: string) => string | undefined): OutageOptions | undefined {
  const after = str('outage-after');
  const seconds = str('outage-for');
  const kind = str('outage-kind');
  if (after === undefined && seconds === undefined && kind === undefined) return undefined;
  const plan: OutageOptions = {};
  if (after !== undefined) {
    plan.afterRequests = number('outage-after', after);
    if (!Number.isInteger(plan.afterRequests))
      throw new EmulatorArgsError(`--outage-after: expected a whole number of requests, got ${after}`);
  }
  if (seconds !== undefined) plan.forSec = number('outage-for', seconds, 0.001);
  if (kind !== undefined) plan.kind = oneOf('outage-kind', kind, ['503', 'reset'] as const);
  return plan;
}

/** The flags of the limits' days, permissions, outages, scrolls and deletes (in place). */
function pxBehaviour(str: (flag: string) => string | undefined, options: EmulatorOptions): void {
  if (str('daily-quota-body') !== undefined)
    options.dailyQuotaBody = oneOf('daily-quota-body', str('daily-quota-body')!, ['plain', 'quota'] as const);
  if (str('day-length') !== undefined) options.dayLengthSec = number('day-length', str('day-length')!, 0.001);
  if (str('forbid') !== undefined)
    options.forbid = oneOf('forbid', str('forbid')!, ['read', 'write'] as const);
  const plan = outage(str);
  if (plan) options.outage = plan;
  if (str('scroll-ttl') !== undefined) options.scrollTtlSec = number('scroll-ttl', str('scroll-ttl')!, 0.001);
  if (str('revive-window') !== undefined)
    options.reviveWindowSec = number('revive-window', str('revive-window')!);
}

/** Adds `--config`'s custom attributes under those of the flags (a flag overrides the same apiName). */
function withConfigAttributes(
  fromFlags: EmulatorOptions['customAttributes'],
  fromConfig: { user: CustomAttributeSpec[]; account: CustomAttributeSpec[] },
): EmulatorOptions['customAttributes'] {
  const out: NonNullable<EmulatorOptions['customAttributes']> = {};
  for (const model of ['user', 'account'] as const) {
    const flags = fromFlags?.[model] ?? [];
    const overridden = new Set(flags.map((spec) => spec.apiName));
    const merged = [...fromConfig[model].filter((spec) => !overridden.has(spec.apiName)), ...flags];
    if (merged.length > 0) out[model] = merged;
  }
  return Object.keys(out).length > 0 ? out : undefined;
}

/** Parses the flags into options; `--help` is accepted and ignored (see `wantsHelp`). */
export function parseEmulatorArgs(argv: string[]): EmulatorOptions {
  return parseEmulatorCommand(argv).options;
}

/**
 * The flags as options, plus the API key read from `--config` (the first accepted key, never
 * to be printed). Throws `EmulatorArgsError`, or `EmulatorConfigFileError` for `--config`.
 */
export function parseEmulatorCommand(argv: string[]): {
  options: EmulatorOptions;
  configApiKey: string | undefined;
} {
  let values: Record<string, string | string[] | boolean | undefined>;
  try {
    ({ values } = parseArgs({ args: argv, options: FLAGS, strict: true, allowPositionals: false }));
  } catch (error) {
    throw new EmulatorArgsError(error instanceof Error ? error.message : String(error));
  }
  const str = (flag: string) => values[flag] as string | undefined;
  const options: EmulatorOptions = {};
  if (str('port') !== undefined) options.port = number('port', str('port')!, 0, 65535);
  if (str('host') !== undefined) options.host = str('host')!;
  if (values['api-key']) options.apiKeys = values['api-key'] as string[];
  const rate = rateLimit(str);
  if (values['no-rate-limit']) options.rateLimit = false;
  else if (rate !== undefined) options.rateLimit = rate;
  if (values['no-daily-quota']) options.dailyQuota = false;
  else if (str('daily-quota') !== undefined)
    options.dailyQuota = Math.floor(number('daily-quota', str('daily-quota')!));
  if (values['no-retry-after']) options.retryAfter = false;
  pxBehaviour(str, options);
  if (str('other-client') !== undefined)
    options.otherClient = { perSecond: number('other-client', str('other-client')!, 0.001) };
  if (str('latency') !== undefined || str('jitter') !== undefined) {
    options.latency = {
      fixedMs: number('latency', str('latency') ?? '0'),
      jitterMs: number('jitter', str('jitter') ?? '0'),
    };
  }
  const faults: FaultOptions = {};
  const probability: Array<[string, keyof FaultOptions]> = [
    ['fault-server-error', 'serverError'],
    ['fault-reset-before', 'resetBefore'],
    ['fault-reset-after', 'resetAfter'],
    ['fault-hang', 'hang'],
    ['fault-trickle', 'trickle'],
    ['throttle', 'throttle'],
    ['fault-gateway-403', 'gateway403'],
    ['fault-gateway-504', 'gateway504'],
  ];
  for (const [flag, key] of probability) {
    if (str(flag) !== undefined) (faults as Record<string, number>)[key] = number(flag, str(flag)!, 0, 1);
  }
  if (str('seed') !== undefined) faults.seed = Math.floor(number('seed', str('seed')!));
  if (str('trickle-delay') !== undefined)
    faults.trickleChunkDelayMs = number('trickle-delay', str('trickle-delay')!);
  if (str('trickle-bytes') !== undefined)
    faults.trickleChunkBytes = number('trickle-bytes', str('trickle-bytes')!, 1);
  if (str('throttle-retry-after') !== undefined) {
    const seconds = number('throttle-retry-after', str('throttle-retry-after')!);
    if (!Number.isInteger(seconds))
      throw new EmulatorArgsError(`--throttle-retry-after: expected whole seconds, got ${seconds}`);
    faults.throttleRetryAfterSec = seconds;
  }
  if (str('fault-methods') !== undefined) {
    const methods = str('fault-methods')!
      .split(',')
      .map((m) => m.trim().toUpperCase());
    for (const m of methods) {
      if (!['GET', 'POST', 'PUT', 'DELETE'].includes(m))
        throw new EmulatorArgsError(`--fault-methods: unknown ${m}`);
    }
    faults.methods = methods as FaultOptions['methods'];
  }
  if (Object.keys(faults).length > 0) options.faults = faults;
  for (const spec of (values['custom-attribute'] as string[] | undefined) ?? []) {
    const { model, attribute } = parseCustomAttribute(spec);
    options.customAttributes ??= {};
    (options.customAttributes[model] ??= []).push(attribute);
  }
  if (values['accept-string-types']) options.acceptStringTypes = true;
  if (values['no-route-html']) options.noRouteHtml = true;
  let configApiKey: string | undefined;
  if (str('config') !== undefined) {
    const file = readConfigFile(str('config')!);
    const customAttributes = withConfigAttributes(options.customAttributes, file.customAttributes);
    if (customAttributes) options.customAttributes = customAttributes;
    configApiKey = file.apiKey;
    if (configApiKey !== undefined) {
      options.apiKeys = [
        configApiKey,
        ...(options.apiKeys ?? ['emulator-key']).filter((k) => k !== configApiKey),
      ];
    }
  }
  return { options, configApiKey };
}

export function wantsHelp(argv: string[]): boolean {
  return argv.some((arg) => arg === '--help' || arg === '-h');
}
