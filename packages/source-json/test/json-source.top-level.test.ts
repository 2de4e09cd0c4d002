import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createJsonArraySource } from '@pxstream/source-json';
import { collect, errorView } from './collect.js';

describe('json array source: a top level that is not an array is a fatal error', () => {
  const cases: { name: string; input: string | Buffer; code: string; line: number; message: RegExp }[] = [
    {
      name: 'JSON-lines',
      input: '{"a":1}\n{"a":2}\n{"a":3}\n',
      code: 'JSON_LOOKS_LIKE_JSONL',
      line: 1,
      message: /one JSON object per line .* JSON-lines: read it with -f jsonl/,
    },
    {
      name: 'JSON-lines after blank lines, with a BOM',
      input: '\ufeff\n\n{"a":{"b":"}"}}\r\n\r\n{"a":2}\r\n',
      code: 'JSON_LOOKS_LIKE_JSONL',
      line: 3,
      message: /lines 3 and 5 .* -f jsonl/,
    },
    {
      name: 'JSON-lines whose first line holds an escaped quote before a brace',
      input: '{"a":"x\\"}"}\n{"a":2}\n',
      code: 'JSON_LOOKS_LIKE_JSONL',
      line: 1,
      message: /lines 1 and 2/,
    },
    {
      name: 'pretty-printed objects one after the other (jq without -s)',
      input: '{\n  "a": 1\n}\n{\n  "a": 2\n}\n',
      code: 'JSON_NOT_ARRAY',
      line: 1,
      message: /several top-level values \(the first on line 1, the next on line 4\).*jq -s/,
    },
    {
      name: 'objects one after the other on one line',
      input: '{"a":1}{"a":2}\n',
      code: 'JSON_NOT_ARRAY',
      line: 1,
      message: /several top-level values/,
    },
    {
      name: 'one object',
      input: '{"users":[{"a":1},{"a":2}]}\n',
      code: 'JSON_NOT_ARRAY',
      line: 1,
      message: /top level is an object \(line 1\).*jq '\.users'/,
    },
    {
      name: 'an object never closed',
      input: '{"a":1,',
      code: 'JSON_NOT_ARRAY',
      line: 1,
      message: /top level is an object/,
    },
    {
      name: 'a number',
      input: '42\n',
      code: 'JSON_NOT_ARRAY',
      line: 1,
      message: /starts with '4' on line 1/,
    },
    {
      name: 'a string',
      input: '\n"[1]"',
      code: 'JSON_NOT_ARRAY',
      line: 2,
      message: /starts with '"' on line 2/,
    },
    { name: 'null', input: 'null', code: 'JSON_NOT_ARRAY', line: 1, message: /starts with 'n'/ },
    {
      name: 'CSV',
      input: 'id,email\nu1,a@b.c\n',
      code: 'JSON_NOT_ARRAY',
      line: 1,
      message: /starts with 'i'/,
    },
    {
      name: 'a binary file',
      input: '\u0000\u0001',
      code: 'JSON_NOT_ARRAY',
      line: 1,
      message: /starts with byte 0x00/,
    },
    {
      name: 'half a BOM',
      input: Buffer.from([0xef, 0xbb]),
      code: 'JSON_NOT_ARRAY',
      line: 1,
      message: /starts with byte 0xef/,
    },
  ];
  for (const c of cases) {
    it(`${c.name} -> ${c.code}`, async () => {
      for (const chunkSize of [0, 1]) {
        const got = await collect(c.input, {}, chunkSize);
        assert.deepEqual(errorView(got.error), { code: c.code, line: c.line, fatal: true });
        assert.match(got.error!.message, c.message);
        assert.equal(got.rows.length, 0);
        assert.equal(got.rejections.length, 0);
      }
    });
  }

  it('the verdict on a big object comes after maxRecordSize bytes, not at the end of the input', async () => {
    const source = createJsonArraySource({ maxRecordSize: 1000 });
    const failed = new Promise<Error & { code?: string }>((resolve) => source.on('error', resolve));
    source.write('{"a":"');
    let written = 6;
    while (source.errored === null && written < 100_000) {
      source.write('x'.repeat(100));
      written += 100;
    }
    const error = await failed;
    assert.equal(error.code, 'JSON_NOT_ARRAY');
    assert.ok(written <= 1200, `failed after ${written} bytes`);
  });
});
