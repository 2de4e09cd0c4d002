import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createRedactor, type Rejection } from '@pxstream/core';
import { formatJsonlRejection } from '../src/index.js';
import { COLUMNS } from './helpers.js';

const record = { id: 'u1', email: 'nope', nested: { tags: ['a', 'b'] } };

describe('formatJsonlRejection', () => {
  it('writes {line, stage, code, status, message, record} on one line, in that order', () => {
    const text = formatJsonlRejection({
      row: { index: 0, line: 4, fields: record },
      stage: 'send',
      code: 'PX_HTTP_400',
      status: 400,
      message: 'bad "email"\nsecond line',
    });
    assert.equal(text.endsWith('\n'), true);
    assert.equal(text.indexOf('\n'), text.length - 1, 'one line');
    assert.deepEqual(Object.keys(JSON.parse(text)), ['line', 'stage', 'code', 'status', 'message', 'record']);
    assert.deepEqual(JSON.parse(text), {
      line: 4,
      stage: 'send',
      code: 'PX_HTTP_400',
      status: 400,
      message: 'bad "email"\nsecond line',
      record,
    });
  });

  it('writes status null when the rejection has none', () => {
    const text = formatJsonlRejection({
      row: { index: 0, line: 1, fields: record },
      stage: 'map',
      code: 'MAP_X',
      message: 'm',
    });
    assert.equal(JSON.parse(text).status, null);
    assert.equal('raw' in JSON.parse(text), false);
  });

  it('writes record null and the raw text for a parse failure', () => {
    for (const [code, raw] of [
      ['JSONL_INVALID_JSON', '{"id": "u1",'],
      ['JSONL_NOT_OBJECT', '[1,2]'],
    ] as const) {
      const rejection: Rejection = {
        row: { index: 1, line: 2, fields: {} },
        stage: 'parse',
        code,
        message: 'bad line',
        raw,
      };
      assert.deepEqual(JSON.parse(formatJsonlRejection(rejection)), {
        line: 2,
        stage: 'parse',
        code,
        status: null,
        message: 'bad line',
        record: null,
        raw,
      });
    }
  });

  it('keeps an empty object that was parsed (not a parse failure) as the record', () => {
    const text = formatJsonlRejection({
      row: { index: 0, line: 1, fields: {} },
      stage: 'map',
      code: 'MAP_NO_KEY',
      message: 'm',
    });
    assert.deepEqual(JSON.parse(text).record, {});
  });

  it('writes a CSV row as an object keyed by its columns', () => {
    const text = formatJsonlRejection({
      row: { index: 0, line: 2, fields: ['1', 'a@b'], columns: COLUMNS },
      stage: 'validate',
      code: 'V',
      message: 'm',
    });
    assert.deepEqual(JSON.parse(text).record, { id: '1', email: 'a@b', note: '' });
  });

  it('redacts every string (message, values, keys, raw) and stays valid JSON for any secret', () => {
    // A secret with characters JSON escapes: redacting the serialized text would miss it.
    for (const key of ['pxk-SECRET-KEY-123456', 'se"cr\\et\nkey']) {
      const redact = createRedactor([key]);
      const text = formatJsonlRejection(
        {
          row: { index: 0, line: 1, fields: { id: key, deep: { list: [`x${key}`] }, [key]: 1 } },
          stage: 'send',
          code: 'PX_HTTP_401',
          status: 401,
          message: `key ${key} refused`,
          raw: `{"id":"${key}"`,
        },
        redact,
      );
      const parsed = JSON.parse(text);
      assert.equal(text.includes(key), false);
      assert.equal(JSON.stringify(parsed).includes(JSON.stringify(key).slice(1, -1)), false);
      assert.deepEqual(parsed.record, { id: '[REDACTED]', deep: { list: ['x[REDACTED]'] }, '[REDACTED]': 1 });
      assert.equal(parsed.message, 'key [REDACTED] refused');
      assert.equal(parsed.raw, '{"id":"[REDACTED]"');
    }
  });
});
