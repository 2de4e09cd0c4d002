import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { emulatorFilesLoaded } from '../helpers/loaded-modules.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const ENTRIES = { pxstream: 'index.ts', 'pxstream/emulator': 'emulator.ts' } as const;
type Entry = keyof typeof ENTRIES;

interface Row {
  name: string;
  from: Entry;
  type: boolean;
}

/** The rows of the README's "### Exports" table (under "## The library"). */
async function readmeTable(): Promise<Row[]> {
  const readme = await readFile(join(ROOT, 'README.md'), 'utf8');
  const start = readme.indexOf('\n## The library\n');
  assert.ok(start >= 0, 'README.md has "## The library"');
  const end = readme.indexOf('\n## ', start + 1);
  const library = readme.slice(start, end < 0 ? undefined : end);
  const section = /\n### Exports\n([\s\S]*?)(?=\n#|$)/.exec(library);
  assert.ok(section, 'README.md has an "### Exports" section under "## The library"');
  const rows: Row[] = [];
  for (const line of section[1].split('\n')) {
    const cells = /^\|(.*)\|$/
      .exec(line.trim())?.[1]
      .split('|')
      .map((cell) => cell.trim());
    if (!cells || cells[0] === 'name' || /^-+$/.test(cells[0] ?? '')) continue;
    const [name, from, kind] = cells;
    const bare = (cell = '') => /^`([^`]+)`$/.exec(cell)?.[1];
    assert.ok(bare(name) && bare(from), `README exports row: ${line}`);
    assert.ok((bare(from) as string) in ENTRIES, `README exports row: ${line}: from which entry?`);
    assert.ok(
      ['function', 'class', 'const', 'type'].includes(kind ?? ''),
      `README exports row: ${line}: kind`,
    );
    rows.push({ name: bare(name) as string, from: bare(from) as Entry, type: kind === 'type' });
  }
  return rows;
}

/** The names an entry's source exports as types only (`export type {...}`, `type X` in braces). */
async function typeExports(entry: Entry): Promise<string[]> {
  const source = await readFile(join(ROOT, 'packages/pxstream/src', ENTRIES[entry]), 'utf8');
  const names: string[] = [];
  for (const [, typeOnly, list] of source.matchAll(/export\s+(type\s+)?\{([^}]*)\}/g)) {
    for (const item of (list as string).split(',').map((s) => s.trim())) {
      const m = /^(type\s+)?(\w+)(?:\s+as\s+(\w+))?$/.exec(item);
      if (m && (typeOnly || m[1])) names.push(m[3] ?? (m[2] as string));
    }
  }
  return names.sort();
}

const names = (rows: Row[], from: Entry, type: boolean) =>
  rows
    .filter((row) => row.from === from && row.type === type)
    .map((row) => row.name)
    .sort();

/** Issue 23: the README's table of exports is the package's, name for name. */
describe("the README's exports table", () => {
  it('lists each name once', async () => {
    const rows = await readmeTable();
    const keys = rows.map((row) => `${row.from} ${row.name}`);
    assert.deepEqual(
      keys.filter((key, i) => keys.indexOf(key) !== i),
      [],
    );
  });

  for (const entry of Object.keys(ENTRIES) as Entry[]) {
    it(`${entry}: its values are the module's exports`, async () => {
      const module = await import(entry);
      assert.deepEqual(names(await readmeTable(), entry, false), Object.keys(module).sort());
    });

    it(`${entry}: its types are the types src/${ENTRIES[entry]} exports`, async () => {
      const types = await typeExports(entry);
      assert.ok(types.length > 0, `src/${ENTRIES[entry]} exports types`);
      assert.deepEqual(names(await readmeTable(), entry, true), types);
    });
  }

  it("createJsonArraySource is exported from 'pxstream', startEmulator only from 'pxstream/emulator'", async () => {
    const main = await import('pxstream');
    assert.equal(typeof main.createJsonArraySource, 'function');
    assert.ok(!('startEmulator' in main));
    assert.equal(typeof (await import('pxstream/emulator')).startEmulator, 'function');
  });
});

describe('the emulator is a subpath of its own', () => {
  const cwd = join(ROOT, 'test');
  it("import 'pxstream' loads no file of @pxstream/emulator", async () => {
    assert.deepEqual(await emulatorFilesLoaded('pxstream', cwd), []);
  });
  it("import 'pxstream/emulator' does (the check above can see it)", async () => {
    assert.ok((await emulatorFilesLoaded('pxstream/emulator', cwd)).length > 0);
  });
});
