import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { emulatorFilesLoaded } from '../helpers/loaded-modules.js';

const run = promisify(execFile);
const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const EXAMPLES = join(ROOT, 'examples');
const MAX_BUFFER = 64 * 1024 * 1024;
/** npm as fast as it goes: the cache first, no audit, no funding notes, errors only. */
const NPM_INSTALL = ['install', '--prefer-offline', '--no-audit', '--no-fund', '--loglevel=error'];

interface Manifest {
  name: string;
  version: string;
  dependencies?: Record<string, string>;
  bundleDependencies?: string[];
  repository?: { url?: string };
  keywords?: string[];
}

/** The workspace's packages (packages/*): name -> package.json. */
async function workspaceManifests(): Promise<Map<string, Manifest>> {
  const found = new Map<string, Manifest>();
  for (const entry of await readdir(join(ROOT, 'packages'))) {
    const text = await readFile(join(ROOT, 'packages', entry, 'package.json'), 'utf8').catch(() => undefined);
    if (text) found.set(JSON.parse(text).name, JSON.parse(text));
  }
  return found;
}

/**
 * Issue 23: `pnpm release` makes one tarball, and that tarball alone installs with npm outside
 * the workspace, as a library (`npm install <tarball>`) and as a command (`npm install -g`):
 * the `@pxstream/*` packages inside it, the third-party ones from the registry.
 */
describe('the release tarball installs alone and runs outside the repository', {
  // Generous: two npm installs from the registry and a dozen node processes, on 2 busy cores.
  timeout: 285_000,
  // The tests use files of their own in the installs: all at once.
  concurrency: true,
}, () => {
  let dir: string;
  let tarball: string;
  /** A user's project with the tarball installed (`npm install <tarball>`). */
  let project: string;
  /** A global prefix with the tarball installed (`npm install -g --prefix`). */
  let prefix: string;
  before(
    async () => {
      dir = await mkdtemp(join(tmpdir(), 'pxstream-release-test-'));
      const out = join(dir, 'release');
      const release = await run(process.execPath, [join(ROOT, 'scripts/release.mjs'), '--out', out], {
        cwd: ROOT,
        maxBuffer: MAX_BUFFER,
      });
      tarball = release.stdout.trim();
      project = join(dir, 'project');
      prefix = join(dir, 'global');
      await Promise.all([mkdir(project), mkdir(prefix)]);
      await writeFile(
        join(project, 'package.json'),
        JSON.stringify({ name: 'pxstream-user', private: true, type: 'module' }),
      );
      // Both installs at once: they wait on the registry (or npm's cache) most of the time.
      await Promise.all([
        run('npm', [...NPM_INSTALL, tarball], { cwd: project, maxBuffer: MAX_BUFFER }),
        run('npm', [...NPM_INSTALL, '--global', '--prefix', prefix, tarball], {
          cwd: dir,
          maxBuffer: MAX_BUFFER,
        }),
      ]);
    },
    { timeout: 180_000 },
  );
  after(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('one tarball, pxstream-<version>.tgz: the @pxstream packages bundled, their third-party deps declared', async () => {
    const workspace = await workspaceManifests();
    const version = workspace.get('pxstream')?.version;
    assert.equal(tarball, join(dir, 'release', `pxstream-${version}.tgz`));
    assert.deepEqual(await readdir(join(dir, 'release')), [`pxstream-${version}.tgz`]);

    const files = (await run('tar', ['tzf', tarball], { maxBuffer: MAX_BUFFER })).stdout
      .split('\n')
      .filter(Boolean);
    const read = async (path: string) =>
      JSON.parse(
        (await run('tar', ['xzf', tarball, '-O', path], { maxBuffer: MAX_BUFFER })).stdout,
      ) as Manifest;
    const pkg = await read('package/package.json');
    const bundled = pkg.bundleDependencies ?? [];
    // Every workspace package pxstream needs, transitively, is inside; nothing else is.
    const needed = new Set<string>();
    const visit = (name: string) => {
      for (const [dep, range] of Object.entries(workspace.get(name)?.dependencies ?? {})) {
        if (!range.startsWith('workspace:') || needed.has(dep)) continue;
        needed.add(dep);
        visit(dep);
      }
    };
    visit('pxstream');
    assert.deepEqual([...bundled].sort(), [...needed].sort());
    assert.deepEqual(
      [
        ...new Set(
          files
            .filter((f) => f.startsWith('package/node_modules/'))
            .map((f) => f.split('/').slice(2, 4).join('/')),
        ),
      ].sort(),
      [...needed].sort(),
      'node_modules holds the bundled packages only',
    );
    // Their third-party dependencies are pxstream's, with the ranges the packages declare.
    for (const name of ['pxstream', ...needed]) {
      for (const [dep, range] of Object.entries(workspace.get(name)?.dependencies ?? {})) {
        if (!range.startsWith('workspace:'))
          assert.equal(pkg.dependencies?.[dep], range, `${name} needs ${dep}`);
      }
    }
    for (const [where, manifest] of [
      ['package', pkg],
      ...(await Promise.all(
        bundled.map(
          async (name) =>
            [
              `package/node_modules/${name}`,
              await read(`package/node_modules/${name}/package.json`),
            ] as const,
        ),
      )),
    ] as const) {
      assert.ok(!JSON.stringify(manifest).includes('workspace:'), `${where}/package.json: workspace: left`);
      assert.ok(
        manifest.repository?.url && (manifest.keywords?.length ?? 0) > 0,
        `${where}: repository and keywords`,
      );
      for (const wanted of ['package.json', 'LICENSE', 'README.md', 'dist/index.js', 'dist/index.d.ts']) {
        assert.ok(files.includes(`${where}/${wanted}`), `${where} lacks ${wanted}`);
      }
    }
    assert.deepEqual(
      files.filter((f) => /\.tsbuildinfo$|\.map$|\/src\/|\/test\/|\.test\.[jt]s$/.test(f)),
      [],
      'no sources, tests, source maps or build info',
    );
  });

  it("the README's library example runs as written from the installed tarball: 500 objects inserted", async () => {
    const readme = await readFile(join(ROOT, 'README.md'), 'utf8');
    const block = /<!-- library-example[^>]*from the packed tarball -->\n```js\n([\s\S]*?)\n```/.exec(
      readme,
    )?.[1];
    assert.ok(block, 'the README holds the library example');
    await writeFile(join(project, 'readme-example.mjs'), block);
    const result = await run(process.execPath, ['readme-example.mjs'], { cwd: project });
    assert.equal(result.stdout.trim(), '{ updated: 0, inserted: 500, skipped: 0, rejected: 0 }');
  });

  it("import 'pxstream' loads no file of the emulator; 'pxstream/emulator' does", async () => {
    assert.deepEqual(await emulatorFilesLoaded('pxstream', project), []);
    const loaded = await emulatorFilesLoaded('pxstream/emulator', project);
    assert.ok(
      loaded.some((url) => url.includes('/node_modules/pxstream/node_modules/@pxstream/emulator/dist/')),
      `the bundled emulator: ${loaded.join(' ')}`,
    );
  });

  it('every bundled package imports from inside the installed pxstream (its third-party imports resolve)', async () => {
    await writeFile(join(project, 'bundled.mjs'), BUNDLED_SCRIPT);
    const result = await run(process.execPath, ['bundled.mjs'], { cwd: project });
    const exports: Record<string, number> = JSON.parse(result.stdout);
    const pkg = JSON.parse(await readFile(join(project, 'node_modules/pxstream/package.json'), 'utf8'));
    assert.deepEqual(Object.keys(exports).sort(), [...pkg.bundleDependencies].sort());
    for (const [name, count] of Object.entries(exports)) assert.ok(count > 0, `${name} exports nothing`);
  });

  it('load(): typed objects, a CSV with a rejects file, and a base URL without /v1 (coded, before any row)', async () => {
    await writeFile(join(project, 'check.mjs'), CHECK_SCRIPT);
    await writeFile(
      join(project, 'users.csv'),
      'id,email,score\nc-1,c1@example.com,1\nc-2,not-an-email,2\nc-3,c3@example.com,x\nc-4,c4@example.com,4\n',
    );
    const result = await run(process.execPath, ['check.mjs'], { cwd: project });
    const out = JSON.parse(result.stdout);
    assert.deepEqual(out.objects.counts, { updated: 0, inserted: 500, skipped: 0, rejected: 0 });
    assert.deepEqual(out.objects.sample, {
      identifyId: 'db-7',
      email: 'user7@example.com',
      score: 7,
      globalUnsubscribe: true,
      signUpDate: Date.UTC(2024, 0, 8),
    });
    assert.equal(out.objects.withoutTitle, 166, 'null is an empty cell: no title sent');
    assert.deepEqual(out.csv.counts, { updated: 0, inserted: 2, skipped: 0, rejected: 2 });
    assert.match(out.csv.rejects, /^id,email,score,_line,_stage,_code,_status,_message\n/);
    assert.match(out.csv.rejects, /c-2,not-an-email,2,3,validate,VALIDATE_INVALID_EMAIL/);
    assert.equal(out.wrongBaseUrl.code, 'PX_WRONG_BASE_URL');
    assert.match(out.wrongBaseUrl.message, /must end in \/v1/);
    assert.equal(out.wrongBaseUrl.requests, 1, 'only the pre-flight request');
  });

  it("types of 'pxstream' and 'pxstream/emulator' resolve under TypeScript node16 and bundler module resolution", async () => {
    await writeFile(
      join(project, 'typed.ts'),
      `import { load, type LoadReport, LoadError, createJsonArraySource } from 'pxstream';
import { startEmulator, type EmulatorHandle } from 'pxstream/emulator';
const px: EmulatorHandle = await startEmulator({ rateLimit: false });
const report: LoadReport = await load({ config: 'px.json', type: 'USER', input: [{ id: 'a' }] });
const n: number = report.inserted + report.updated;
export const e: LoadError | undefined = n > 0 ? undefined : undefined;
export const source = createJsonArraySource;
await px.close();
`,
    );
    const tsc = join(ROOT, 'node_modules/typescript/bin/tsc');
    const check = async (resolution: string[]) => {
      const result = await run(
        process.execPath,
        [
          tsc,
          '--noEmit',
          '--strict',
          '--target',
          'es2022',
          ...resolution,
          '--typeRoots',
          join(ROOT, 'node_modules/@types'),
          '--types',
          'node',
          'typed.ts',
        ],
        { cwd: project },
      ).catch((error: { stdout: string }) => error);
      assert.equal(result.stdout, '', `${resolution.join(' ')}: ${result.stdout}`);
    };
    await Promise.all([
      // TypeScript's own lib files are not ours to check: only @types/node and pxstream's .d.ts.
      check(['--module', 'node16', '--moduleResolution', 'node16', '--skipDefaultLibCheck']),
      // The .d.ts files are checked in full once (above); here only how they resolve.
      check(['--module', 'esnext', '--moduleResolution', 'bundler', '--skipLibCheck']),
    ]);
  });

  it('installed globally: pxstream --version, --help, and an --emulator load of examples/users.csv', async () => {
    const bin = join(prefix, 'bin/pxstream');
    const cwd = join(dir, 'global-run');
    await mkdir(cwd);
    const version = await run(bin, ['--version'], { cwd });
    const pkg = JSON.parse(await readFile(join(ROOT, 'packages/pxstream/package.json'), 'utf8'));
    assert.equal(version.stdout.trim(), pkg.version);
    const help = await run(bin, ['--help'], { cwd });
    assert.match(help.stdout, /pxstream \[options\] <config\.json> <TYPE> <input>/);
    const load = await run(
      bin,
      [
        '--emulator',
        '-i',
        '--rate',
        '5000',
        '-t',
        'USER',
        '-c',
        join(EXAMPLES, 'pxstream.json'),
        join(EXAMPLES, 'users.csv'),
      ],
      { cwd, maxBuffer: MAX_BUFFER },
    );
    assert.match(load.stdout, /DONE: 0 updated, 300 inserted, 0 skipped, 0 errors/);
  });
});

/** Run in the install directory: imports each bundled package as pxstream's own code would. */
const BUNDLED_SCRIPT = `
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';

const manifest = createRequire(import.meta.url).resolve('pxstream/package.json');
const fromPxstream = createRequire(manifest);
const exports = {};
for (const name of JSON.parse(readFileSync(manifest, 'utf8')).bundleDependencies) {
  const module = await import(pathToFileURL(fromPxstream.resolve(name)).href);
  exports[name] = Object.keys(module).length;
}
console.log(JSON.stringify(exports));
`;

/** Run in the install directory: what a script author writes, outside the monorepo. */
const CHECK_SCRIPT = `
import { readFile } from 'node:fs/promises';
import { load } from 'pxstream';
import { startEmulator } from 'pxstream/emulator';

const px = await startEmulator({ rateLimit: false, apiKeys: ['user-key-0123'] });
const config = (baseUrl, mapping) => ({
  apiKey: 'user-key-0123',
  baseUrl,
  productKey: 'AP-XXXXXXXXXX-2',
  fieldMapping: { USER: mapping },
});
async function* users() {
  for (let i = 1; i <= 500; i++) {
    yield {
      id: 'db-' + i,
      email: 'user' + i + '@example.com',
      score: i % 100,
      unsubscribed: i % 7 === 0,
      signedUp: new Date(Date.UTC(2024, 0, 1 + (i % 28))),
      title: i % 3 === 0 ? null : 'Engineer',
    };
  }
}
const counts = (r) => ({ updated: r.updated, inserted: r.inserted, skipped: r.skipped, rejected: r.rejected });
const objects = await load({
  config: config(px.baseUrl, {
    identifyId: 'id', email: 'email', score: 'score', globalUnsubscribe: 'unsubscribed',
    signUpDate: 'signedUp', title: 'title',
  }),
  type: 'USER',
  input: users(),
  insertMissing: true,
  rate: 1000,
});
const dump = (await (await fetch(px.url + '/__emulator/dump?type=users')).text())
  .split('\\n').filter(Boolean).map((line) => JSON.parse(line));
const seven = dump.find((u) => u.identifyId === 'db-7');
const sample = {
  identifyId: seven.identifyId, email: seven.email, score: seven.score,
  globalUnsubscribe: seven.globalUnsubscribe, signUpDate: seven.signUpDate,
};
const withoutTitle = dump.filter((u) => !('title' in u)).length;

const csv = await load({
  config: config(px.baseUrl, { identifyId: 'id', email: 'email', score: 'score' }),
  type: 'USER',
  input: 'users.csv',
  insertMissing: true,
  rejects: 'users-rejects.csv',
});
const rejects = await readFile('users-rejects.csv', 'utf8');

const before = px.stats().requests;
const wrong = await load({
  config: config(px.url, { identifyId: 'id' }),
  type: 'USER',
  input: users(),
}).then(() => ({ code: 'resolved' }), (error) => ({ code: error.code, message: error.message }));
const requests = px.stats().requests - before;
await px.close();
console.log(JSON.stringify({
  objects: { counts: counts(objects), sample, withoutTitle },
  csv: { counts: counts(csv), rejects },
  wrongBaseUrl: { ...wrong, requests },
}));
`;
