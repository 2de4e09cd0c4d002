import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { findJsonError } from '@pxstream/config';

describe('findJsonError: position of the first syntax error', () => {
  const cases: [string, number, number, string][] = [
    ['{"a": 1,}', 1, 9, 'trailing comma'],
    ['{"a": 1\n "b": 2}', 2, 2, 'expected "," or "}"'],
    ["{'a': 1}", 1, 2, 'expected a double-quoted property name'],
    ['{"a": tru}', 1, 7, 'unexpected character (expected a value)'],
    ['{"a": "x\ny"}', 1, 9, 'control character (such as a line break) inside a string'],
    ['{"a": [1, 2,]}', 1, 13, 'trailing comma'],
    ['{"a": 1', 1, 8, 'unexpected end of input'],
    ['', 1, 1, 'unexpected end of input'],
    ['{} {}', 1, 4, 'unexpected characters after the end of the JSON value'],
    ['{"a": "\\x"}', 1, 8, 'bad escape in a string'],
    ['{"a": -}', 1, 7, 'bad number'],
    ['{\n\n  "a" 1}', 3, 7, 'expected ":" after a property name'],
  ];
  for (const [text, line, column, reason] of cases) {
    it(`${JSON.stringify(text)} -> ${line}:${column} ${reason}`, () => {
      assert.throws(() => JSON.parse(text));
      const found = findJsonError(text);
      assert.deepEqual(found && { line: found.line, column: found.column, reason: found.reason }, {
        line,
        column,
        reason,
      });
    });
  }
  const valid = ['{}', '[]', '{"a": [1, -2.5e3, true, false, null, "\\u00e9\\n"]}', ' 1 '];
  for (const text of valid) {
    it(`${JSON.stringify(text)} is valid`, () => assert.equal(findJsonError(text), undefined));
  }
});
