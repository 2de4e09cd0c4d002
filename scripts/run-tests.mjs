#!/usr/bin/env node
// Runs every *.test.ts under packages/*/test, test/ and bench/test with Node's built-in test
// runner (TypeScript loaded by tsx). Node 20's --test takes no globs, so we list the files.
// Usage: node scripts/run-tests.mjs [path-substring ...]   (filters the file list)
import { spawnSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const roots = ['packages', 'test', 'bench'];
const skipDirs = new Set(['node_modules', 'dist', 'fixtures', 'data', 'out']);

function walk(dir, found) {
  let entries;
  try {
    entries = readdirSync(dir);
  } catch {
    return found;
  }
  for (const name of entries) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) {
      if (!skipDirs.has(name)) walk(path, found);
    } else if (name.endsWith('.test.ts')) {
      found.push(relative(root, path));
    }
  }
  return found;
}

const filters = process.argv.slice(2);
const files = roots
  .flatMap((dir) => walk(join(root, dir), []))
  .filter((file) => filters.length === 0 || filters.some((f) => file.includes(f)))
  .sort();
if (files.length === 0) {
  console.error('run-tests: no test files found');
  process.exit(1);
}
const result = spawnSync(process.execPath, ['--import', 'tsx', '--test', '--test-reporter=spec', ...files], {
  cwd: root,
  stdio: 'inherit',
  env: { ...process.env, NODE_ENV: 'test' },
});
process.exit(result.status ?? 1);
