#!/usr/bin/env node
// The README's main job: load the bundled sample users with --insert-missing. Into the PX of
// the given credentials when PX_API_KEY is set (PX_PRODUCT_KEY then names the product; the
// data center is the config's US unless PX_BASE_URL says otherwise), else into a PX emulator
// started inside the process.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const real = (process.env.PX_API_KEY ?? '').trim() !== '';
if (real && (process.env.PX_PRODUCT_KEY ?? '').trim() === '') {
  console.error(
    'pxstream demo: PX_API_KEY is set, so the sample goes to PX: set PX_PRODUCT_KEY too (the product to load into).',
  );
  process.exit(2);
}
const args = [
  'packages/pxstream/bin/pxstream.js',
  ...(real ? [] : ['--emulator']),
  '--insert-missing',
  '--config',
  'examples/pxstream.json',
  '--type',
  'USER',
  ...process.argv.slice(2),
  'examples/users.csv',
];
const run = spawnSync(process.execPath, args, { cwd: root, stdio: 'inherit' });
process.exit(run.status ?? 1);
