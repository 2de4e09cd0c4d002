// Preloaded (`node --import`) into a CLI child process whose commands have no `--report`
// (export, verify, ledger rebuild): on exit, the process's peak RSS in bytes goes to the file
// named by PXSTREAM_BENCH_PEAK_RSS, so the figure is the whole process's, as a report's would be.
import { writeFileSync } from 'node:fs';

const path = process.env.PXSTREAM_BENCH_PEAK_RSS;
if (path) {
  process.on('exit', () => {
    writeFileSync(path, String(process.resourceUsage().maxRSS * 1024));
  });
}
