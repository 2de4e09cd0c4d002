#!/usr/bin/env node
// `pnpm release`: builds the workspace (tsc -b) and packs `pxstream` into one tarball that
// installs alone, dist-release/pxstream-<version>.tgz, and prints its path (the only line on
// stdout; the rest goes to stderr).
//
// The `@pxstream/*` packages are not on the npm registry, so they travel inside the tarball:
// npm's bundleDependencies, under node_modules/@pxstream/<name>, each with its package.json,
// its dist and its bin (no src, no tests, no source maps, which point at the src left out).
// The third-party packages they need (commander, csv-parse, stream-json...) become ordinary
// dependencies of pxstream, with the ranges the packages declare, so npm fetches them from the
// registry and Node finds them from inside the bundle (up the node_modules chain).
//
// It stages a copy of packages/pxstream in a temporary directory with the bundled packages in
// its node_modules, rewrites the package.json files there (no workspace: left), and runs
// `npm pack` on it. The workspace itself is never written, except dist-release/.
//
// Usage: node scripts/release.mjs [--out <dir>] [--skip-build]
//   --out <dir>     where the tarball goes (default: dist-release at the repository root); the
//                   pxstream-*.tgz already there are removed first, so that it holds the one
//   --skip-build    pack the dist directories as they are (after a build of your own)
import { execFileSync } from 'node:child_process';
import { cp, mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const MAIN = 'pxstream';
/** What each staged package keeps beside the directories its `files` lists. */
const ALWAYS = ['package.json', 'README.md', 'LICENSE'];
/** Never staged: sources (not shipped), build info, source maps of those sources, tests. */
const LEFT_OUT = [/\.tsbuildinfo$/, /\.map$/, /\.test\.[cm]?[jt]s$/, /(^|\/)test(\/|$)/];
/** dist files whose source is gone: left out (tsc -b never deletes what it once wrote). */
const stale = [];
/** package.json fields that mean nothing once packed. */
const DROPPED_FIELDS = ['devDependencies', 'scripts', 'private', 'publishConfig'];

const USAGE = 'usage: node scripts/release.mjs [--out <dir>] [--skip-build]';
const argv = process.argv.slice(2);
let out = join(ROOT, 'dist-release');
let build = true;
for (let i = 0; i < argv.length; i++) {
  if (argv[i] === '--out' && argv[i + 1]) out = resolve(argv[++i]);
  else if (argv[i] === '--skip-build') build = false;
  else {
    console.error(`release: unknown argument ${argv[i]}\n${USAGE}`);
    process.exit(2);
  }
}

const log = (line) => console.error(`release: ${line}`);
/** What stops a release with a message of its own (anything else is a bug: its stack is shown). */
class ReleaseError extends Error {}
/** Stops with `message` on stderr and exit code 1 (no stack: the message says it all). */
function fail(message) {
  console.error(`release: ${message}`);
  process.exit(1);
}

/** name -> { dir, pkg } for every package under packages/. */
async function workspacePackages() {
  const found = new Map();
  for (const entry of await readdir(join(ROOT, 'packages'))) {
    const dir = join(ROOT, 'packages', entry);
    const pkg = await readFile(join(dir, 'package.json'), 'utf8').then(JSON.parse, () => undefined);
    if (pkg?.name) found.set(pkg.name, { dir, pkg });
  }
  return found;
}

const isWorkspace = (range) => typeof range === 'string' && range.startsWith('workspace:');

/** The workspace packages `name` needs at run time (its dependencies, transitively), sorted. */
function bundledClosure(name, packages) {
  const seen = new Set();
  const visit = (from) => {
    for (const [dep, range] of Object.entries(packages.get(from).pkg.dependencies ?? {})) {
      if (!isWorkspace(range) || seen.has(dep)) continue;
      if (!packages.has(dep))
        throw new ReleaseError(`${from} depends on ${dep} (${range}): no such workspace package`);
      seen.add(dep);
      visit(dep);
    }
  };
  visit(name);
  return [...seen].sort();
}

/** The third-party dependencies of `names`, merged; one range per package or it stops. */
function thirdParty(names, packages) {
  const merged = new Map();
  for (const name of names) {
    for (const [dep, range] of Object.entries(packages.get(name).pkg.dependencies ?? {})) {
      if (isWorkspace(range)) continue;
      const had = merged.get(dep);
      if (had && had.range !== range) {
        throw new ReleaseError(
          `${dep}: ${had.from} wants ${had.range}, ${name} wants ${range}; make them agree`,
        );
      }
      merged.set(dep, { range, from: had?.from ?? name });
    }
  }
  return Object.fromEntries(
    [...merged].sort(([a], [b]) => a.localeCompare(b)).map(([dep, { range }]) => [dep, range]),
  );
}

/**
 * A bundled package's `dependencies`: its workspace ones at their exact versions (bundled beside
 * it), and none of its third-party ones, which pxstream declares instead. Declared here too, npm
 * would count them as bundled in a global install (`npm install -g` nests them beside the
 * bundle, where arborist takes a dependency of a bundled package for part of the bundle) and
 * leave them empty.
 */
function bundledDependencies(dependencies, packages) {
  return Object.fromEntries(
    Object.entries(dependencies ?? {})
      .filter(([, range]) => isWorkspace(range))
      .map(([dep]) => [dep, packages.get(dep).pkg.version]),
  );
}

/** Copies what `pkg` ships from `from` to `to`: its `files` but src, and README, LICENSE. */
async function stageFiles(from, to, pkg) {
  const shipped = (pkg.files ?? ['dist']).filter((entry) => entry !== 'src' && !entry.startsWith('src/'));
  await mkdir(to, { recursive: true });
  for (const entry of [...shipped, ...ALWAYS.filter((f) => f !== 'package.json')]) {
    const source = join(from, entry);
    if (!(await stat(source).catch(() => undefined))) {
      if (shipped.includes(entry)) throw new ReleaseError(`${pkg.name}: ${entry} is missing (built?)`);
      continue;
    }
    await cp(source, join(to, entry), {
      recursive: true,
      filter: async (path) => {
        const rel = relative(from, path);
        if (LEFT_OUT.some((re) => re.test(rel))) return false;
        if (!(await compiledFromSource(from, rel))) {
          stale.push(`${pkg.name}: ${rel}`);
          return false;
        }
        return true;
      },
    });
  }
  return shipped;
}

const COMPILED = [
  [/\.d\.ts$/, '.ts'],
  [/\.js$/, '.ts'],
  [/\.d\.mts$/, '.mts'],
  [/\.mjs$/, '.mts'],
  [/\.d\.cts$/, '.cts'],
  [/\.cjs$/, '.cts'],
];

/** Whether `rel` (relative to a package) is not a dist file, or one whose src file exists. */
async function compiledFromSource(from, rel) {
  if (!rel.startsWith('dist/')) return true;
  const rule = COMPILED.find(([re]) => re.test(rel));
  if (!rule) return true;
  const exists = (file) =>
    stat(join(from, file)).then(
      (found) => found.isFile(),
      () => false,
    );
  const source = `src/${rel.slice('dist/'.length).replace(rule[0], rule[1])}`;
  return (await exists(source)) || (rule[1] === '.ts' && (await exists(`${source}x`)));
}

function packageJson(pkg, fields) {
  const copy = { ...pkg, ...fields };
  for (const field of DROPPED_FIELDS) delete copy[field];
  for (const [field, value] of Object.entries(fields)) if (value === undefined) delete copy[field];
  return `${JSON.stringify(copy, null, 2)}\n`;
}

/** Builds, stages and packs; resolves to the tarball's path. */
async function release() {
  const packages = await workspacePackages();
  const main = packages.get(MAIN);
  if (!main) throw new ReleaseError(`no packages/* is named ${MAIN}`);

  if (build) {
    log('building (tsc -b)');
    try {
      execFileSync(process.execPath, [join(ROOT, 'node_modules/typescript/bin/tsc'), '-b'], {
        cwd: ROOT,
        stdio: ['ignore', 2, 2],
      });
    } catch {
      throw new ReleaseError('the build failed (tsc -b, above): nothing packed');
    }
  }

  const bundled = bundledClosure(MAIN, packages);
  const dependencies = thirdParty([MAIN, ...bundled], packages);
  const stage = await mkdtemp(join(tmpdir(), 'pxstream-release-'));
  try {
    const top = join(stage, 'package');
    const shipped = await stageFiles(main.dir, top, main.pkg);
    for (const name of bundled) {
      const { dir, pkg } = packages.get(name);
      const to = join(top, 'node_modules', name);
      const files = await stageFiles(dir, to, pkg);
      await writeFile(
        join(to, 'package.json'),
        packageJson(pkg, { files, dependencies: bundledDependencies(pkg.dependencies, packages) }),
      );
    }
    // npm bundles what is both a dependency and in bundleDependencies: the workspace packages at
    // their exact versions (already in the tarball, so npm never asks the registry for them).
    const pinned = Object.fromEntries(bundled.map((name) => [name, packages.get(name).pkg.version]));
    const manifest = packageJson(main.pkg, {
      files: shipped,
      dependencies: Object.fromEntries(
        Object.entries({ ...dependencies, ...pinned }).sort(([a], [b]) => a.localeCompare(b)),
      ),
      bundleDependencies: bundled,
      bundledDependencies: undefined,
    });
    if (manifest.includes('workspace:')) throw new ReleaseError('a workspace: range is left in package.json');
    await writeFile(join(top, 'package.json'), manifest);

    // The one tarball: earlier ones (another version) go; nothing else in `out` is touched.
    await mkdir(out, { recursive: true });
    for (const entry of await readdir(out)) {
      if (/^pxstream-.*\.tgz$/.test(entry)) await rm(join(out, entry), { force: true });
    }
    const packed = JSON.parse(
      execFileSync(
        'npm',
        ['pack', '--json', '--ignore-scripts', '--loglevel=error', '--pack-destination', out],
        {
          cwd: top,
          encoding: 'utf8',
          stdio: ['ignore', 'pipe', 2],
        },
      ),
    )[0];
    if (stale.length > 0) {
      log(
        `left out ${stale.length} dist file(s) with no source (built before their src moved): ${stale.slice(0, 3).join(', ')}${stale.length > 3 ? '...' : ''}`,
      );
    }
    const tarball = join(out, packed.filename);
    const missing = bundled.filter((name) => !packed.bundled.includes(name));
    if (missing.length > 0) throw new ReleaseError(`npm pack left out ${missing.join(', ')}`);
    log(
      `${packed.name}@${packed.version}: ${packed.entryCount} files, ${(packed.size / 1024).toFixed(0)} kB ` +
        `(${bundled.length} @pxstream packages bundled; from the registry: ${Object.keys(dependencies).join(', ')})`,
    );
    return tarball;
  } finally {
    await rm(stage, { recursive: true, force: true });
  }
}

try {
  const tarball = await release();
  const shown = relative(process.cwd(), tarball);
  console.log(shown.startsWith('..') ? tarball : shown);
} catch (error) {
  if (!(error instanceof ReleaseError)) throw error;
  fail(error.message);
}
