import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { type CsvSourceOptions, createCsvSource } from '@pxstream/source-csv';

describe('createCsvSource: invalid options throw a fatal error', () => {
  const cases: { name: string; options: CsvSourceOptions; code: string }[] = [
    { name: 'empty delimiter', options: { delimiter: '' }, code: 'CSV_INVALID_OPTION' },
    { name: 'two-character delimiter', options: { delimiter: ',,' }, code: 'CSV_INVALID_OPTION' },
    { name: 'quote as delimiter', options: { delimiter: '"' }, code: 'CSV_INVALID_OPTION' },
    { name: 'line break as delimiter', options: { delimiter: '\n' }, code: 'CSV_INVALID_OPTION' },
    { name: 'zero maxRecordSize', options: { maxRecordSize: 0 }, code: 'CSV_INVALID_OPTION' },
    { name: 'fractional maxRecordSize', options: { maxRecordSize: 1.5 }, code: 'CSV_INVALID_OPTION' },
    {
      name: 'resume without columns',
      options: { resumeFrom: { columns: [], line: 1, index: 0, byteOffset: 0 } },
      code: 'CSV_NO_HEADER',
    },
    {
      name: 'resume at line 0',
      options: { resumeFrom: { columns: ['a'], line: 0, index: 0, byteOffset: 0 } },
      code: 'CSV_INVALID_OPTION',
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      assert.throws(
        () => createCsvSource(c.options),
        (error: Error & { code?: string; fatal?: boolean }) => error.code === c.code && error.fatal === true,
      );
    });
  }

  it('accepts a tab and the defaults', () => {
    assert.equal(createCsvSource({ delimiter: '\t' }).columns, undefined);
    assert.deepEqual(createCsvSource().counts, { in: 0, out: 0, rejected: 0 });
  });
});
