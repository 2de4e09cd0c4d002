/**
 * Soak: the end-to-end fault suite at full size (`test/e2e/faults.test.ts` runs the same
 * scenarios, with the same assertions, small). A users CSV of 20,000 rows (one bad row in 211,
 * a third of the good ids already in PX) is loaded by the CLI and killed with SIGKILL at three
 * seeded random points (1,500 to 5,500 requests into each run), resumed each time, then through
 * 10% mixed faults (429 storms, 5xx, resets before and after processing, hangs) on 3,000 rows.
 * Both must end with the records of a clean run, no duplicate create and each bad row once.
 *
 *   node --import tsx bench/src/soak/faults.ts [--rows 20000] [--kills 3] [--fault-rows 3000]
 *
 * Prints a line per scenario on stderr and, last on stdout, one JSON line of figures; exits 1
 * when a check fails (its assertion message on stderr).
 */

import { tempDir } from '../../../test/helpers/cli.js';
import { inputAndReference, killAndResume, mixedFaults } from '../../../test/helpers/fault-scenarios.js';
import { arg, report } from '../case-args.js';

const rows = Number(arg('rows', '20000'));
const kills = Number(arg('kills', '3'));
const faultRows = Number(arg('fault-rows', '3000'));

const { dir, cleanup } = await tempDir();
try {
  const big = await inputAndReference(dir, rows, 'users');
  const killed = await killAndResume({
    dir,
    ...big,
    kills,
    // 1,500 to 5,500 requests into each run at 20,000 rows: in proportion for other sizes.
    killAfterRequests: { first: Math.round(rows * 0.075), spread: Math.round(rows * 0.2) },
    rate: 3000,
  });
  process.stderr.write(
    `kill -9 and resume: ${killed.rows} rows, killed at requests ${killed.requestsAtKills.join(', ')}, ` +
      `${killed.requests} requests, ${killed.updated} updated, ${killed.inserted} inserted, ` +
      `${killed.rejected} rejected, ${killed.seconds} s: same records as a clean run, no duplicate\n`,
  );
  const small = await inputAndReference(dir, faultRows, 'faulty');
  const faulted = await mixedFaults({
    dir,
    ...small,
    rate: 1000,
    rateLimit: { perSecond: 400, burst: 40 },
    faults: { seed: 7, serverError: 0.03, resetBefore: 0.02, resetAfter: 0.03, hang: 0.01 },
    timeoutMs: 500,
  });
  process.stderr.write(
    `mixed faults: ${faulted.rows} rows, ${faulted.requests} requests, ${faulted.rateLimited} answered 429, ` +
      `faults ${JSON.stringify(faulted.faults)}, ${faulted.retries} retries, ${faulted.seconds} s: ` +
      `same records as a clean run, no duplicate\n`,
  );
  report({ killAndResume: killed, mixedFaults: faulted, passed: true });
} finally {
  await cleanup();
}
