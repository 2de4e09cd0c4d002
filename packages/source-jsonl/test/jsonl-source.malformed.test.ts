import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { collect, rejectionView } from './collect.js';

describe('jsonl source: bad lines are rejected, the rest flows', () => {
  const cases: { name: string; line: string; code: string }[] = [
    { name: 'truncated object', line: '{"a":1', code: 'JSONL_INVALID_JSON' },
    { name: 'trailing comma', line: '{"a":1,}', code: 'JSONL_INVALID_JSON' },
    { name: 'single quotes', line: "{'a':1}", code: 'JSONL_INVALID_JSON' },
    { name: 'two objects on one line', line: '{"a":1}{"a":2}', code: 'JSONL_INVALID_JSON' },
    { name: 'plain text', line: 'hello', code: 'JSONL_INVALID_JSON' },
    { name: 'array', line: '[{"a":1}]', code: 'JSONL_NOT_OBJECT' },
    { name: 'number', line: '42', code: 'JSONL_NOT_OBJECT' },
    { name: 'string', line: '"text"', code: 'JSONL_NOT_OBJECT' },
    { name: 'null', line: 'null', code: 'JSONL_NOT_OBJECT' },
    { name: 'boolean', line: 'true', code: 'JSONL_NOT_OBJECT' },
  ];
  for (const c of cases) {
    it(`${c.name} -> ${c.code}`, async () => {
      const got = await collect(`{"n":1}\n${c.line}\n{"n":2}\n`);
      assert.equal(got.error, undefined);
      assert.deepEqual(
        got.rows.map((r) => [r.index, r.line, r.fields]),
        [
          [0, 1, { n: 1 }],
          [2, 3, { n: 2 }],
        ],
      );
      assert.deepEqual(got.rejections.map(rejectionView), [{ code: c.code, line: 2, index: 1 }]);
      const [rejection] = got.rejections;
      assert.equal(rejection!.stage, 'parse');
      assert.equal(rejection!.raw, c.line);
      assert.equal(rejection!.row.endOffset, `{"n":1}\n${c.line}\n`.length);
      assert.doesNotMatch(rejection!.message, /\n/);
    });
  }

  const mixed = [
    '{"id":1}', // 1 row 0
    '{"id":2', // 2 rejected 1: invalid
    '', // 3 blank
    '[1,2]', // 4 rejected 2: not an object
    '{"id":3,"nested":{"x":[1]}}', // 5 row 3
    `{"id":"${'x'.repeat(100)}"}`, // 6 rejected 4: too large
    '  ', // 7 blank
    'null', // 8 rejected 5: not an object
    '{"id":4}', // 9 row 6
  ].join('\r\n');
  for (const chunkSize of [0, 1, 2, 3, 7]) {
    it(`mixed file: exactly the good lines pass (chunks of ${chunkSize || 'all'} bytes)`, async () => {
      const got = await collect(mixed, { maxLineSize: 60 }, chunkSize);
      assert.equal(got.error, undefined);
      assert.deepEqual(
        got.rows.map((r) => [r.index, r.line, r.fields]),
        [
          [0, 1, { id: 1 }],
          [3, 5, { id: 3, nested: { x: [1] } }],
          [6, 9, { id: 4 }],
        ],
      );
      assert.deepEqual(got.rejections.map(rejectionView), [
        { code: 'JSONL_INVALID_JSON', line: 2, index: 1 },
        { code: 'JSONL_NOT_OBJECT', line: 4, index: 2 },
        { code: 'JSONL_LINE_TOO_LARGE', line: 6, index: 4 },
        { code: 'JSONL_NOT_OBJECT', line: 8, index: 5 },
      ]);
      assert.deepEqual(got.events, [0, 1, 2, 3, 4, 5, 6]);
      assert.deepEqual({ ...got.counts }, { in: 7, out: 3, rejected: 4 });
    });
  }
});
