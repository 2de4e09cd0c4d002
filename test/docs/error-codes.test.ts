/**
 * The README's table of error codes against the code unions every package declares: a code
 * added, renamed or removed in a package without its row in the table fails here.
 */
import assert from 'node:assert/strict';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { ROOT } from '../helpers/cli.js';

/** The codes of every `export type XxxErrorCode = ... ;` union and every `readonly code = '...'` class. */
async function declaredCodes(): Promise<Set<string>> {
  const codes = new Set<string>();
  for (const name of await readdir(join(ROOT, 'packages'))) {
    const text = await readFile(join(ROOT, 'packages', name, 'src', 'errors.ts'), 'utf8').catch(() => '');
    const source = text.replace(/\/\*[\s\S]*?\*\//g, '').replace(/\/\/.*$/gm, '');
    const extra = name === 'emulator' ? await emulatorSources() : '';
    for (const union of source.matchAll(/export type \w+Code =([\s\S]*?);/g)) {
      for (const literal of union[1]!.matchAll(/'([A-Z][A-Z0-9_]+)'|`(PX_HTTP_)\$\{number\}`/g)) {
        codes.add(literal[1] ?? `${literal[2]}<status>`);
      }
    }
    for (const owned of (source + extra).matchAll(/readonly code = '([A-Z][A-Z0-9_]+)'/g))
      codes.add(owned[1]!);
  }
  return codes;
}

async function emulatorSources(): Promise<string> {
  const dir = join(ROOT, 'packages/emulator/src');
  const files = (await readdir(dir)).filter((file) => file.endsWith('.ts'));
  return (await Promise.all(files.map((file) => readFile(join(dir, file), 'utf8')))).join('\n');
}

async function tableCodes(): Promise<Map<string, string>> {
  const readme = await readFile(join(ROOT, 'README.md'), 'utf8');
  const start = readme.indexOf('<!-- error-codes:');
  assert.ok(start >= 0, 'the README has its error-code table');
  const rows = new Map<string, string>();
  for (const line of readme.slice(start).split('\n').slice(1)) {
    if (!line.startsWith('|')) {
      if (rows.size > 0) break;
      continue;
    }
    const match = /^\| `([A-Z][A-Z0-9_<>a-z]+)` +\| (\w+) +\|/.exec(line);
    if (match) rows.set(match[1]!, match[2]!);
  }
  return rows;
}

describe('error codes', () => {
  it('the README lists every code the packages declare, and no other, each with its kind', async () => {
    const declared = await declaredCodes();
    const table = await tableCodes();
    assert.ok(declared.size > 50, `${declared.size} codes found: the parser reads the unions`);
    const missing = [...declared].filter((code) => !table.has(code)).sort();
    const extra = [...table.keys()].filter((code) => !declared.has(code)).sort();
    assert.deepEqual({ missing, extra }, { missing: [], extra: [] });
    for (const [code, kind] of table) {
      assert.ok(['fatal', 'usage', 'row', 'library'].includes(kind), `${code}: kind ${kind}`);
    }
  });
});
