/**
 * The transport: one HTTP exchange over kept-alive connections, with a total timeout and an
 * abort signal. Built on `node:http`/`node:https` rather than `fetch`: the WHATWG URL parser
 * behind `fetch` rewrites `..` and `%2e%2e` path segments, and a PX id may be exactly that.
 * Here the request target is sent byte for byte as built by `paths.ts`.
 */
import {
  Agent as HttpAgent,
  request as httpRequest,
  type IncomingHttpHeaders,
  type IncomingMessage,
} from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import type { Socket } from 'node:net';

export interface HttpResponse {
  status: number;
  headers: IncomingHttpHeaders;
  text: string;
}

/**
 * How an exchange failed without an answer:
 * - `connect`: no connection (refused, unreachable, DNS, TLS handshake): nothing was sent;
 * - `reset`: the connection broke after it was up (the request may have been received);
 * - `timeout`: no complete answer in time;
 * - `aborted`: the caller gave up (client closed).
 */
export type TransportFailure = 'connect' | 'reset' | 'timeout' | 'aborted';

export class TransportError extends Error {
  override readonly name = 'TransportError';
  constructor(
    readonly kind: TransportFailure,
    /**
     * False only when the request surely never reached the server: the socket never
     * connected. Once connected, the request bytes are on their way, so it may have been
     * received (and processed) even if no byte of the answer came back.
     */
    readonly requestSent: boolean,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

export interface TransportOptions {
  baseUrl: string;
  /** Sent as `X-APTRINSIC-API-KEY`; never part of any message. */
  apiKey: string;
  /** Connections kept per host; the in-flight cap, so requests never wait for a socket (`setMaxSockets`). */
  maxSockets: number;
}

export interface RequestOptions {
  method: string;
  /** Path below the base URL's path, already encoded (`paths.ts`). */
  path: string;
  body?: string;
  timeoutMs: number;
  signal?: AbortSignal;
}

export class Transport {
  private readonly agent: HttpAgent;
  private readonly send: typeof httpRequest;
  private readonly host: string;
  private readonly port: number | undefined;
  private readonly basePath: string;
  private readonly apiKey: string;
  private readonly secure: boolean;

  constructor(options: TransportOptions) {
    const url = new URL(options.baseUrl);
    this.secure = url.protocol === 'https:';
    const agentOptions = {
      keepAlive: true,
      maxSockets: options.maxSockets,
      maxFreeSockets: options.maxSockets,
      // Most recently used socket first: the idle ones age out instead of all staying warm
      // half-used, and a fresh socket is less likely to be closed by the server under us.
      scheduling: 'lifo' as const,
    };
    this.agent = this.secure ? new HttpsAgent(agentOptions) : new HttpAgent(agentOptions);
    this.send = this.secure ? httpsRequest : httpRequest;
    // Brackets of an IPv6 literal are URL syntax, not part of the host name.
    this.host = url.hostname.replace(/^\[(.*)\]$/, '$1');
    this.port = url.port === '' ? undefined : Number(url.port);
    this.basePath = url.pathname.replace(/\/+$/, '');
    this.apiKey = options.apiKey;
  }

  request(options: RequestOptions): Promise<HttpResponse> {
    return new Promise<HttpResponse>((resolve, reject) => {
      const { signal } = options;
      if (signal?.aborted) {
        reject(new TransportError('aborted', false, 'request aborted'));
        return;
      }
      const payload = options.body === undefined ? undefined : Buffer.from(options.body, 'utf8');
      const headers: Record<string, string | number> = {
        'x-aptrinsic-api-key': this.apiKey,
        accept: 'application/json',
      };
      if (payload) {
        headers['content-type'] = 'application/json; charset=utf-8';
        headers['content-length'] = payload.length;
      }
      let connected = false;
      let settled = false;
      let timer: NodeJS.Timeout | undefined;

      const req = this.send({
        agent: this.agent,
        host: this.host,
        port: this.port,
        method: options.method,
        path: this.basePath + options.path,
        headers,
      });

      const finish = (error: TransportError | undefined, response?: HttpResponse) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
        if (error) {
          req.destroy();
          reject(error);
        } else resolve(response!);
      };
      // Once connected, the request may have been received, whatever ends the exchange.
      const fail = (kind: TransportFailure, message: string, cause?: unknown) =>
        finish(new TransportError(kind, connected, message, { cause }));
      const onAbort = () => fail('aborted', 'request aborted');

      timer = setTimeout(
        () => fail('timeout', `no answer within ${options.timeoutMs} ms`),
        options.timeoutMs,
      );
      signal?.addEventListener('abort', onAbort, { once: true });

      req.once('socket', (socket: Socket) => {
        // A kept-alive socket is connected already; a new one is once its (TLS) handshake ends:
        // before that, not a byte of the request can have reached the server.
        if (req.reusedSocket) {
          connected = true;
          return;
        }
        socket.once(this.secure ? 'secureConnect' : 'connect', () => {
          connected = true;
        });
      });
      req.on('error', (error: NodeJS.ErrnoException) => {
        // Classified by the connection's state, not the errno: an EHOSTUNREACH or ENETUNREACH
        // can also end a connection that was up, after the request went out.
        fail(connected ? 'reset' : 'connect', describe(error.code ?? '', error.message), error);
      });
      req.on('response', (res: IncomingMessage) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('error', (error: NodeJS.ErrnoException) =>
          fail('reset', describe(error.code ?? '', error.message), error),
        );
        res.on('aborted', () => fail('reset', 'connection closed before the answer was complete'));
        res.on('end', () => {
          if (!res.complete) {
            fail('reset', 'connection closed before the answer was complete');
            return;
          }
          finish(undefined, {
            status: res.statusCode ?? 0,
            headers: res.headers,
            text: Buffer.concat(chunks).toString('utf8'),
          });
        });
      });
      req.end(payload);
    });
  }

  /**
   * The in-flight cap changed: at most `n` connections from now on. `maxSockets` and
   * `maxFreeSockets` are read by the agent at each request and each freed socket (Node's
   * `agent.maxSockets` is a documented property: a busy socket above the cap is closed when it
   * is freed); idle sockets above the cap are closed now, least recently used first.
   */
  setMaxSockets(n: number): void {
    this.agent.maxSockets = n;
    this.agent.maxFreeSockets = n;
    for (const idle of Object.values(this.agent.freeSockets)) {
      if (idle && idle.length > n) for (const socket of idle.slice(0, idle.length - n)) socket.destroy();
    }
  }

  /** Closes every connection, idle or busy. */
  close(): void {
    this.agent.destroy();
  }
}

function describe(code: string, message: string): string {
  const text = message.replace(/\s+/g, ' ').trim();
  return code && !text.includes(code) ? `${code}: ${text}` : text || code || 'connection error';
}
