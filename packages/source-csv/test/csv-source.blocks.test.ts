import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Rejection, RowEnvelope } from '@pxstream/core';
import { type CsvBlock, CsvBlockCutter, type CsvHeaderInfo } from '../src/blocks.js';
import { CsvEngine } from '../src/engine.js';
import { createCsvSource } from '../src/source.js';

// ---------------------------------------------------------------------------------------------
// Helpers: chunkings, the reference (one engine over the whole input), the blocks parsed apart.
// ---------------------------------------------------------------------------------------------

/** A small seeded PRNG (mulberry32): the same inputs and chunk sizes on every run. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** How the input bytes are handed to `push`. */
interface Chunking {
  name: string;
  split(bytes: Buffer): Buffer[];
}

const whole: Chunking = { name: 'whole', split: (bytes) => (bytes.length > 0 ? [bytes] : []) };
const byteByByte: Chunking = {
  name: '1 byte at a time',
  split: (bytes) => Array.from({ length: bytes.length }, (_, i) => bytes.subarray(i, i + 1)),
};
function randomSizes(seed: number, max: number): Chunking {
  return {
    name: `random sizes 1..${max} (seed ${seed})`,
    split(bytes) {
      const next = prng(seed);
      const chunks: Buffer[] = [];
      for (let at = 0; at < bytes.length; ) {
        const size = 1 + Math.floor(next() * max);
        chunks.push(bytes.subarray(at, at + size));
        at += size;
      }
      return chunks;
    },
  };
}

const CHUNKINGS = [whole, byteByByte, randomSizes(1, 5), randomSizes(2, 17), randomSizes(3, 64)];
/** Block sizes for an input: the last is larger than the input (one block). */
const blockSizesFor = (bytes: Buffer) => [1, 7, 64, 1000, bytes.length + 1];

/** A row or a rejection, everything the claim says must match (index made global). */
type Outcome =
  | { kind: 'row'; index: number; line: number; fields: unknown; endOffset: number | undefined }
  | {
      kind: 'rejection';
      index: number;
      line: number;
      fields: unknown;
      endOffset: number | undefined;
      code: string;
      message: string;
      raw: string | undefined;
      stage: string;
    };

/** Runs an engine over `chunks`; its outcomes in the order it gave them (indexes as given). */
function runEngine(engine: (out: Outcome[]) => CsvEngine, chunks: Buffer[]) {
  const outcomes: Outcome[] = [];
  const e = engine(outcomes);
  for (const chunk of chunks) e.write(chunk);
  e.end();
  return { engine: e, outcomes };
}

function outputTo(outcomes: Outcome[]) {
  return {
    header: () => {},
    row: (row: RowEnvelope) =>
      outcomes.push({
        kind: 'row',
        index: row.index,
        line: row.line,
        fields: row.fields,
        endOffset: row.endOffset,
      }),
    rejection: (r: Rejection) =>
      outcomes.push({
        kind: 'rejection',
        index: r.row.index,
        line: r.row.line,
        fields: r.row.fields,
        endOffset: r.row.endOffset,
        code: r.code,
        message: r.message,
        raw: r.raw,
        stage: r.stage,
      }),
  };
}

/** The reference: one `CsvEngine` reading the whole input at once. */
function oneEngine(bytes: Buffer, maxRecordSize: number | undefined) {
  return runEngine(
    (out) =>
      new CsvEngine(
        { delimiter: undefined, maxRecordSize: maxRecordSize ?? 1 << 20, resumeFrom: undefined },
        outputTo(out),
      ),
    bytes.length > 0 ? [bytes] : [],
  );
}

/** What `createCsvSource` reports for the whole input: header getters, rows, rejections, error. */
async function viaSource(bytes: Buffer, maxRecordSize: number | undefined) {
  const source = createCsvSource(maxRecordSize === undefined ? {} : { maxRecordSize });
  const outcomes: Outcome[] = [];
  const out = outputTo(outcomes);
  source.on('rejection', out.rejection);
  source.on('data', out.row);
  const error = await new Promise<(Error & { code?: string }) | undefined>((resolve) => {
    source.on('end', () => resolve(undefined));
    source.on('error', resolve);
    if (bytes.length > 0) source.write(bytes);
    source.end();
  });
  const header: CsvHeaderInfo | undefined =
    source.columns === undefined
      ? undefined
      : {
          columns: source.columns,
          delimiter: source.delimiter!,
          hadBom: source.hadBom,
          lineBreak: source.lineBreak,
        };
  return { error, header, outcomes: outcomes.sort((a, b) => a.index - b.index) };
}

/** Feeds `chunks` to a new cutter; every block it returns, in order, and its header. */
function cut(chunks: Buffer[], blockSize: number, maxRecordSize: number | undefined) {
  const cutter = new CsvBlockCutter({ blockSize, ...(maxRecordSize === undefined ? {} : { maxRecordSize }) });
  const blocks: CsvBlock[] = [];
  for (const chunk of chunks) blocks.push(...cutter.push(chunk));
  blocks.push(...cutter.end());
  return { header: cutter.header, blocks };
}

/**
 * Parses each block with an engine of its own, as a worker thread would; the outcomes with
 * their indexes made global (block-local index + outcomes of the earlier blocks), after
 * checking that each block counts from 0.
 */
function parseBlocks(blocks: CsvBlock[], header: CsvHeaderInfo, maxRecordSize: number | undefined) {
  const all: Outcome[] = [];
  for (const block of blocks) {
    const { outcomes } = runEngine(
      (out) =>
        new CsvEngine(
          {
            delimiter: header.delimiter,
            maxRecordSize: maxRecordSize ?? 1 << 20,
            resumeFrom: { columns: header.columns, line: block.line, index: 0, byteOffset: block.byteOffset },
          },
          outputTo(out),
        ),
      [block.bytes],
    );
    assert.deepEqual(
      outcomes.map((o) => o.index),
      outcomes.map((_, i) => i),
      `the block at byte ${block.byteOffset} counts its rows and rejections from 0`,
    );
    const base = all.length;
    for (const o of outcomes) all.push({ ...o, index: o.index + base });
  }
  return all;
}

/** The physical line of the byte at `offset`: 1 + the line feeds before it. */
const physicalLine = (bytes: Buffer, offset: number) =>
  bytes.subarray(0, offset).toString('latin1').split('\n').length;

/**
 * Where the blocks are: contiguous, from the header's end to the end of the input, each with
 * the physical line of its first byte, each (but the last) at least `blockSize` bytes.
 */
function assertLaidOut(bytes: Buffer, blocks: CsvBlock[], header: CsvHeaderInfo, blockSize: number) {
  if (blocks.length === 0) return;
  const first = blocks[0]!;
  // The bytes before the first block are the header and nothing else: alone they give the same
  // header and no row, and they end with the header's line break.
  const head = oneEngine(bytes.subarray(0, first.byteOffset), undefined);
  assert.deepEqual(head.engine.columns, header.columns, 'the bytes before the first block hold the header');
  assert.deepEqual(head.outcomes, [], 'the bytes before the first block hold no record');
  assert.equal(bytes[first.byteOffset - 1], 0x0a, 'the first block starts after the header line break');
  const joined = Buffer.concat(blocks.map((b) => b.bytes));
  const after = bytes.subarray(first.byteOffset);
  assert.deepEqual(
    joined,
    after.subarray(0, joined.length),
    'the blocks hold the input after the header, in order',
  );
  // Only blank lines (which give no row) may be left out, at the end.
  assert.match(
    after.subarray(joined.length).toString('latin1'),
    /^[ \t\r\n]*$/,
    'nothing but blank lines left out',
  );
  for (let i = 0; i < blocks.length; i++) {
    const block = blocks[i]!;
    assert.ok(block.bytes.length > 0, `block ${i} is not empty`);
    if (i > 0) {
      const previous = blocks[i - 1]!;
      assert.equal(
        block.byteOffset,
        previous.byteOffset + previous.bytes.length,
        `block ${i} follows block ${i - 1}`,
      );
    }
    if (i < blocks.length - 1)
      assert.ok(block.bytes.length >= blockSize, `block ${i} holds at least blockSize`);
    assert.equal(block.line, physicalLine(bytes, block.byteOffset), `block ${i} line`);
  }
}

interface Case {
  name: string;
  input: string | Buffer;
  maxRecordSize?: number;
}

/**
 * The claim, for one input: for every block size and chunking, the blocks are laid out right,
 * the header is the source's, and the blocks parsed apart give the reference's outcomes, down
 * to the reason a rejected line gives.
 */
async function assertBlocksMatchOneEngine(
  c: Case,
  options: { chunkings?: Chunking[]; blockSizes?: number[] } = {},
): Promise<{ outcomes: Outcome[]; blocks: number }> {
  const bytes = typeof c.input === 'string' ? Buffer.from(c.input) : c.input;
  const reference = oneEngine(bytes, c.maxRecordSize);
  const source = await viaSource(bytes, c.maxRecordSize);
  assert.equal(source.error, undefined);
  assert.deepEqual(source.outcomes, reference.outcomes, 'createCsvSource agrees with one engine');
  let blockCount = 0;
  for (const blockSize of options.blockSizes ?? blockSizesFor(bytes)) {
    for (const chunking of options.chunkings ?? CHUNKINGS) {
      const where = `${c.name}: blockSize ${blockSize}, pushed ${chunking.name}`;
      const { header, blocks } = cut(chunking.split(bytes), blockSize, c.maxRecordSize);
      assert.deepEqual(header, source.header, `${where}: header`);
      if (header === undefined) {
        assert.deepEqual(blocks, [], `${where}: no header, no blocks`);
        continue;
      }
      assertLaidOut(bytes, blocks, header, blockSize);
      const got = parseBlocks(blocks, header, c.maxRecordSize);
      assert.deepEqual(got, reference.outcomes, `${where}: rows and rejections`);
      blockCount = Math.max(blockCount, blocks.length);
    }
  }
  return { outcomes: reference.outcomes, blocks: blockCount };
}

// ---------------------------------------------------------------------------------------------

/** Inputs of every kind, with the rows and rejections one engine finds in them. */
const CASES: (Case & { rows: number; rejections: number })[] = [
  {
    name: 'plain rows',
    input: 'id,name,email\n1,Ann,ann@x\n2,Bob,bob@x\n3,Cy,cy@x\n',
    rows: 3,
    rejections: 0,
  },
  { name: 'CRLF line ends', input: 'id,name\r\n1,Ann\r\n2,Bob\r\n3,Cy\r\n', rows: 3, rejections: 0 },
  { name: 'mixed LF and CRLF', input: 'id,name\n1,Ann\r\n2,Bob\n3,Cy\r\n', rows: 3, rejections: 0 },
  { name: 'a UTF-8 BOM', input: '\ufeffid,name\r\n1,Ann\r\n2,Bob\r\n', rows: 2, rejections: 0 },
  {
    name: 'semicolons detected from the header',
    input: '\ufeffid;name;city\n1;Ann;Paris, FR\n2;"B;ob";Lyon\n3;Cy;"x\ny"\n',
    rows: 3,
    rejections: 0,
  },
  {
    name: 'tabs detected from the header',
    input: 'id\tname\tnote\r\n1\tAnn\ta, b; c\r\n2\t"B\tob"\t\r\n3\tCy\t"\r\n"\r\n',
    rows: 3,
    rejections: 0,
  },
  {
    name: 'multi-byte UTF-8 (split across pushed chunks when pushed in small chunks)',
    input: 'nom,ville\nZoë,"Kraków, 🇵🇱"\né,€\n😀😀,"👩‍👩‍👧\n🎉"\nÅ,ß\n',
    rows: 4,
    rejections: 0,
  },
  {
    name: 'quoted fields with delimiters and doubled quotes',
    input: 'id,note\n1,"a, b"\n2,"say ""hi"""\n3,""\n4,""""\n"5",","\n',
    rows: 5,
    rejections: 0,
  },
  {
    name: 'line breaks inside quotes (multi-line records)',
    input: 'id,note\n1,"line1\nline2"\n2,"x\r\n\r\ny"\n3,plain\n4,"\n\n\n"\n5,"a,\n""b""\n"\n6,end\n',
    rows: 6,
    rejections: 0,
  },
  {
    name: 'a header with a line break inside quotes',
    input: '"id\r\nkey",name\r\n1,Ann\r\n2,"B\nob"\r\n3,Cy\r\n',
    rows: 3,
    rejections: 0,
  },
  {
    name: 'empty and blank lines before the header and between rows',
    input: '\n\n  \nid,name\n\n1,Ann\n   \n\t\n\r\n2,Bob\n\n \n\n',
    rows: 2,
    rejections: 0,
  },
  {
    name: 'a last row without a trailing newline',
    input: 'id,name\n1,Ann\n2,"B\nob"\n3,Cy',
    rows: 3,
    rejections: 0,
  },
  { name: 'a trailing CR at the end of input', input: 'id,name\r\n1,Ann\r\n2,Bob\r', rows: 2, rejections: 0 },
  {
    name: 'rows with the wrong number of fields',
    input: 'id,name\n1\n2,Bob,extra\n3,Cy\n,\n4,"x\ny",z\n5,Di\n',
    rows: 3,
    rejections: 3,
  },
  {
    name: 'an unclosed quote in the middle: its first line is rejected, the lines it swallowed are read again',
    input: 'id,name\n1,"oops\n2,Bob\n3,"Cy"\n4,Di\n5,"Ed\n6,Fa\n',
    rows: 4,
    rejections: 2,
  },
  {
    name: 'an unclosed quote closed on the next line, CRLF',
    input: 'id,name\r\n1,"oops\r\n2,"Bob"\r\n3,Cy\r\n',
    rows: 2,
    rejections: 1,
  },
  {
    name: 'a broken multi-line record',
    input: 'id,name\n1,"multi\nline"x\n3,Cy\n4,"ok\nok"\n',
    rows: 2,
    rejections: 2,
  },
  {
    name: 'a stray quote whose record breaks two lines later, past a block end',
    input: 'a,b\n1,"x\n2,y\n3,"z\n',
    rows: 1,
    rejections: 2,
  },
  {
    name: 'a stray quote just before a good multi-line record',
    input: 'a,b\n1,"oops\n2,"multi\nline"\n3,x\n',
    rows: 2,
    rejections: 1,
  },
  {
    name: 'stray quotes inside unquoted fields and after closing quotes',
    input: 'id,name\n1,a"b\n2,"ab"c\n3,ok\n4,"x"" y"z\n5,""\n',
    rows: 2,
    rejections: 3,
  },
  {
    name: 'an unclosed quote at the end of input',
    input: 'id,name\n1,Ann\n2,"Bob\n',
    rows: 1,
    rejections: 1,
  },
  {
    name: 'an unclosed quote at the end of input, on one line without newline',
    input: 'id,name\n1,Ann\n2,"Bob',
    rows: 1,
    rejections: 1,
  },
  {
    name: 'an unclosed quote at the end of input swallowing several lines',
    input: 'id,name\n1,Ann\n2,"Bob\n3,Cy\n4,Di\n',
    rows: 3,
    rejections: 1,
  },
  {
    name: 'records larger than a small maxRecordSize',
    input: `id,name\n1,${'a'.repeat(30)}\n2,ok\n3,"${'y'.repeat(30)}"\n4,ok\r\n5,"${'z\n'.repeat(15)}"\n6,ok\n7,${'b'.repeat(40)}`,
    maxRecordSize: 20,
    // Too large: lines 2, 4 and 23; lines 6 and 21 open quotes that outgrow the limit (their
    // first line is rejected), the 14 lines of "z" between have one field.
    rows: 3,
    rejections: 19,
  },
  {
    name: 'an unclosed quote near the top within a small maxRecordSize',
    input: `id,name\n1,"oops\n${Array.from({ length: 30 }, (_, i) => `${i + 2},name${i + 2}\n`).join('')}`,
    maxRecordSize: 24,
    rows: 30,
    rejections: 1,
  },
  {
    // Read with a larger limit, lines 2-4 would be one record and the cut after line 4 would
    // split the record that starts there.
    name: 'a multi-line field over maxRecordSize whose last line opens a good record',
    input: 'a,b\n1,"aa\nbbbbbbbbbbbbbbbb\n",\ny",z\n2,ok\n',
    maxRecordSize: 20,
    rows: 2,
    rejections: 2,
  },
  {
    name: 'records of exactly maxRecordSize and one byte over',
    input: `a,b\n1,${'a'.repeat(18)}\r\n1,${'a'.repeat(19)}\r\n1,${'a'.repeat(18)}\n1,${'a'.repeat(19)}`,
    maxRecordSize: 20,
    rows: 2,
    rejections: 2,
  },
  {
    name: 'every malformed case between good rows (CRLF)',
    input: [
      'id,name,email',
      '1,Ann,ann@x',
      '2,"Bob "the" Builder",b@x',
      '3,Cy,cy@x,extra',
      '',
      '4,Di',
      '5,"Ed',
      'Edwards",ed@x',
      '6,Fa"ye,f@x',
      `7,${'x'.repeat(100)},g@x`,
      '8,Gus,gus@x',
      '9,"Hal,hal@x',
      '10,Ivy,ivy@x',
      '11,Jo,jo@x',
      '12,"Kim,kim@x',
      '13,"Lee",lee@x',
    ].join('\r\n'),
    maxRecordSize: 60,
    rows: 6,
    rejections: 7,
  },
];

describe('CsvBlockCutter: blocks parsed apart give the rows and rejections one engine gives', () => {
  for (const c of CASES) {
    it(`${c.name}`, async () => {
      const { outcomes } = await assertBlocksMatchOneEngine(c);
      // The reference itself reads the input as intended (a case that silently reads nothing
      // would prove nothing).
      assert.deepEqual(
        [
          outcomes.filter((o) => o.kind === 'row').length,
          outcomes.filter((o) => o.kind === 'rejection').length,
        ],
        [c.rows, c.rejections],
      );
    });
  }

  it('a line rejected for an unclosed quote gives the same reason, however the blocks fall', async () => {
    // The framer decides after reading past the line; a block that ended before those bytes
    // would make its engine say "by the end of input" instead. The smallest such inputs:
    const inputs = ['a,b\n1,"x\n2,y\n3,"z\n', 'a,b\n1,"oops\n2,"multi\nline"\n3,x\n'];
    for (const input of inputs) {
      await assertBlocksMatchOneEngine({ name: input, input }, { blockSizes: [1, 2, 5] });
    }
    await assertBlocksMatchOneEngine(
      { name: 'maxRecordSize 20', input: 'a,b\n1,"x\n2,aaaaaaaaaaaaaaaaaa\n3,c\n', maxRecordSize: 20 },
      { blockSizes: [1, 3] },
    );
  });
});

describe('CsvBlockCutter: inputs without data rows', () => {
  const headerOnly = [
    'id,name',
    'id,name\n',
    'id,name\r\n',
    '\ufeffid;name\r\n',
    '"id\nkey",name\n',
    '\n \nid,name\n',
  ];
  for (const input of headerOnly) {
    it(`header only ${JSON.stringify(input)}: the header, and no blocks`, async () => {
      const source = await viaSource(Buffer.from(input), undefined);
      for (const blockSize of [1, 1000]) {
        for (const chunking of [whole, byteByByte]) {
          const { header, blocks } = cut(chunking.split(Buffer.from(input)), blockSize, undefined);
          assert.ok(header !== undefined);
          assert.deepEqual(header, source.header);
          assert.deepEqual(blocks, [], `blockSize ${blockSize}, pushed ${chunking.name}`);
        }
      }
    });
  }

  it('header only "id,name\\r" (a CR ends the input): the header, and no blocks', () => {
    const { header, blocks } = cut([Buffer.from('id,name\r')], 1, undefined);
    assert.deepEqual(header, {
      columns: ['id', 'name'],
      delimiter: ',',
      hadBom: false,
      lineBreak: undefined,
    });
    assert.deepEqual(blocks, []);
  });

  it('a header followed by blank lines only: blocks that give no rows', async () => {
    await assertBlocksMatchOneEngine({ name: 'blank', input: 'id,name\n\n  \r\n\n' });
  });

  for (const input of ['', '\ufeff', '\n', '\n \r\n\t\n']) {
    it(`empty input ${JSON.stringify(input)}: no header and no blocks`, async () => {
      const source = await viaSource(Buffer.from(input), undefined);
      assert.equal(source.header, undefined);
      for (const chunking of [whole, byteByByte]) {
        const { header, blocks } = cut(chunking.split(Buffer.from(input)), 1, undefined);
        assert.equal(header, undefined);
        assert.deepEqual(blocks, []);
      }
    });
  }
});

describe('CsvBlockCutter: a bad header throws the fatal error the source gives', () => {
  const cases: { name: string; input: string; code: string; maxRecordSize?: number }[] = [
    { name: 'duplicate names', input: 'id,email,id\n1,a,b\n', code: 'CSV_DUPLICATE_HEADER' },
    { name: 'duplicate once trimmed', input: 'id,email, email \n1,a,b\n', code: 'CSV_DUPLICATE_HEADER' },
    { name: 'an empty name', input: 'id,,email\n1,a,b\n', code: 'CSV_EMPTY_HEADER' },
    { name: 'a trailing delimiter, no newline', input: 'id,email,', code: 'CSV_EMPTY_HEADER' },
    { name: 'an unclosed quote', input: '"id,email\n1,2\n', code: 'CSV_QUOTE_NOT_CLOSED' },
    { name: 'an invalid closing quote', input: 'id,"em"ail\n1,2\n', code: 'CSV_INVALID_CLOSING_QUOTE' },
    { name: 'CR line breaks', input: '\ufeffid;name\r1;Ann\r', code: 'CSV_UNSUPPORTED_LINE_BREAK' },
    {
      name: 'a header over maxRecordSize',
      input: `${'h'.repeat(50)},b\n1,2\n`,
      code: 'CSV_RECORD_TOO_LARGE',
      maxRecordSize: 20,
    },
  ];
  for (const c of cases) {
    it(`${c.name} -> ${c.code}`, async () => {
      const source = await viaSource(Buffer.from(c.input), c.maxRecordSize);
      assert.equal(source.error?.code, c.code);
      for (const chunking of [whole, byteByByte, randomSizes(4, 5)]) {
        const cutter = new CsvBlockCutter({ blockSize: 1, maxRecordSize: c.maxRecordSize });
        const blocks: CsvBlock[] = [];
        assert.throws(
          () => {
            for (const chunk of chunking.split(Buffer.from(c.input))) blocks.push(...cutter.push(chunk));
            blocks.push(...cutter.end());
          },
          (error: Error & { code?: string; fatal?: boolean }) =>
            error.code === c.code && error.fatal === true,
          `pushed ${chunking.name}`,
        );
        assert.deepEqual(blocks, []);
        assert.equal(cutter.header, undefined);
      }
    });
  }
});

/** A seeded CSV of `rows` records mixing every kind above (some multi-line, some malformed). */
function generated(rows: number, seed: number): string {
  const next = prng(seed);
  const pick = <T>(items: T[]): T => items[Math.floor(next() * items.length)]!;
  const word = () => pick(['Ann', 'Zoë', 'Kraków', '😀', 'a,b', 'x;y', '€uro', 'naïve', 'q"q', '', ' ']);
  const quoted = (text: string) => `"${text.replaceAll('"', '""')}"`;
  const lines: string[] = ['\ufeffid,name,note'];
  const eol = () => (next() < 0.3 ? '\r\n' : '\n');
  for (let i = 0; i < rows; i++) {
    const r = next();
    let record: string;
    if (r < 0.55) record = `${i},${quoted(word())},${quoted(word())}`;
    else if (r < 0.65)
      record = `${i},${quoted(`${word()}\n${word()}`)},${quoted(`${word()}\r\n\r\n${word()}`)}`;
    else if (r < 0.7) record = next() < 0.5 ? '' : pick([' ', '  \t', '\r']);
    else if (r < 0.75) record = `${i},only two`;
    else if (r < 0.78) record = `${i},"oops,unclosed`;
    else if (r < 0.8) record = `${i},a"b,stray`;
    else if (r < 0.82) record = `${i},"x"y,closing`;
    else if (r < 0.84) record = `${i},${'L'.repeat(150 + Math.floor(next() * 100))},big`;
    else if (r < 0.85) record = `${i},"${'M\n'.repeat(80)}",big multi-line`;
    else record = `${i},${word().replaceAll(/[",]/g, '')},plain`;
    lines.push(record + eol());
  }
  return `${lines.join('')}${rows}, last,"no newline"`;
}

describe('CsvBlockCutter: a larger generated input', () => {
  it('20,000 seeded records of every kind, blockSize 4096: the same rows and rejections as one engine', async () => {
    const input = Buffer.from(generated(20_000, 42));
    const { outcomes, blocks } = await assertBlocksMatchOneEngine(
      { name: 'generated', input, maxRecordSize: 200 },
      {
        chunkings: [whole, randomSizes(5, 64), randomSizes(6, 3000), randomSizes(7, 20_000)],
        blockSizes: [4096],
      },
    );
    const rejections = outcomes.filter((o) => o.kind === 'rejection');
    assert.ok(outcomes.length > 18_000, `${outcomes.length} outcomes`);
    assert.ok(rejections.length > 1000, `${rejections.length} rejections`);
    for (const code of ['CSV_QUOTE_NOT_CLOSED', 'CSV_RECORD_TOO_LARGE', 'CSV_INVALID_OPENING_QUOTE']) {
      assert.ok(
        rejections.some((o) => o.kind === 'rejection' && o.code === code),
        `the input has ${code}`,
      );
    }
    assert.ok(blocks > 50, `${blocks} blocks`);
  });
});

describe('CsvBlockCutter: blocks are copies', () => {
  it('overwriting the pushed bytes afterwards does not change the blocks already returned', () => {
    const input = Buffer.from('id,name\n1,Ann\n2,"B\nob"\n3,Cy\n4,Di');
    const chunks = [Buffer.from(input.subarray(0, 8)), Buffer.from(input.subarray(8))];
    const cutter = new CsvBlockCutter({ blockSize: 1 });
    const blocks = chunks.flatMap((chunk) => cutter.push(chunk));
    assert.ok(blocks.length > 0);
    for (const chunk of chunks) chunk.fill('x');
    for (const block of blocks) {
      assert.deepEqual(block.bytes, input.subarray(block.byteOffset, block.byteOffset + block.bytes.length));
    }
  });
});

describe('CsvBlockCutter: the checks above notice wrong blocks', () => {
  const input = Buffer.from('id,name\n1,"a\nb"\n2,Bob\n3,Cy\n');
  const header: CsvHeaderInfo = { columns: ['id', 'name'], delimiter: ',', hadBom: false, lineBreak: '\n' };
  const reference = oneEngine(input, undefined).outcomes;
  /** Blocks from each cut to the next, with the right offsets and lines. */
  const blocksAt = (cuts: number[]): CsvBlock[] =>
    cuts.slice(0, -1).map((from, i) => ({
      bytes: input.subarray(from, cuts[i + 1]),
      byteOffset: from,
      line: physicalLine(input, from),
    }));

  it('blocks cut at record ends pass', () => {
    const good = blocksAt([8, 16, 22, input.length]);
    assertLaidOut(input, good, header, 1);
    assert.deepEqual(parseBlocks(good, header, undefined), reference);
  });

  it('a block cut at a line break inside quotes fails', () => {
    const bad = blocksAt([8, 13, input.length]);
    assertLaidOut(input, bad, header, 1);
    assert.notDeepEqual(parseBlocks(bad, header, undefined), reference);
  });

  it('a block with a wrong line fails', () => {
    const bad = blocksAt([8, 16, input.length]);
    bad[1] = { ...bad[1]!, line: bad[1]!.line + 1 };
    assert.throws(() => assertLaidOut(input, bad, header, 1));
    assert.notDeepEqual(parseBlocks(bad, header, undefined), reference);
  });

  it('a missing or repeated block fails', () => {
    const [a, b, c] = blocksAt([8, 16, 22, input.length]);
    assert.throws(() => assertLaidOut(input, [a!, c!], header, 1));
    assert.throws(() => assertLaidOut(input, [a!, b!, b!, c!], header, 1));
    assert.throws(() => assertLaidOut(input, blocksAt([0, 8, input.length]), header, 1));
  });
});
