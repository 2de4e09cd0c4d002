#!/usr/bin/env node
// The README's main job: load the bundled sample users with --insert-missing into a PX emulator
// started inside the process. Always the emulator: PX_API_KEY, PX_PRODUCT_KEY and PX_BASE_URL
// in the environment do not send the sample to a real PX (to load into PX, run pxstream itself).
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const args = [
  'packages/pxstream/bin/pxstream.js',
  '--emulator',
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
