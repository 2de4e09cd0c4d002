import assert from 'node:assert/strict';
import { open, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import type { EmulatorHandle } from '@pxstream/emulator';
import { ROOT, runInProcess, runPxstream, writeConfig } from '../helpers/cli.js';
import { EXAMPLE_ATTRIBUTES, exampleConfig } from '../helpers/configs.js';
import { USER_HEADER } from '../helpers/data.js';
import { dump, SECRET_KEY } from '../helpers/emulator.js';
import { emulatorSuite } from '../helpers/suite.js';

const FIXTURES = join(ROOT, 'test/fixtures');

interface Expectation {
  file: string;
  format?: 'csv' | 'jsonl';
  exit: number;
  /** Ids that must be in PX afterwards. */
  landed: string[];
  /** `line code` of each rejection, in order. */
  rejected: string[];
  /** A message the run must print (fatal cases). */
  says?: RegExp;
}

const CASES: Expectation[] = [
  {
    file: 'excel-export.csv',
    exit: 3,
    landed: ['f-001', 'f-003', 'f-004'],
    rejected: ['3 VALIDATE_INVALID_EMAIL'],
  },
  {
    file: 'truncated-mid-quote.csv',
    exit: 3,
    landed: ['f-001', 'f-002'],
    rejected: ['4 CSV_QUOTE_NOT_CLOSED'],
  },
  {
    file: 'ragged.csv',
    exit: 3,
    landed: ['f-001', 'f-004'],
    rejected: ['3 CSV_RECORD_INCONSISTENT_FIELDS_LENGTH', '4 CSV_RECORD_INCONSISTENT_FIELDS_LENGTH'],
  },
  { file: 'duplicate-ids.csv', exit: 0, landed: ['f-001', 'f-002', 'f-003'], rejected: [] },
  { file: 'header-only.csv', exit: 0, landed: [], rejected: [] },
  { file: 'empty.csv', exit: 0, landed: [], rejected: [], says: /empty/ },
  { file: 'utf16.csv', exit: 1, landed: [], rejected: [], says: /UTF-16/ },
  { file: 'binary-junk.bin', format: 'csv', exit: 1, landed: [], rejected: [], says: /is binary/ },
  {
    file: 'broken.jsonl',
    exit: 3,
    landed: ['j-001', 'j-003', 'j-008'],
    rejected: [
      '2 JSONL_INVALID_JSON',
      '4 JSONL_NOT_OBJECT',
      '5 JSONL_NOT_OBJECT',
      '7 VALIDATE_INVALID_EMAIL',
      '8 JSONL_NOT_OBJECT',
    ],
  },
];

const JSONL_CONFIG = {
  productKey: 'AP-DEMO00000000-2',
  fieldMapping: {
    USER: {
      identifyId: 'id',
      email: 'email',
      firstName: 'first_name',
      'customAttributes.plan': 'plan',
      score: 'score',
    },
  },
  attributeTypes: { 'customAttributes.plan': 'STRING' },
};

describe('bad-input suite: what people really send', () => {
  let px: EmulatorHandle;
  let dir: string;
  emulatorSuite({ customAttributes: EXAMPLE_ATTRIBUTES }, (suite) => ({ px, dir } = suite));

  for (const expected of CASES) {
    it(`${expected.file}: good rows land, bad rows are rejected with line and code, exit ${expected.exit}`, async () => {
      px.reset();
      const config = await writeConfig(
        dir,
        expected.file.endsWith('.jsonl')
          ? { ...JSONL_CONFIG, apiKey: SECRET_KEY, baseUrl: px.baseUrl }
          : exampleConfig(px.baseUrl),
        `${expected.file}.json`,
      );
      const errors = join(dir, `${expected.file}.rejects`);
      const report = join(dir, `${expected.file}.report.json`);
      const args = ['-t', 'USER', '-c', config, '-i', '--errors', errors, '--report', report];
      if (expected.format) args.push('--format', expected.format);
      const run = await runInProcess([...args, join(FIXTURES, expected.file)], { cwd: dir });
      assert.equal(run.code, expected.exit, run.stderr);
      if (expected.says) assert.match(run.stderr, expected.says);
      const ids = (await dump(px, 'users')).map((user) => user.identifyId).sort();
      assert.deepEqual(ids, expected.landed);
      if (expected.exit === 1) return;
      const json = JSON.parse(await readFile(report, 'utf8'));
      const rejections = expected.file.endsWith('.jsonl')
        ? (await readFile(errors, 'utf8').catch(() => ''))
            .split('\n')
            .filter(Boolean)
            .map((line) => JSON.parse(line) as { line: number; code: string })
            .map((r) => `${r.line} ${r.code}`)
        : // CSV rejects: the original columns, then _line,_stage,_code,_status,_message (in the input's delimiter).
          [
            ...(await readFile(errors, 'utf8').catch(() => '')).matchAll(
              /[,;](\d+)[,;](?:parse|map|validate|send)[,;](\w+)[,;]/g,
            ),
          ].map((m) => `${m[1]} ${m[2]}`);
      assert.deepEqual(rejections, expected.rejected, 'the rejects file names each bad row by line and code');
      assert.equal(json.rows.rejected, expected.rejected.length);
      for (const wanted of expected.rejected) {
        const [line, code] = wanted.split(' ');
        assert.match(
          run.stderr,
          new RegExp(`line ${line}: rejected \\[\\w+ ${code}`),
          `${wanted} in ${run.stderr}`,
        );
      }
      assert.equal(
        json.rows.read,
        json.rows.updated + json.rows.inserted + json.rows.skipped + json.rows.rejected,
      );
    });
  }

  it('an Excel export gets its rejects back the way Excel wrote it: BOM, CRLF and semicolons', async () => {
    px.reset();
    const config = await writeConfig(dir, exampleConfig(px.baseUrl), 'excel.json');
    const errors = join(dir, 'excel.rejects.csv');
    const run = await runInProcess(
      ['-t', 'USER', '-c', config, '-i', '--errors', errors, join(FIXTURES, 'excel-export.csv')],
      { cwd: dir },
    );
    assert.equal(run.code, 3, run.stderr);
    const bytes = await readFile(errors);
    assert.deepEqual([...bytes.subarray(0, 3)], [0xef, 0xbb, 0xbf], 'a UTF-8 byte order mark first');
    const text = bytes.toString('utf8').slice(1);
    const lines = text.split('\r\n');
    assert.equal(lines.length, 3, 'header, one rejected row, then the final CRLF');
    assert.equal(lines[2], '');
    assert.ok(!/[^\r]\n/.test(text), 'no bare LF line break');
    assert.match(lines[0] ?? '', /^id;email;.*;_line;_stage;_code;_status;_message$/);
    assert.match(lines[1] ?? '', /;3;validate;VALIDATE_INVALID_EMAIL;;/);
  });

  /** Writes users with a `megabytes` MB quoted title on the second row; returns the run's report. */
  async function loadWithHugeField(megabytes: number) {
    px.reset();
    const input = join(dir, `huge-field-${megabytes}.csv`);
    const file = await open(input, 'w');
    const good = (i: number) =>
      `h-${i},h-${i}@example.com,Ann,Lee,Engineer,Paris,IDF,FR,48.85,2.35,2024-11-02T02:52:00,pro,1,true,ACC-1\n`;
    await file.write(`${USER_HEADER}\n${good(1)}h-2,h-2@example.com,Ann,Lee,"`);
    const chunk = 'x'.repeat(1024 * 1024);
    for (let i = 0; i < megabytes; i++) await file.write(chunk);
    await file.write(`",Paris,IDF,FR,48.85,2.35,2024-11-02T02:52:00,pro,1,true,ACC-1\n${good(3)}`);
    await file.close();
    const config = await writeConfig(dir, exampleConfig(px.baseUrl), 'huge.json');
    const report = join(dir, `huge-report-${megabytes}.json`);
    // A process of its own: the report's peak RSS is the process's.
    const run = await runPxstream(['-t', 'USER', '-c', config, '-i', '--report', report, input], {
      cwd: dir,
    });
    await rm(input);
    assert.equal(run.code, 3, run.stderr);
    assert.match(run.stderr, /line 3: rejected \[parse CSV_RECORD_TOO_LARGE/);
    assert.deepEqual((await dump(px, 'users')).map((user) => user.identifyId).sort(), ['h-1', 'h-3']);
    return JSON.parse(await readFile(report, 'utf8')) as { peakRssBytes: number };
  }

  it('a 20 MB single field is rejected as too large; the rows around it land and memory stays bounded', async () => {
    const twenty = await loadWithHugeField(20);
    assert.ok(
      twenty.peakRssBytes < 250 * 1024 * 1024,
      `peak RSS ${twenty.peakRssBytes} bytes for a 20 MB field`,
    );
    // Bounded means independent of the field's size: a field three times larger costs no more
    // (a parser holding the field would need 40 MB more at least).
    const sixty = await loadWithHugeField(60);
    const grown = sixty.peakRssBytes - twenty.peakRssBytes;
    assert.ok(
      grown < 20 * 1024 * 1024,
      `peak RSS grew by ${Math.round(grown / 1048576)} MB for 40 MB more field`,
    );
  });
});
