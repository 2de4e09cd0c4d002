import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import { ROOT } from '../helpers/cli.js';

const run = promisify(execFile);
const PNPM = JSON.parse(await readFile(join(ROOT, 'package.json'), 'utf8')).packageManager as string;

/** The name of every package a user can install: the workspace's non-private packages. */
async function publicPackages(): Promise<string[]> {
  const names: string[] = [];
  for (const name of await readdir(join(ROOT, 'packages'))) {
    const pkg = JSON.parse(
      await readFile(join(ROOT, 'packages', name, 'package.json'), 'utf8').catch(() => '{}'),
    );
    if (pkg.name && !pkg.private) names.push(pkg.name);
  }
  return names;
}

const pnpm = (args: string[], cwd: string) =>
  run('npx', ['--yes', PNPM, ...args], { cwd, maxBuffer: 64 * 1024 * 1024 });

/**
 * Issue 17: packed tarballs install with npm outside the workspace, and the command and the
 * README's library example run from there.
 */
describe('the packed packages install and run outside the repository', { timeout: 240_000 }, () => {
  let dir: string;
  let tarballs: Map<string, string>;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'pxstream-pack-'));
    const out = join(dir, 'tarballs');
    await mkdir(out);
    // One pnpm for all of them (a pnpm per package costs seconds of CPU each).
    const filters = (await publicPackages()).flatMap((name) => ['--filter', name]);
    await pnpm([...filters, 'pack', '--pack-destination', out], ROOT);
    tarballs = new Map();
    for (const file of await readdir(out)) {
      const listing = (await run('tar', ['xzf', join(out, file), '-O', 'package/package.json'])).stdout;
      tarballs.set(JSON.parse(listing).name, join(out, file));
    }
    // Every package from its tarball (overrides reach the ones pxstream depends on), the
    // third-party ones from the registry.
    const file = (name: string) => `file:${tarballs.get(name)}`;
    await writeFile(
      join(dir, 'package.json'),
      JSON.stringify({
        name: 'pxstream-user',
        private: true,
        type: 'module',
        dependencies: { pxstream: file('pxstream') },
        overrides: Object.fromEntries([...tarballs.keys()].map((name) => [name, file(name)])),
      }),
    );
    await run('npm', ['install', '--no-audit', '--no-fund', '--loglevel=error'], {
      cwd: dir,
      maxBuffer: 64 * 1024 * 1024,
    });
  });
  after(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('every tarball: no .tsbuildinfo, a source for every source map, a LICENSE, a README, repository and keywords', async () => {
    assert.ok(tarballs.size >= 14, `${tarballs.size} packages packed`);
    for (const [name, tarball] of tarballs) {
      const files = (await run('tar', ['tzf', tarball])).stdout.split('\n').filter(Boolean);
      assert.deepEqual(
        files.filter((f) => f.endsWith('.tsbuildinfo')),
        [],
        `${name} ships build info`,
      );
      for (const wanted of ['package/LICENSE', 'package/README.md', 'package/package.json']) {
        assert.ok(files.includes(wanted), `${name} lacks ${wanted}`);
      }
      for (const map of files.filter((f) => f.endsWith('.js.map'))) {
        const source = map.replace(/^package\/dist\//, 'package/src/').replace(/\.js\.map$/, '.ts');
        assert.ok(files.includes(source), `${name}: ${map} points at ${source}, not shipped`);
      }
      const pkg = JSON.parse((await run('tar', ['xzf', tarball, '-O', 'package/package.json'])).stdout);
      assert.ok(pkg.repository?.url && pkg.keywords?.length > 0, `${name}: repository and keywords`);
      assert.ok(!JSON.stringify(pkg.dependencies ?? {}).includes('workspace:'), `${name}: workspace: left`);
    }
  });

  it('pxstream --help and --version run from the installed bin', async () => {
    const bin = join(dir, 'node_modules/.bin/pxstream');
    const help = await run(bin, ['--help'], { cwd: dir });
    assert.match(help.stdout, /pxstream \[options\] <config\.json> <TYPE> <input>/);
    const version = await run(bin, ['--version'], { cwd: dir });
    const pkg = JSON.parse(await readFile(join(dir, 'node_modules/pxstream/package.json'), 'utf8'));
    assert.equal(version.stdout.trim(), pkg.version);
  });

  it("the README's library example runs as written: 500 objects inserted", async () => {
    const readme = await readFile(join(ROOT, 'README.md'), 'utf8');
    const block = /<!-- library-example[^>]*-->\n```js\n([\s\S]*?)\n```/.exec(readme)?.[1];
    assert.ok(block, 'the README holds the library example');
    await writeFile(join(dir, 'readme-example.mjs'), block);
    const result = await run(process.execPath, ['readme-example.mjs'], { cwd: dir });
    assert.equal(result.stdout.trim(), '{ updated: 0, inserted: 500, skipped: 0, rejected: 0 }');
  });

  it('load(): typed objects, a CSV with a rejects file, and a base URL without /v1 (coded, before any row)', async () => {
    await writeFile(join(dir, 'check.mjs'), CHECK_SCRIPT);
    await writeFile(
      join(dir, 'users.csv'),
      'id,email,score\nc-1,c1@example.com,1\nc-2,not-an-email,2\nc-3,c3@example.com,x\nc-4,c4@example.com,4\n',
    );
    const result = await run(process.execPath, ['check.mjs'], { cwd: dir });
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

  it('types resolve under TypeScript node16 and bundler module resolution', async () => {
    await writeFile(
      join(dir, 'typed.ts'),
      `import { load, type LoadReport, LoadError } from 'pxstream';
const report: LoadReport = await load({ config: 'px.json', type: 'USER', input: [{ id: 'a' }] });
const n: number = report.inserted + report.updated;
export const e: LoadError | undefined = n > 0 ? undefined : undefined;
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
        { cwd: dir },
      ).catch((error: { stdout: string }) => error);
      assert.equal(result.stdout, '', `${resolution.join(' ')}: ${result.stdout}`);
    };
    await Promise.all([
      check(['--module', 'node16', '--moduleResolution', 'node16']),
      // The .d.ts files are checked in full once (above); here only how they resolve.
      check(['--module', 'esnext', '--moduleResolution', 'bundler', '--skipLibCheck']),
    ]);
  });
});

/** Run in the install directory: what a script author writes, outside the monorepo. */
const CHECK_SCRIPT = `
import { readFile } from 'node:fs/promises';
import { load, startEmulator } from 'pxstream';

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
