/** The emulator's command-line flags, parsed into `EmulatorOptions` (shared with `pxstream emulator`). */
import { parseArgs } from 'node:util';
import type { CustomAttributeSpec, EmulatorOptions, FaultOptions } from './options.js';

export const EMULATOR_HELP = `Usage: pxstream-emulator [options]

A Gainsight PX REST API emulator on loopback, for tests, benchmarks and safe trials.

Server:
  --port <n>                      port (default 0: any free port)
  --host <addr>                   loopback address: 127.0.0.1 (default), ::1 or localhost
  --api-key <key>                 accepted X-APTRINSIC-API-KEY (repeatable; default emulator-key)
Limits (PX's by default):
  --rate <n>                      requests per second per key (default 200)
  --burst <n>                     token bucket size (default: --rate)
  --no-rate-limit                 no per-second limit
  --daily-quota <n>               requests per key per UTC day (default 1000000)
  --no-daily-quota                no daily quota
  --no-retry-after                send no Retry-After header on 429
Latency and faults (off by default; probabilities in [0, 1]):
  --latency <ms>                  fixed delay before each answer
  --jitter <ms>                   extra uniform random delay in [0, ms)
  --seed <n>                      seed of the fault and jitter generators (default 1)
  --fault-server-error <p>        answer 500, 502 (HTML) or 503 without processing
  --fault-reset-before <p>        drop the connection before processing
  --fault-reset-after <p>         apply the write, then drop the connection unanswered
  --fault-hang <p>                never answer (nothing applied)
  --fault-trickle <p>             answer correctly, a few bytes at a time
  --trickle-delay <ms>            delay between trickled chunks (default 50)
  --trickle-bytes <n>             bytes per trickled chunk (default 16)
  --fault-methods <list>          faults only for these methods, e.g. POST,PUT
Model:
  --custom-attribute <spec>       [user.|account.]apiName:TYPE[:STATE] (repeatable), e.g.
                                  user.plan:STRING, account.tier:NUMBER:DISABLED (no prefix: user)
  --accept-string-types           accept "42.0" and "true" for numbers and booleans (as PX does)
  -h, --help                      show this help
`;

export class EmulatorArgsError extends Error {
  override readonly name = 'EmulatorArgsError';
  readonly code = 'EMULATOR_INVALID_ARGUMENT';
}

const FLAGS = {
  port: { type: 'string' },
  host: { type: 'string' },
  'api-key': { type: 'string', multiple: true },
  rate: { type: 'string' },
  burst: { type: 'string' },
  'no-rate-limit': { type: 'boolean' },
  'daily-quota': { type: 'string' },
  'no-daily-quota': { type: 'boolean' },
  'no-retry-after': { type: 'boolean' },
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
  'fault-methods': { type: 'string' },
  'custom-attribute': { type: 'string', multiple: true },
  'accept-string-types': { type: 'boolean' },
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

/** Parses the flags into options; `--help` is accepted and ignored (see `wantsHelp`). */
export function parseEmulatorArgs(argv: string[]): EmulatorOptions {
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
  if (values['no-rate-limit']) options.rateLimit = false;
  else if (str('rate') !== undefined || str('burst') !== undefined) {
    const perSecond = str('rate') !== undefined ? number('rate', str('rate')!, 0.001) : 200;
    options.rateLimit = {
      perSecond,
      burst: str('burst') !== undefined ? number('burst', str('burst')!, 1) : perSecond,
    };
  }
  if (values['no-daily-quota']) options.dailyQuota = false;
  else if (str('daily-quota') !== undefined)
    options.dailyQuota = Math.floor(number('daily-quota', str('daily-quota')!));
  if (values['no-retry-after']) options.retryAfter = false;
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
  ];
  for (const [flag, key] of probability) {
    if (str(flag) !== undefined) (faults as Record<string, number>)[key] = number(flag, str(flag)!, 0, 1);
  }
  if (str('seed') !== undefined) faults.seed = Math.floor(number('seed', str('seed')!));
  if (str('trickle-delay') !== undefined)
    faults.trickleChunkDelayMs = number('trickle-delay', str('trickle-delay')!);
  if (str('trickle-bytes') !== undefined)
    faults.trickleChunkBytes = number('trickle-bytes', str('trickle-bytes')!, 1);
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
  return options;
}

export function wantsHelp(argv: string[]): boolean {
  return argv.some((arg) => arg === '--help' || arg === '-h');
}
