/** Reading request bodies and writing answers, at once or trickled a few bytes at a time. */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import { type Answer, AnswerError, pxError } from './http-error.js';

export const MAX_BODY_BYTES = 1024 * 1024;

/** The request body as UTF-8 text; 413 past `limit` bytes. */
export async function readBody(req: IncomingMessage, limit = MAX_BODY_BYTES): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > limit) throw new AnswerError(pxError(413, `Request body larger than ${limit} bytes`));
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}

function encode(answer: Answer): { headers: Record<string, string>; payload: Buffer | undefined } {
  const headers: Record<string, string> = { ...answer.headers };
  let payload: Buffer | undefined;
  if (answer.raw) {
    payload = Buffer.from(answer.raw.text, 'utf8');
    headers['content-type'] = answer.raw.contentType;
  } else if (answer.body !== undefined && answer.status !== 204) {
    payload = Buffer.from(JSON.stringify(answer.body), 'utf8');
    headers['content-type'] = 'application/json; charset=utf-8';
  }
  headers['content-length'] = String(payload?.length ?? 0);
  return { headers, payload };
}

export function send(res: ServerResponse, answer: Answer): void {
  if (res.destroyed) return;
  const { headers, payload } = encode(answer);
  res.writeHead(answer.status, headers);
  res.end(payload);
}

/** Sends the headers, then the body `chunkBytes` at a time with `delayMs` between chunks. */
export async function sendTrickled(
  res: ServerResponse,
  answer: Answer,
  chunkBytes: number,
  delayMs: number,
): Promise<void> {
  if (res.destroyed) return;
  const { headers, payload } = encode(answer);
  res.writeHead(answer.status, headers);
  res.flushHeaders();
  const body = payload ?? Buffer.alloc(0);
  for (let at = 0; at < body.length; at += chunkBytes) {
    await sleep(delayMs);
    if (res.destroyed) return;
    res.write(body.subarray(at, at + chunkBytes));
  }
  if (body.length === 0) await sleep(delayMs);
  if (!res.destroyed) res.end();
}
