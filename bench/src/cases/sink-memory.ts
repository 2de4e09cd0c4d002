/**
 * Case 2b: flat memory under a real load, where the PX sink's backpressure must reach the file
 * read. The CLI loads N and 5N users in update mode into an empty emulator in its own process
 * (no limit, no latency): every row is one PUT answered 404 and skipped, so the client runs
 * as fast as it can and the emulator stores nothing. Peak RSS from the CLI's own report, and,
 * for the larger load, its RSS sampled from /proc (Linux) through the run: the peak of the
 * second half of the run against that of the first says whether memory grows with rows read.
 */
import { spawn } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { arg, report } from '../case-args.js';
import { generate } from '../generate.js';
import { benchConfig, CLI, scratch, startEmulatorProcess } from '../util.js';

const small = Number(arg('rows', '200000'));
const factor = Number(arg('factor', '5'));
const SAMPLE_MS = 200;

/** The child's resident set in MB, or undefined once it is gone (or off Linux). */
async function rssMb(pid: number): Promise<number | undefined> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8').catch(() => '');
  const kb = /VmRSS:\s+(\d+) kB/.exec(status)?.[1];
  return kb === undefined ? undefined : Number(kb) / 1024;
}

const { dir, cleanup } = await scratch();
const px = await startEmulatorProcess(['--no-rate-limit']);
try {
  const config = await benchConfig(dir, px.baseUrl);
  const load = async (rows: number) => {
    const input = join(dir, `users-${rows}.csv`);
    await generate({ type: 'USER', format: 'csv', rows, out: input });
    const reportPath = join(dir, `report-${rows}.json`);
    const args = [CLI, '-q', '-t', 'USER', '-c', config, '--rate', '100000', '--report', reportPath, input];
    const child = spawn(process.execPath, args, {
      cwd: dir,
      stdio: 'ignore',
      env: { ...process.env, PX_API_KEY: '' },
    });
    const samples: number[] = [];
    const timer = setInterval(async () => {
      const mb = child.pid === undefined ? undefined : await rssMb(child.pid);
      if (mb !== undefined) samples.push(mb);
    }, SAMPLE_MS);
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    clearInterval(timer);
    if (code !== 0 && code !== 3) throw new Error(`pxstream exited ${code}`);
    const json = JSON.parse(await readFile(reportPath, 'utf8'));
    const half = Math.floor(samples.length / 2);
    return {
      rows,
      peakRssMb: json.peakRssBytes / 2 ** 20,
      requestsPerSecond: json.requests / (json.durationMs / 1000),
      firstHalfPeakMb: Math.max(0, ...samples.slice(0, half)),
      secondHalfPeakMb: Math.max(0, ...samples.slice(half)),
      accounted: json.rows.read === rows && json.rows.skipped + json.rows.rejected === rows,
    };
  };
  const a = await load(small);
  const b = await load(small * factor);
  report({
    small: a,
    large: b,
    ratio: b.peakRssMb / a.peakRssMb,
    growth: b.firstHalfPeakMb > 0 ? b.secondHalfPeakMb / b.firstHalfPeakMb : 0,
    accounted: a.accounted && b.accounted,
  });
} finally {
  await px.close();
  await cleanup();
}
