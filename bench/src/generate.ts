/**
 * A deterministic generator of realistic input files, streamed to disk with backpressure so
 * ten million rows never sit in memory: quoted commas, a quoted newline now and then, unicode
 * names, empty cells, dates as ISO and as epoch ms, custom attributes.
 *
 *   node --import tsx bench/src/generate.ts --type USER --format csv --rows 1000000 --out users.csv
 */
import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { xorshift32 } from './prng.js';

export type GeneratedType = 'USER' | 'ACCOUNT' | 'CUSTOM_EVENT' | 'USER_PREFERENCES';

export interface GenerateOptions {
  type: GeneratedType;
  format: 'csv' | 'jsonl';
  rows: number;
  out: string;
  seed?: number;
  /** Id prefix (to make files whose ids do not meet). Default by type. */
  prefix?: string;
  /**
   * Rows whose first mapped value after the id is changed (a user's email, an account's name):
   * the same file as without it otherwise, as tomorrow's export of a changed record.
   */
  changed?: (index: number) => boolean;
}

const FIRST = [
  'Zoë',
  'Kwame',
  'Nadia',
  'José',
  'Aiko',
  'Łukasz',
  'Björn',
  'Priya',
  'Chen',
  'Fatima',
  'Seán',
  'Ana',
];
const LAST = ["O'Brien", 'Müller', 'Nakamura', 'García', 'Smith, Jr.', 'Ndiaye', 'Kowalski', '李', 'Dubois'];
const TITLES = ['Engineer', 'Designer', 'Head of "Data"', 'VP, Sales', 'Analyst', '', 'Support\nLead'];
const CITIES = [
  ['Paris', 'IDF', 'FR', 48.85, 2.35],
  ['Austin', 'TX', 'US', 30.27, -97.74],
  ['Berlin', 'BE', 'DE', 52.52, 13.4],
  ['São Paulo', 'SP', 'BR', -23.55, -46.63],
] as const;
const PLANS = ['free', 'pro', 'team', 'enterprise'];

export const COLUMNS: Record<GeneratedType, string[]> = {
  USER: [
    'id',
    'email',
    'first_name',
    'last_name',
    'title',
    'city',
    'state',
    'country',
    'latitude',
    'longitude',
    'signup',
    'plan',
    'score',
    'unsubscribed',
    'account',
  ],
  ACCOUNT: ['id', 'name', 'industry', 'employees', 'website', 'renewal', 'tier'],
  CUSTOM_EVENT: ['user_id', 'event', 'occurred_at', 'account', 'url', 'plan', 'seats'],
  USER_PREFERENCES: [
    'user_id',
    'track_usage',
    'product_updates',
    'guided_tours',
    'surveys',
    'onboarding_bot',
  ],
};

/** The mapping of `examples/pxstream.json` matches these columns for every type. */
export function rowValues(
  type: GeneratedType,
  i: number,
  random: () => number,
  prefix: string,
): (string | number | boolean)[] {
  const pick = <T>(list: readonly T[]) => list[Math.floor(random() * list.length)] as T;
  const date = () =>
    random() < 0.5
      ? new Date(1_600_000_000_000 + Math.floor(random() * 150_000_000_000)).toISOString().slice(0, 19)
      : 1_600_000_000_000 + Math.floor(random() * 150_000_000_000);
  const id = `${prefix}-${i}`;
  switch (type) {
    case 'USER': {
      const [city, state, country, lat, lon] = pick(CITIES);
      const first = pick(FIRST);
      return [
        id,
        `${first
          .toLowerCase()
          .normalize('NFD')
          .replace(/[^a-z]/g, '')}.${i}@example.com`,
        first,
        pick(LAST),
        pick(TITLES),
        city,
        state,
        country,
        lat + Math.round(random() * 100) / 1000,
        lon,
        date(),
        random() < 0.1 ? '' : pick(PLANS),
        Math.floor(random() * 100),
        random() < 0.3 ? '' : random() < 0.5,
        `ACC-${i % 5000}`,
      ];
    }
    case 'ACCOUNT':
      return [
        id,
        `${pick(LAST)} ${pick(['GmbH', 'Inc.', 'SA', 'Ltd'])}`,
        pick(['Software', 'Retail, online', 'Health']),
        Math.floor(random() * 5000),
        `https://${prefix}${i}.example.com`,
        date(),
        pick(['gold', 'silver', '']),
      ];
    case 'CUSTOM_EVENT':
      return [
        id,
        pick(['export_report', 'upgrade', 'invite']),
        date(),
        `ACC-${i % 5000}`,
        `https://app.example.com/r?id=${i}`,
        pick(PLANS),
        Math.floor(random() * 50),
      ];
    case 'USER_PREFERENCES':
      return [
        id,
        random() < 0.5,
        random() < 0.5,
        random() < 0.5,
        random() < 0.5,
        random() < 0.2 ? '' : random() < 0.5,
      ];
  }
}

function csvCell(value: string | number | boolean): string {
  const text = String(value);
  return /[",\n\r]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

/** Writes the file; resolves with its size in bytes. */
export async function generate(options: GenerateOptions): Promise<number> {
  const random = xorshift32(options.seed ?? 42);
  const prefix = options.prefix ?? options.type.toLowerCase().slice(0, 4);
  const columns = COLUMNS[options.type];
  const out = createWriteStream(options.out, { highWaterMark: 1 << 20 });
  let chunk = options.format === 'csv' ? `${columns.join(',')}\n` : '';
  let bytes = 0;
  for (let i = 0; i < options.rows; i++) {
    const values = rowValues(options.type, i, random, prefix);
    if (options.changed?.(i)) values[1] = `changed.${i}.${String(values[1]).replaceAll(',', '')}`;
    if (options.format === 'csv') chunk += `${values.map(csvCell).join(',')}\n`;
    else {
      const record: Record<string, unknown> = {};
      values.forEach((value, c) => {
        if (value !== '') record[columns[c] as string] = value;
      });
      chunk += `${JSON.stringify(record)}\n`;
    }
    if (chunk.length > 1 << 16) {
      bytes += Buffer.byteLength(chunk);
      if (!out.write(chunk)) await once(out, 'drain');
      chunk = '';
    }
  }
  bytes += Buffer.byteLength(chunk);
  out.end(chunk);
  await once(out, 'finish');
  return bytes;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const arg = (name: string, fallback?: string) => {
    const at = process.argv.indexOf(`--${name}`);
    const value = at >= 0 ? process.argv[at + 1] : fallback;
    if (value === undefined) throw new Error(`--${name} is required`);
    return value;
  };
  const bytes = await generate({
    type: arg('type', 'USER') as GeneratedType,
    format: arg('format', 'csv') as 'csv' | 'jsonl',
    rows: Number(arg('rows', '1000')),
    out: arg('out'),
    seed: Number(arg('seed', '42')),
  });
  console.log(`${bytes} bytes`);
}
