import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createJsonArraySource } from '@pxstream/source-json';

describe('json array source: backpressure both ways', () => {
  it('stops parsing while nobody reads, and asks the writer to wait', async () => {
    const source = createJsonArraySource();
    const perChunk = 100;
    const chunk = (c: number) =>
      Array.from(
        { length: perChunk },
        (_, i) => `${c === 0 && i === 0 ? '[' : ','}{"n":${c * perChunk + i}}`,
      ).join('');
    const accepted: boolean[] = [];
    for (let c = 0; c < 100; c++) accepted.push(source.write(chunk(c)));
    source.end(']');
    // Parsed rows wait in the readable buffer up to its high-water mark plus one chunk's worth;
    // the rest of the input waits unparsed in the writable buffer.
    assert.ok(
      source.readableLength <= source.readableHighWaterMark + perChunk,
      `${source.readableLength} rows held`,
    );
    assert.ok(source.writableLength > 90 * chunk(1).length, `${source.writableLength} bytes held`);
    assert.equal(accepted.at(-1), false);
    let n = 0;
    for await (const row of source) assert.equal(row.fields.n, n++);
    assert.equal(n, 100 * perChunk);
  });
});
