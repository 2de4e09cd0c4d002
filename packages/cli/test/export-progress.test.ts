import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ExportProgress } from '@pxstream/load';
import { formatExportProgress } from '../src/export-progress.js';

const progress = (over: Partial<ExportProgress>): ExportProgress => ({
  records: 0,
  totalHits: undefined,
  pages: 0,
  requests: 0,
  retries: 0,
  http429: 0,
  restarts: 0,
  elapsedMs: 1000,
  ...over,
});

describe("export's progress line", () => {
  it('says the records of the total, percent, rate and ETA from totalHits', () => {
    assert.equal(
      formatExportProgress(
        progress({ records: 250_000, totalHits: 1_000_000, requests: 251, elapsedMs: 10_000 }),
      ),
      '250000 of 1000000 records 25.0% ETA 30s 25000/s | 251 requests 0 retries 0 429s',
    );
  });

  it('before the first page: records only; restarts when there were some', () => {
    assert.equal(formatExportProgress(progress({})), '0 records 0/s | 0 requests 0 retries 0 429s');
    assert.match(
      formatExportProgress(progress({ records: 10, totalHits: 10, restarts: 2 })),
      /^10 of 10 records 100\.0% 10\/s .* 2 restarts$/,
    );
  });
});
