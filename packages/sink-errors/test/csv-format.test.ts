import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createRedactor } from '@pxstream/core';
import { formatCsvRejection, quoteCsvField, REJECT_COLUMNS, rejectsCsvHeader } from '../src/index.js';
import { COLUMNS, csvRejection, KEY } from './helpers.js';

describe('rejectsCsvHeader', () => {
  it('writes the input columns, then the reject columns', () => {
    assert.deepEqual(REJECT_COLUMNS, ['_line', '_stage', '_code', '_status', '_message']);
    assert.equal(rejectsCsvHeader(COLUMNS), 'id,email,note,_line,_stage,_code,_status,_message\n');
    assert.equal(rejectsCsvHeader(COLUMNS, ';'), 'id;email;note;_line;_stage;_code;_status;_message\n');
  });

  it('drops a byte order mark the first column name kept, and quotes names that need it', () => {
    assert.equal(rejectsCsvHeader(['\uFEFFid', 'a,b']), 'id,"a,b",_line,_stage,_code,_status,_message\n');
  });

  it('writes the reject columns alone when the input columns never came', () => {
    assert.equal(rejectsCsvHeader([]), '_line,_stage,_code,_status,_message\n');
  });
});

describe('quoteCsvField', () => {
  const cases: Array<[value: string, delimiter: string, expected: string]> = [
    ['plain', ',', 'plain'],
    ['', ',', ''],
    ['a,b', ',', '"a,b"'],
    ['a,b', ';', 'a,b'],
    ['a;b', ';', '"a;b"'],
    ['a\tb', '\t', '"a\tb"'],
    ['a|b', '|', '"a|b"'],
    ['say "hi"', ',', '"say ""hi"""'],
    ['"', ',', '""""'],
    ['two\nlines', ',', '"two\nlines"'],
    ['cr\rhere', ',', '"cr\rhere"'],
    ['crlf\r\n', ',', '"crlf\r\n"'],
    [' leading', ',', '" leading"'],
    ['trailing ', ',', '"trailing "'],
    ['\ttab first', ',', '"\ttab first"'],
    ['in side', ',', 'in side'],
    ['=SUM(A1:A2)', ',', '=SUM(A1:A2)'],
    ['+1', ',', '+1'],
    ['Zoë 名前 🚀', ',', 'Zoë 名前 🚀'],
  ];
  for (const [value, delimiter, expected] of cases) {
    it(`${JSON.stringify(value)} with ${JSON.stringify(delimiter)} -> ${JSON.stringify(expected)}`, () => {
      assert.equal(quoteCsvField(value, delimiter), expected);
    });
  }

  it('refuses a delimiter that cannot be written unambiguously', () => {
    for (const delimiter of ['', '"', '\n', '\r']) {
      assert.throws(() => quoteCsvField('x', delimiter), { code: 'REJECTS_INVALID_OPTION' });
    }
  });
});

describe('formatCsvRejection', () => {
  it('writes the row, then line, stage, code, status and message', () => {
    const line = formatCsvRejection(
      csvRejection(['1', 'a@b', 'n'], { status: 400, stage: 'send', code: 'PX_HTTP_400' }, 7),
      COLUMNS,
    );
    assert.equal(line, '1,a@b,n,7,send,PX_HTTP_400,400,email is not an email\n');
  });

  it('leaves _status empty without a status and uses the delimiter everywhere', () => {
    assert.equal(
      formatCsvRejection(csvRejection(['1', 'a;b', 'n'], { message: 'x; y' }), COLUMNS, ';'),
      '1;"a;b";n;2;validate;VALIDATE_INVALID_EMAIL;;"x; y"\n',
    );
  });

  it('pads a row with fewer fields and adds its raw text to the message', () => {
    const rejection = csvRejection(['1', 'a'], {
      stage: 'parse',
      code: 'CSV_RECORD_INCONSISTENT_FIELDS_LENGTH',
      message: 'line 2: 2 fields, the header has 3',
      raw: '1,a',
    });
    assert.equal(
      formatCsvRejection(rejection, COLUMNS),
      '1,a,,2,parse,CSV_RECORD_INCONSISTENT_FIELDS_LENGTH,,"line 2: 2 fields, the header has 3 | raw: 1,a"\n',
    );
  });

  it('keeps the first fields of a row with more, and its whole raw text in the message', () => {
    const rejection = csvRejection(['1', 'a', 'b', 'c'], {
      stage: 'parse',
      code: 'CSV_RECORD_INCONSISTENT_FIELDS_LENGTH',
      message: 'too many',
      raw: '1,a,b,c',
    });
    assert.equal(
      formatCsvRejection(rejection, COLUMNS),
      '1,a,b,2,parse,CSV_RECORD_INCONSISTENT_FIELDS_LENGTH,,"too many | raw: 1,a,b,c"\n',
    );
  });

  it('rebuilds the text of extra fields when the rejection has no raw text', () => {
    const rejection = csvRejection(['1', 'a', 'b', 'c,d', 'e"f'], { message: 'too many' });
    assert.equal(
      formatCsvRejection(rejection, COLUMNS),
      '1,a,b,2,validate,VALIDATE_INVALID_EMAIL,,"too many | raw: 1,a,b,""c,d"",""e""""f"""\n',
    );
  });

  it('writes a row that could not be split as empty cells and its raw text, still one record', () => {
    const rejection = csvRejection([], {
      stage: 'parse',
      code: 'CSV_QUOTE_NOT_CLOSED',
      message: 'quote not closed',
      raw: '7,"open\nstill open',
    });
    assert.equal(
      formatCsvRejection(rejection, COLUMNS),
      ',,,2,parse,CSV_QUOTE_NOT_CLOSED,,"quote not closed | raw: 7,""open\nstill open"\n',
    );
  });

  it('does not add raw text to a row whose fields are all there', () => {
    assert.doesNotMatch(formatCsvRejection(csvRejection(['1', 'a', 'b']), COLUMNS), /raw:/);
  });

  it('redacts values, the message and the raw text', () => {
    const rejection = csvRejection(['1', `${KEY}@x`, 'n'], {
      message: `bad ${KEY}`,
      raw: `1,${KEY}`,
      stage: 'parse',
    });
    const line = formatCsvRejection(rejection, COLUMNS, ',', createRedactor([KEY]));
    assert.equal(
      line,
      '1,[REDACTED]@x,n,2,parse,VALIDATE_INVALID_EMAIL,,"bad [REDACTED] | raw: 1,[REDACTED]"\n',
    );
  });
});
