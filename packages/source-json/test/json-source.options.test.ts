import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createJsonArraySource, type JsonArraySourceOptions } from '@pxstream/source-json';

describe('createJsonArraySource: invalid options throw a fatal error', () => {
  const cases: { name: string; options: JsonArraySourceOptions }[] = [
    { name: 'zero maxRecordSize', options: { maxRecordSize: 0 } },
    { name: 'negative maxRecordSize', options: { maxRecordSize: -5 } },
    { name: 'fractional maxRecordSize', options: { maxRecordSize: 2.5 } },
    { name: 'resume at line 0', options: { resumeFrom: { line: 0, index: 0, byteOffset: 0 } } },
    { name: 'negative index', options: { resumeFrom: { line: 1, index: -1, byteOffset: 0 } } },
    { name: 'negative byte offset', options: { resumeFrom: { line: 1, index: 0, byteOffset: -1 } } },
    { name: 'fractional byte offset', options: { resumeFrom: { line: 1, index: 0, byteOffset: 1.5 } } },
  ];
  for (const c of cases) {
    it(c.name, () => {
      assert.throws(
        () => createJsonArraySource(c.options),
        (error: Error & { code?: string; fatal?: boolean }) =>
          error.code === 'JSON_INVALID_OPTION' && error.fatal === true,
      );
    });
  }

  it('accepts the defaults', () => {
    assert.deepEqual(createJsonArraySource().counts, { in: 0, out: 0, rejected: 0 });
  });
});
