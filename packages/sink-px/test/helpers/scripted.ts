/**
 * A scripted HTTP server on 127.0.0.1 for the answers the emulator does not give on demand
 * (an HTML 403 from a proxy, a duplicate appearing between our PUT and POST, a Retry-After
 * date, a body echoing the key). It records every request with its raw target.
 */
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Seen {
  method: string;
  /** The request target exactly as received (not normalised). */
  url: string;
  headers: IncomingHttpHeaders;
  body: string;
  /** When it was received, on the server's clock (`performance.now()` unless given one). */
  at: number;
}

export interface Reply {
  /** 0: no answer, the connection is reset instead. */
  status: number;
  headers?: Record<string, string>;
  body?: string | object;
}

/** The answer to a request, at once or later (a slow PX). */
export type Script = (request: Seen, index: number) => Reply | Promise<Reply>;

export interface Scripted {
  baseUrl: string;
  seen: Seen[];
  /** TCP connections accepted so far. */
  readonly connections: number;
  close(): Promise<void>;
}

/** `clock`: the time each request is stamped with (`at`); virtual time's `vt.clock` in its tests. */
export async function scripted(
  script: Script,
  clock: () => number = () => performance.now(),
): Promise<Scripted> {
  const seen: Seen[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const request: Seen = {
        method: req.method ?? '',
        url: req.url ?? '',
        headers: req.headers,
        body: Buffer.concat(chunks).toString('utf8'),
        at: clock(),
      };
      seen.push(request);
      void Promise.resolve(script(request, seen.length - 1)).then((reply) => answer(reply));
    });
    const answer = (reply: Reply) => {
      if (reply.status === 0) {
        req.socket.resetAndDestroy();
        return;
      }
      const body =
        reply.body === undefined
          ? ''
          : typeof reply.body === 'string'
            ? reply.body
            : JSON.stringify(reply.body);
      res.writeHead(reply.status, { 'content-length': Buffer.byteLength(body), ...reply.headers });
      res.end(body);
    };
  });
  let connections = 0;
  server.on('connection', () => connections++);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    baseUrl: `http://127.0.0.1:${port}/v1`,
    seen,
    get connections() {
      return connections;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

/** PX's error body. */
export function pxError(
  status: string,
  message: string,
  subErrors: Array<{ message: string }> | null = null,
) {
  return { externalapierror: { status, message, debugMessage: null, subErrors } };
}

/** A port nothing listens on (bound then released). */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}
