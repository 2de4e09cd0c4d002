import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createRedactor, PxStreamError } from '@pxstream/core';

describe('createRedactor', () => {
  const cases: Array<[string, string[], string, string]> = [
    [
      'replaces every occurrence',
      ['secret-key-1'],
      'a secret-key-1 b secret-key-1',
      'a [REDACTED] b [REDACTED]',
    ],
    ['escapes regex characters', ['k.y+(1)'], 'key k.y+(1) kxy+1', 'key [REDACTED] kxy+1'],
    ['prefers the longest secret', ['abcd', 'abcdefgh'], 'abcdefgh', '[REDACTED]'],
    ['ignores empty and short secrets', ['', 'ab'], 'ab abc', 'ab abc'],
  ];
  for (const [name, secrets, input, expected] of cases) {
    it(name, () => assert.equal(createRedactor(secrets)(input), expected));
  }
});

describe('PxStreamError', () => {
  it('carries code, flags and context', () => {
    const cause = new Error('low level');
    const error = new PxStreamError('PX_HTTP_429', 'slow down', {
      retryable: true,
      status: 429,
      line: 7,
      cause,
    });
    assert.equal(error.code, 'PX_HTTP_429');
    assert.equal(error.retryable, true);
    assert.equal(error.fatal, false);
    assert.equal(error.status, 429);
    assert.equal(error.line, 7);
    assert.equal(error.cause, cause);
    assert.ok(error instanceof Error);
  });
});
