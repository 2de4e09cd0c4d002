// Compiles the TypeScript of the tests, benchmarks and examples to JavaScript beside each file
// (`x.ts` -> `x.ts.mjs`), so run-tests.mjs runs them with plain `node`, without a loader.
//
// Why: a TypeScript loader (tsx, or any `module.register` hook) runs on a thread of its own that
// every import goes through. Measured on this 2-core machine, 2026-12-07, importing the built
// `pxstream` package: 0.45 s of CPU with plain node, 0.90 s with hooks that do nothing, 1.35 s
// with tsx; a test run starts 36 such processes (21 test processes, 15 scripts they spawn). A
// whole run took 334 s of CPU with tsx and 240 s compiled. esbuild transpiles the 265 files here
// in about 0.5 s. It only strips types: `tsc -p tsconfig.check.json` checks them.
//
// Beside each file, not in a directory of their own: the files find their fixtures, the
// repository and their own package (`@pxstream/x` from its tests) relative to where they are.
// The suffix keeps them out of everyone's way: a `./x.js` import never finds `x.ts.mjs` (tsx
// and tsc still see `x.ts`). Relative imports are rewritten: of a compiled file, to its compiled
// sibling; of a package's source (`../src/x.js`), to what `tsc -b` built of it (`../dist/x.js`,
// as every package builds src into dist; `pnpm test` builds first, `pnpm test:only` does not,
// as the packages' own names resolve to dist already). They are ignored by git and biome, and
// rewritten on every run.
//
// A file that spawns another TypeScript file of the repository runs its compiled sibling when it
// runs compiled itself (`import.meta.url` ends with `.ts.mjs`), through tsx otherwise.
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { build } from 'esbuild';

/** What tsconfig.check.json type-checks: the TypeScript outside the packages' sources. */
const ROOTS = ['packages', 'test', 'bench', 'examples'];
const SKIP_DIRS = new Set(['node_modules', 'dist', 'src', 'data', 'out']);
/** Under packages/, only the tests (the sources are built by `tsc -b` into dist). */
const inScope = (path, root) => {
  const rel = relative(root, path).split(sep).join('/');
  return !rel.startsWith('packages/') || /^packages\/[^/]+\/test\//.test(rel);
};

function walk(dir, root, found) {
  let entries;
  try {
    entries = readdirSync(dir);
  } catch {
    return found;
  }
  for (const name of entries) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) {
      // bench/src is the benchmarks' source: kept; a package's src is built by tsc -b.
      if (SKIP_DIRS.has(name) && !(name === 'src' && dir === join(root, 'bench'))) continue;
      walk(path, root, found);
    } else if (name.endsWith('.ts') && !name.endsWith('.d.ts') && inScope(path, root)) {
      found.push(path);
    }
  }
  return found;
}

/** `from "./x.js"`, `import "./x.js"`, `import("./x.js")`: esbuild prints double quotes. */
const RELATIVE_JS = /(\b(?:from|import)\s*\(?\s*)"(\.{1,2}\/[^"\n]*)\.js"/g;

/**
 * Points a compiled file's relative imports at JavaScript: a compiled file's at its compiled
 * sibling, a package source's at what `tsc -b` built of it.
 */
function rewriteImports(text, path, root, compiled) {
  const from = dirname(path);
  const packages = join(root, 'packages');
  return text.replace(RELATIVE_JS, (whole, head, stem) => {
    const target = resolve(from, stem);
    if (compiled.has(`${target}.ts`)) return `${head}"${stem}.ts.mjs"`;
    const inPackage = relative(packages, target).split(sep);
    if (inPackage[0] === '..' || inPackage[1] !== 'src') return whole;
    const built = join(packages, inPackage[0], 'dist', ...inPackage.slice(2));
    const specifier = relative(from, built).split(sep).join('/');
    return `${head}"${specifier.startsWith('.') ? specifier : `./${specifier}`}.js"`;
  });
}

/**
 * The files to compile: what tsconfig.check.json type-checks (absolute paths).
 * @param {string} root the repository
 */
export function typeScriptFiles(root) {
  return ROOTS.flatMap((dir) => walk(join(root, dir), root, []));
}

/**
 * Compiles every file into `<file>.mjs`. Returns how many files and the milliseconds it took.
 * @param {string} root the repository
 * @param {string[]} sources what typeScriptFiles() found
 */
export async function compileTests(root, sources = typeScriptFiles(root)) {
  const t0 = performance.now();
  const compiled = new Set(sources);
  const result = await build({
    entryPoints: sources,
    outdir: root,
    outbase: root,
    outExtension: { '.js': '.ts.mjs' },
    bundle: false,
    write: false,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    // Failures point at the TypeScript lines: run-tests.mjs runs node with --enable-source-maps.
    sourcemap: 'linked',
    logLevel: 'silent',
    tsconfigRaw: { compilerOptions: { verbatimModuleSyntax: true, useDefineForClassFields: true } },
  });
  for (const file of result.outputFiles) {
    const text = file.path.endsWith('.map')
      ? file.text
      : rewriteImports(file.text, file.path, root, compiled);
    // Unchanged files are left alone (a watcher or an editor is not woken up for nothing).
    let before;
    try {
      before = readFileSync(file.path, 'utf8');
    } catch {}
    if (before !== text) writeFileSync(file.path, text);
  }
  return { files: sources.length, ms: performance.now() - t0 };
}
