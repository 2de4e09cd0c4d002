/**
 * Puts a CSV's users into a PX server as a load would have left them, without a million API
 * requests: each row mapped and validated with the example config (the body a load sends),
 * then handed to the server's control plane. The emulator takes them streamed as NDJSON
 * (`POST /__emulator/seed`), the peer in JSON batches (`POST /_peer/seed`).
 */
import { once } from 'node:events';
import { type ClientRequest, request } from 'node:http';
import { Writable } from 'node:stream';
import type { RowEnvelope } from '@pxstream/core';
import { pipeMappedUsers } from './example-stages.js';
import type { ServerKind } from './servers.js';

/** A batch of the peer's seed: about 10 MB of JSON. */
const PEER_BATCH = 20_000;

/** Seeds every valid row of `input` as a user; resolves to the users the server took. */
export async function seedMappedUsers(kind: ServerKind, baseUrl: string, input: string): Promise<number> {
  const origin = baseUrl.replace(/\/v1$/, '');
  const target = kind === 'emulator' ? emulatorTarget(origin) : peerTarget(origin);
  const sink = new Writable({
    objectMode: true,
    highWaterMark: 256,
    write(row: RowEnvelope, _encoding, callback) {
      target.add(row.body as Record<string, unknown>).then(() => callback(), callback);
    },
  });
  await pipeMappedUsers(input, sink);
  return target.finish();
}

interface SeedTarget {
  add(body: Record<string, unknown>): Promise<void>;
  finish(): Promise<number>;
}

/** One streamed NDJSON request for the whole file, written with backpressure. */
function emulatorTarget(origin: string): SeedTarget {
  const req: ClientRequest = request(`${origin}/__emulator/seed?type=users`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-ndjson' },
  });
  const answered = once(req, 'response');
  let pending = '';
  return {
    async add(body) {
      pending += `${JSON.stringify(body)}\n`;
      if (pending.length < 1 << 16) return;
      const chunk = pending;
      pending = '';
      if (!req.write(chunk)) await once(req, 'drain');
    },
    async finish() {
      req.end(pending);
      const [res] = (await answered) as [AsyncIterable<Buffer> & { statusCode?: number }];
      let text = '';
      for await (const chunk of res) text += chunk.toString();
      if (res.statusCode !== 200) throw new Error(`emulator seed: ${res.statusCode} ${text}`);
      return (JSON.parse(text) as { users: number }).users;
    },
  };
}

/** JSON batches, one at a time (the peer parses a whole body). */
function peerTarget(origin: string): SeedTarget {
  let batch: Record<string, unknown>[] = [];
  let seeded = 0;
  const flush = async () => {
    if (batch.length === 0) return;
    const users = batch;
    batch = [];
    const response = await fetch(`${origin}/_peer/seed`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ users }),
    });
    if (!response.ok) throw new Error(`peer seed: ${response.status} ${await response.text()}`);
    seeded += ((await response.json()) as { users: number }).users;
  };
  return {
    async add(body) {
      batch.push(body);
      if (batch.length >= PEER_BATCH) await flush();
    },
    async finish() {
      await flush();
      return seeded;
    },
  };
}
