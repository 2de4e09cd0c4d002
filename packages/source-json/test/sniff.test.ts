import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { looksLikeJsonArray, sniffJsonFormat } from '@pxstream/source-json';

describe('sniffJsonFormat / looksLikeJsonArray', () => {
  const cases: { name: string; head: Buffer; format: 'json' | 'jsonl' | undefined }[] = [
    { name: 'an array', head: Buffer.from('[{"a":1}'), format: 'json' },
    { name: 'an array after whitespace and line breaks', head: Buffer.from(' \t\r\n\n[ {'), format: 'json' },
    { name: 'an array after a BOM', head: Buffer.from('\ufeff[\n'), format: 'json' },
    { name: 'an array after a BOM and whitespace', head: Buffer.from('\ufeff \n['), format: 'json' },
    { name: 'an object', head: Buffer.from('{"a":1}\n{"a":2}\n'), format: 'jsonl' },
    { name: 'an object after a BOM and whitespace', head: Buffer.from('\ufeff\r\n {'), format: 'jsonl' },
    { name: 'CSV', head: Buffer.from('id,email\n'), format: undefined },
    { name: 'CSV with a quoted header', head: Buffer.from('"id","email"\n'), format: undefined },
    { name: 'a number', head: Buffer.from('42'), format: undefined },
    { name: 'empty', head: Buffer.alloc(0), format: undefined },
    { name: 'whitespace only', head: Buffer.from(' \n\t'), format: undefined },
    { name: 'a BOM only', head: Buffer.from('\ufeff'), format: undefined },
    { name: 'half a BOM', head: Buffer.from([0xef, 0xbb]), format: undefined },
    { name: 'a BOM not at the start', head: Buffer.from(' \ufeff['), format: undefined },
    { name: 'a non-breaking space is not whitespace', head: Buffer.from('\u00a0['), format: undefined },
  ];
  for (const c of cases) {
    it(`${c.name} -> ${c.format}`, () => {
      assert.equal(sniffJsonFormat(c.head), c.format);
      assert.equal(looksLikeJsonArray(c.head), c.format === 'json');
    });
  }
});
