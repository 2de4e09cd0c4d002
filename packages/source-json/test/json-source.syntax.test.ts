import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { collect, errorView } from './collect.js';

describe('json array source: invalid JSON is a fatal error placed on its line', () => {
  const cases: { name: string; input: string; line: number; byte: number; reason: string }[] = [
    { name: 'missing comma', input: '[\n{"a":1}\n{"a":2}\n]', line: 3, byte: 10, reason: "expected ','" },
    {
      name: 'missing comma inside an element',
      input: '[\n{"a":1},\n{"a":2 "b":3}]',
      line: 3,
      byte: 18,
      reason: "expected ','",
    },
    {
      name: 'trailing comma in an object',
      input: '[{"a":1},\n  {"a":1,}]',
      line: 2,
      byte: 19,
      reason: "unexpected token '}'",
    },
    {
      name: 'trailing comma in the array',
      input: '[{"a":1},\n{"a":2},\n]',
      line: 3,
      byte: 19,
      reason: "unexpected token ']'",
    },
    { name: 'two commas', input: '[{"a":1},,{"a":2}]', line: 1, byte: 9, reason: 'expected a value' },
    { name: 'single quotes', input: "[\n{'a':1}]", line: 2, byte: 3, reason: 'expected an object key' },
    { name: 'bad literal', input: '[{"a":1},\n{"a":tru}]', line: 2, byte: 15, reason: 'expected a value' },
    {
      name: 'bad literal as an element',
      input: '[{"a":1}, nul]',
      line: 1,
      byte: 10,
      reason: 'expected a value',
    },
    {
      name: 'raw line break in a string',
      input: '[{"a":1},\n{"a":"x\ny"},\n{"a":3}]',
      line: 2,
      byte: 17,
      reason: 'invalid character in a string (a raw control character such as a line break, or a bad escape)',
    },
    {
      name: 'bad escape',
      input: '[{"a":"\\x"}]',
      line: 1,
      byte: 7,
      reason: 'invalid character in a string (a raw control character such as a line break, or a bad escape)',
    },
    { name: 'closing brace for a bracket', input: '[{"a":[1}]', line: 1, byte: 8, reason: "expected ']'" },
    { name: 'extra closing brace', input: '[{"a":1}},{"a":2}]', line: 1, byte: 8, reason: "expected ']'" },
    {
      name: 'text after the array',
      input: '[{"a":1}]\n\n[{"a":2}]',
      line: 3,
      byte: 11,
      reason: "unexpected text after the array's closing ']'",
    },
    {
      name: 'multi-byte characters before the fault count in bytes',
      input: '[{"é":"€"} {"a":1}]',
      line: 1,
      byte: 14,
      reason: "expected ','",
    },
  ];
  for (const c of cases) {
    it(c.name, async () => {
      for (const chunkSize of [0, 1, 4]) {
        const got = await collect(c.input, {}, chunkSize);
        assert.deepEqual(errorView(got.error), { code: 'JSON_INVALID_JSON', line: c.line, fatal: true });
        assert.equal(got.error!.message, `invalid JSON on line ${c.line} (byte ${c.byte}): ${c.reason}`);
        assert.equal((got.error as { stage?: string }).stage, 'parse');
      }
    });
  }

  it('every element before the fault is emitted first, whatever the chunks', async () => {
    const input = '[{"a":1},{"a":2},\n[3],\n{"a":4}{"a":5}]';
    for (const chunkSize of [0, 1, 5, 17]) {
      const got = await collect(input, {}, chunkSize);
      assert.deepEqual(
        got.rows.map((r) => r.fields),
        [{ a: 1 }, { a: 2 }, { a: 4 }],
        `chunks of ${chunkSize}`,
      );
      assert.deepEqual(
        got.rejections.map((r) => r.row.index),
        [2],
      );
      assert.deepEqual(errorView(got.error), { code: 'JSON_INVALID_JSON', line: 3, fatal: true });
    }
  });

  it('a fault far into a big element is still placed exactly', async () => {
    const big = `{"a":"${'x'.repeat(200_000)}",\n"b":1 "c":2}`;
    const input = `[{"n":0},\n${big}]`;
    for (const chunkSize of [0, 65536, 1000]) {
      const got = await collect(input, {}, chunkSize);
      assert.deepEqual(errorView(got.error), { code: 'JSON_INVALID_JSON', line: 3, fatal: true });
      assert.equal(got.error!.message, `invalid JSON on line 3 (byte ${input.indexOf('"c"')}): expected ','`);
      assert.deepEqual(
        got.rows.map((r) => r.fields),
        [{ n: 0 }],
      );
    }
  });

  it('nothing is read after a fatal error', async () => {
    const got = await collect('[{"a":1} {"a":2}, {"a":3}]', {}, 1);
    assert.deepEqual(
      got.rows.map((r) => r.fields),
      [{ a: 1 }],
    );
    assert.deepEqual({ ...got.counts }, { in: 1, out: 1, rejected: 0 });
  });
});

describe('json array source: an array cut short is a fatal JSON_TRUNCATED', () => {
  const cases: { name: string; input: string; line: number; message: string }[] = [
    {
      name: 'inside an element',
      input: '[\n{"a":1},\n{"a":2,\n"b":"tex',
      line: 3,
      message:
        'the input ends on line 4 (byte 27) before the JSON array is closed, inside element 1, which starts on line 3: the file looks truncated',
    },
    {
      name: 'inside a number element',
      input: '[{"a":1},12',
      line: 1,
      message:
        'the input ends on line 1 (byte 11) before the JSON array is closed, inside element 1, which starts on line 1: the file looks truncated',
    },
    {
      name: 'after a comma',
      input: '[{"a":1},\n',
      line: 2,
      message:
        'the input ends on line 2 (byte 10) before the JSON array is closed, after element 0: the file looks truncated',
    },
    {
      name: 'after an element',
      input: '[{"a":1}',
      line: 1,
      message:
        'the input ends on line 1 (byte 8) before the JSON array is closed, after element 0: the file looks truncated',
    },
    {
      name: 'after the opening bracket',
      input: '\ufeff[ ',
      line: 1,
      message:
        'the input ends on line 1 (byte 5) before the JSON array is closed, before its first element: the file looks truncated',
    },
    {
      name: 'inside an escape',
      input: '[{"a":"\\u00',
      line: 1,
      message:
        'the input ends on line 1 (byte 11) before the JSON array is closed, inside element 0, which starts on line 1: the file looks truncated',
    },
  ];
  for (const c of cases) {
    it(c.name, async () => {
      for (const chunkSize of [0, 1, 3]) {
        const got = await collect(c.input, {}, chunkSize);
        assert.deepEqual(errorView(got.error), { code: 'JSON_TRUNCATED', line: c.line, fatal: true });
        assert.equal(got.error!.message, c.message);
      }
    });
  }

  it('the elements before the cut are emitted', async () => {
    const got = await collect('[{"a":1},{"a":2},{"a":', {}, 4);
    assert.deepEqual(
      got.rows.map((r) => r.fields),
      [{ a: 1 }, { a: 2 }],
    );
    assert.equal(got.error?.code, 'JSON_TRUNCATED');
  });
});
