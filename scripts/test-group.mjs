// Runs test files in this one process. Used by run-tests.mjs, which gives the compiled files
// (compile-tests.mjs); TypeScript files run with `--import tsx`.
//
//   node scripts/test-group.mjs [--at-once <n>] <file.test.ts.mjs>...
//   node --import tsx scripts/test-group.mjs [--at-once <n>] <file.test.ts>...
//
// Several files share a process: it saves the start of a TypeScript-loading process per file and
// the loading and warming up of the same packages in each (measured on 6 end-to-end files,
// 2026-12-07: 22.0 s of CPU as 6 processes, 11.4 s in one).
//
// The files are imported inside one suite whose concurrency is n (default 1): up to n files'
// suites run together (the end-to-end files spend most of their time waiting on a rate-limited
// emulator). A suite inherits its parent's concurrency, so each file's top-level suites and
// tests are given concurrency 1 (as at the root of a file of their own) unless they ask for
// another: node:test's `describe`, `it` and `test` are wrapped for the files, and Node's built-in
// ESM exports synced (`syncBuiltinESMExports`). A hook at a file's top level (`before()`)
// belongs to the whole group.
//
// node:test finds the test a `describe()` or `it()` call belongs to with an async hook (init and
// destroy) that it keeps enabled for the whole run: every promise of every test then pays for
// it. Measured on the sink's 30 files, 2026-12-07: 4.3 s of their 18.8 s of CPU (23%) were that
// hook. Every suite and test here is declared while the files load, so the hook is disabled once
// they have (the group suite's `before`). What is lost: an uncaught error in a test's
// asynchronous work is no longer pinned to that test; node:test reports it as a top-level
// diagnostic and the process still exits 1.
import asyncHooks from 'node:async_hooks';
import { createRequire, syncBuiltinESMExports } from 'node:module';
import { pathToFileURL } from 'node:url';

const args = process.argv.slice(2);
let atOnce = 1;
if (args[0] === '--at-once') {
  atOnce = Number(args[1]);
  args.splice(0, 2);
  if (!Number.isInteger(atOnce) || atOnce < 1)
    throw new Error('test-group: --at-once takes a whole number >= 1');
}

// The harness takes `createHook` from async_hooks when node:test is first loaded: below.
const createHook = asyncHooks.createHook;
const hooks = [];
asyncHooks.createHook = (callbacks) => {
  const hook = createHook(callbacks);
  hooks.push(hook);
  return hook;
};
const nodeTest = createRequire(import.meta.url)('node:test');
const { before, describe } = nodeTest;

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
for (const name of ['describe', 'suite', 'it', 'test']) {
  if (typeof nodeTest[name] === 'function') nodeTest[name] = oneAtATime(nodeTest[name]);
}
syncBuiltinESMExports();

// run-tests.mjs gives the compiled files (`x.test.ts.mjs`): a suite is named after its source.
const title =
  args.length === 1 ? args[0].replace(/\.ts\.mjs$/, '.ts') : `${args.length} files, ${atOnce} at once`;
describe(title, { concurrency: atOnce }, async () => {
  before(() => {
    asyncHooks.createHook = createHook;
    for (const hook of hooks) hook.disable();
  });
  for (const file of args) await import(pathToFileURL(file).href);
});
