// Runs several test files in this one process (started with `--import tsx`), which saves the
// start of a TypeScript-loading process per file and the loading and warming up of the same
// packages in each. Used by run-tests.mjs.
//
//   node --import tsx scripts/test-group.mjs <file>...                  one file after another
//   node --import tsx scripts/test-group.mjs --at-once <n> <file>...     up to n files at once
//
// One after another: each file is imported in turn and registers its tests with node:test's root,
// which runs them in order (a package's unit tests: short, and busy on the CPU).
//
// At once (the end-to-end files, which spend most of their time waiting on a rate-limited
// emulator): the files are imported inside one suite of concurrency n, so that up to n files'
// suites run together. A suite inherits its parent's concurrency, so each file's top-level
// suites and tests are given concurrency 1 (as at the root of a file of their own) unless they
// ask for another: node:test's `describe`, `it` and `test` are wrapped for the files and Node's
// built-in ESM exports synced (`syncBuiltinESMExports`). A file must register nothing at its top
// level but suites and tests: a hook there (`before()`) would belong to the whole group.
import { createRequire, syncBuiltinESMExports } from 'node:module';
import { pathToFileURL } from 'node:url';

const require = createRequire(import.meta.url);
const nodeTest = require('node:test');

const args = process.argv.slice(2);
let atOnce = 1;
if (args[0] === '--at-once') {
  atOnce = Number(args[1]);
  args.splice(0, 2);
  if (!Number.isInteger(atOnce) || atOnce < 1)
    throw new Error('test-group: --at-once takes a whole number >= 1');
}
const load = async () => {
  for (const file of args) await import(pathToFileURL(file).href);
};

/** `register(name?, options?, fn?)` with `concurrency: 1` unless the options name one. */
function oneAtATime(register) {
  const wrapped = (...params) => {
    const at = params.findIndex((p) => typeof p === 'object' && p !== null);
    if (at === -1) params.splice(typeof params[0] === 'string' ? 1 : 0, 0, { concurrency: 1 });
    else if (params[at].concurrency === undefined) params[at] = { ...params[at], concurrency: 1 };
    return register(...params);
  };
  return Object.assign(wrapped, register);
}

if (atOnce === 1) await load();
else {
  const { describe } = nodeTest;
  for (const name of ['describe', 'suite', 'it', 'test']) {
    if (typeof nodeTest[name] === 'function') nodeTest[name] = oneAtATime(nodeTest[name]);
  }
  syncBuiltinESMExports();
  describe(`${args.length} files, ${atOnce} at once`, { concurrency: atOnce }, load);
}
