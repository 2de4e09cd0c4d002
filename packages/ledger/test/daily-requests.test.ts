import assert from 'node:assert/strict';
import { appendFile, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { DailyRequests, dailyRequestsPath, nextUtcDay, utcDay } from '../src/index.js';
import { tempDir } from './helpers/temp.js';

const NOON = Date.UTC(2026, 11, 2, 12);
const TARGET = { baseUrl: 'https://api.aptrinsic.com/v1', productKeys: ['AP-TEST-1'] };

describe('DailyRequests', () => {
  it('lives beside the ledgers, one file per PX and product keys, whatever the record type', () => {
    const env = { PXSTREAM_LEDGER_DIR: '/srv/ledgers' };
    const path = dailyRequestsPath(TARGET, env, 'linux');
    assert.match(path, /^\/srv\/ledgers\/requests-[0-9a-f]{16}\.jsonl$/);
    assert.equal(
      dailyRequestsPath({ ...TARGET, baseUrl: 'https://api.aptrinsic.com/v1/' }, env, 'linux'),
      path,
    );
    assert.notEqual(dailyRequestsPath({ ...TARGET, productKeys: ['AP-OTHER-1'] }, env, 'linux'), path);
    assert.match(dailyRequestsPath({ ...TARGET, productKeys: [] }, env, 'linux'), /requests-[0-9a-f]{16}/);
  });

  it('counts across runs and runs at once, per UTC day', async () => {
    const path = join(await tempDir(), 'state', 'requests.jsonl');
    let now = NOON;
    const clock = () => now;
    const first = await DailyRequests.open(path, clock);
    first.add(30);
    assert.equal(first.today(), 30);
    await first.flush();
    const second = await DailyRequests.open(path, clock);
    assert.equal(second.today(), 30, 'the earlier run counted');
    second.add(5);
    first.add(2);
    await second.flush();
    await first.flush();
    assert.equal(first.today(), 37, 'what the other run appended is read back');
    assert.equal(second.today(), 35, 'until its next flush, the other run sees what was appended');
    await second.flush();
    assert.equal(second.today(), 37);
    now = nextUtcDay(NOON) + 1;
    assert.equal(first.today(), 0, 'a new UTC day starts at 0');
    first.add(1);
    await first.flush();
    const reopened = await DailyRequests.open(path, clock);
    assert.equal(reopened.today(), 1);
    assert.equal(
      await readFile(path, 'utf8'),
      `{"day":"${utcDay(now)}","requests":1}\n`,
      'older days folded away',
    );
  });

  it('skips a torn line, and waits for the end of a line being written', async () => {
    const path = join(await tempDir(), 'requests.jsonl');
    const day = utcDay(NOON);
    await writeFile(
      path,
      `{"day":"${day}","requests":4}\n{"day":"${day}","req{"day":"${day}","requests":3}\n`,
    );
    const count = await DailyRequests.open(path, () => NOON);
    assert.equal(count.today(), 4);
    await appendFile(path, `{"day":"${day}","requests":`);
    await count.flush();
    assert.equal(count.today(), 4);
    await appendFile(path, '6}\n');
    await count.flush();
    assert.equal(count.today(), 10);
  });

  it('says where it failed when the place cannot be written', async () => {
    const file = join(await tempDir(), 'a-file');
    await writeFile(file, '');
    await assert.rejects(
      DailyRequests.open(join(file, 'requests.jsonl'), () => NOON),
      {
        code: 'LEDGER_IO_FAILED',
        message: /cannot keep the daily request count at .*a-file/,
      },
    );
  });
});
