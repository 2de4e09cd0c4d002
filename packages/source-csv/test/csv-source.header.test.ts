import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { collect } from './collect.js';

describe('csv source: bad headers are fatal before any row', () => {
  const cases: { name: string; header: string; code: string; names: RegExp }[] = [
    { name: 'duplicate name', header: 'id,email,id', code: 'CSV_DUPLICATE_HEADER', names: /"id"/ },
    {
      name: 'duplicate once trimmed',
      header: 'id,email, email ',
      code: 'CSV_DUPLICATE_HEADER',
      names: /"email"/,
    },
    { name: 'two duplicates', header: 'a,b,a,b', code: 'CSV_DUPLICATE_HEADER', names: /"a", "b"/ },
    { name: 'empty name', header: 'id,,email', code: 'CSV_EMPTY_HEADER', names: /position 2/ },
    {
      name: 'blank name once trimmed',
      header: 'id, \t,email',
      code: 'CSV_EMPTY_HEADER',
      names: /position 2/,
    },
    { name: 'trailing delimiter', header: 'id,email,', code: 'CSV_EMPTY_HEADER', names: /position 3/ },
    {
      name: 'unclosed quote in the header',
      header: '"id,email',
      code: 'CSV_QUOTE_NOT_CLOSED',
      names: /line 1/,
    },
    {
      name: 'invalid quote in the header',
      header: 'id,"em"ail',
      code: 'CSV_INVALID_CLOSING_QUOTE',
      names: /line 1/,
    },
  ];
  for (const c of cases) {
    it(`${c.name} -> ${c.code}`, async () => {
      const got = await collect(`${c.header}\n1,a@x,z\n2,b@x,z\n`);
      assert.ok(got.error, 'the stream must error');
      assert.equal(got.error.code, c.code);
      assert.equal(got.error.fatal, true);
      assert.match(got.error.message, c.names);
      assert.equal(got.rows.length, 0);
      assert.equal(got.rejections.length, 0);
      assert.equal(got.headers.length, 0);
    });
  }

  it('a header over maxRecordSize is fatal', async () => {
    const got = await collect(`${'h'.repeat(50)},b\n1,2\n`, { maxRecordSize: 20 });
    assert.equal(got.error?.code, 'CSV_RECORD_TOO_LARGE');
    assert.equal(got.error?.fatal, true);
    assert.equal(got.rows.length, 0);
  });

  it('trims header names', async () => {
    const got = await collect(' id\t, email \n1,a\n');
    assert.deepEqual(got.columns, ['id', 'email']);
  });
});
