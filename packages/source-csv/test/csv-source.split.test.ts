import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parse } from 'csv-parse/sync';
import { splitRecord } from '../src/split.js';
import { collect } from './collect.js';

const CSV_PARSE_OPTIONS = {
  record_delimiter: ['\r\n', '\n'],
  quote: '"',
  escape: '"',
  relax_column_count: true,
  skip_empty_lines: true,
  bom: false,
};

/** csv-parse's reading of one record: its cells, or undefined when it refuses it. */
function csvParse(text: string, delimiter: string): string[] | undefined {
  try {
    const records = parse(Buffer.from(text), { ...CSV_PARSE_OPTIONS, delimiter }) as string[][];
    return records.length === 1 ? records[0] : undefined;
  } catch {
    return undefined;
  }
}

/** True when an LF stands outside quotes: the framer would have cut the record there. */
function hasBareLineBreak(text: string): boolean {
  let quoted = false;
  for (const c of text) {
    if (c === '"') quoted = !quoted;
    else if (c === '\n' && !quoted) return true;
  }
  return false;
}

describe('csv source: the hand splitter reads records exactly as csv-parse does', () => {
  it('agrees with csv-parse on 200,000 random records, and leaves every record csv-parse refuses to it', () => {
    const pieces = ['a', 'b', ' ', '"', ',', ';', '\t', '\n', '\r', '\r\n', 'é', '""', '🇵🇱', 'x'];
    let seed = 7;
    const random = () => {
      seed = (seed * 1_103_515_245 + 12_345) & 0x7fffffff;
      return seed / 0x7fffffff;
    };
    let judged = 0;
    let leftToCsvParse = 0;
    for (let n = 0; n < 200_000; n++) {
      const delimiter = random() < 0.6 ? ',' : random() < 0.5 ? ';' : '\t';
      let text = '';
      const length = Math.floor(random() * 12);
      for (let k = 0; k < length; k++) text += pieces[Math.floor(random() * pieces.length)];
      // The framer hands over records without their terminator, never with a bare LF, and
      // the engine skips blank lines before they reach the splitter.
      if (/^[ \t\r]*$/.test(text) || /[\r\n]$/.test(text) || hasBareLineBreak(text)) continue;
      const ours = splitRecord(text, delimiter);
      if (ours === undefined) {
        leftToCsvParse++;
        continue;
      }
      judged++;
      assert.deepEqual(ours, csvParse(text, delimiter), `record ${JSON.stringify(text)}`);
    }
    // Both paths were exercised: most records are judged by hand, the odd ones by csv-parse.
    assert.ok(judged > 20_000, `judged ${judged}`);
    assert.ok(leftToCsvParse > 10_000, `left ${leftToCsvParse}`);
  });

  const cases: { name: string; text: string; delimiter: string; cells: string[] | undefined }[] = [
    { name: 'plain cells', text: 'a,b,,c', delimiter: ',', cells: ['a', 'b', '', 'c'] },
    { name: 'a trailing delimiter gives an empty last cell', text: 'a,', delimiter: ',', cells: ['a', ''] },
    { name: 'quoted cells with delimiters', text: '"a,b","c"', delimiter: ',', cells: ['a,b', 'c'] },
    { name: 'doubled quotes', text: '"say ""hi""",x', delimiter: ',', cells: ['say "hi"', 'x'] },
    { name: 'a line break inside quotes', text: '"l1\r\nl2";z', delimiter: ';', cells: ['l1\r\nl2', 'z'] },
    { name: 'an empty quoted cell', text: '"",""', delimiter: ',', cells: ['', ''] },
    { name: 'a quote inside an unquoted cell', text: 'ab"c,d', delimiter: ',', cells: undefined },
    { name: 'text after a closing quote', text: '"ab"c,d', delimiter: ',', cells: undefined },
    { name: 'an unclosed quote', text: '"abc', delimiter: ',', cells: undefined },
    { name: 'a multi-unit delimiter', text: 'a🇵b🇵"c🇵"', delimiter: '🇵', cells: ['a', 'b', 'c🇵'] },
  ];
  for (const { name, text, delimiter, cells } of cases) {
    it(name, () => assert.deepEqual(splitRecord(text, delimiter), cells));
  }

  it('records the splitter leaves to csv-parse are rejected with its code, and the rows after them load', async () => {
    const got = await collect('id,name\n1, "x"\n2,"y"z\n3,a"b\n4,"ok, fine"\n');
    assert.deepEqual(
      got.rejections.map((r) => [r.row.line, r.code]),
      [
        [2, 'CSV_INVALID_OPENING_QUOTE'],
        [3, 'CSV_INVALID_CLOSING_QUOTE'],
        [4, 'CSV_INVALID_OPENING_QUOTE'],
      ],
    );
    assert.deepEqual(
      got.rows.map((row) => [row.line, row.fields]),
      [[5, ['4', 'ok, fine']]],
    );
  });
});
