import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createJsonlSource, type JsonlSourceOptions } from '@pxstream/source-jsonl';

describe('createJsonlSource: invalid options throw a fatal error', () => {
  const cases: { name: string; options: JsonlSourceOptions }[] = [
    { name: 'zero maxLineSize', options: { maxLineSize: 0 } },
    { name: 'negative maxLineSize', options: { maxLineSize: -5 } },
    { name: 'fractional maxLineSize', options: { maxLineSize: 2.5 } },
    { name: 'resume at line 0', options: { resumeFrom: { line: 0, index: 0, byteOffset: 0 } } },
    { name: 'negative byte offset', options: { resumeFrom: { line: 1, index: 0, byteOffset: -1 } } },
  ];
  for (const c of cases) {
    it(c.name, () => {
      assert.throws(
        () => createJsonlSource(c.options),
        (error: Error & { code?: string; fatal?: boolean }) =>
          error.code === 'JSONL_INVALID_OPTION' && error.fatal === true,
      );
    });
  }

  it('accepts the defaults', () => {
    assert.deepEqual(createJsonlSource().counts, { in: 0, out: 0, rejected: 0 });
  });
});
