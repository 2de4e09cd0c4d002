import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/**
 * Records every module Node loads (a `load` hook appends its URL to a file) and imports
 * `specifier` from `cwd`: the URLs of the files under an emulator package it loaded.
 */
export async function emulatorFilesLoaded(specifier: string, cwd: string): Promise<string[]> {
  const hooks = `import { appendFileSync } from 'node:fs';
export async function load(url, context, next) {
  appendFileSync(process.env.PXSTREAM_LOADED, url + '\\n');
  return next(url, context);
}`;
  const register = `import { register } from 'node:module';
register(${JSON.stringify(`data:text/javascript,${encodeURIComponent(hooks)}`)});`;
  const script = `import { readFileSync } from 'node:fs';
await import(${JSON.stringify(specifier)});
process.stdout.write(readFileSync(process.env.PXSTREAM_LOADED, 'utf8'));`;
  const dir = await mkdtemp(join(tmpdir(), 'pxstream-loaded-'));
  try {
    const { stdout } = await run(
      process.execPath,
      [
        '--import',
        `data:text/javascript,${encodeURIComponent(register)}`,
        '--input-type=module',
        '-e',
        script,
      ],
      { cwd, env: { ...process.env, PXSTREAM_LOADED: join(dir, 'loaded.txt') } },
    );
    const loaded = stdout.split('\n').filter(Boolean);
    assert.ok(
      loaded.some((url) => url.includes('/pxstream/')),
      `the hook saw the modules loaded: ${loaded.length} URLs`,
    );
    return loaded.filter((url) => /\/(packages|@pxstream)\/emulator\//.test(url));
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
