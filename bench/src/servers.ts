/**
 * The two PX servers the limiter cases run against, each in its own process, behind one
 * interface: the emulator (`@pxstream/emulator`'s bin) and the peer written for the bench from
 * px-api.md alone (`peer-px/`).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';
import { announcedBaseUrl, BENCH_KEY, ROOT, runTs, startEmulatorProcess } from './util.js';

export type ServerKind = 'emulator' | 'peer';
export type Shape = 'bucket' | 'sliding' | 'fixed';
export type Json = Record<string, unknown>;

export interface ServerSpec {
  rate: number;
  shape: Shape;
  latencyMs: number;
  /** Uniform random extra latency in [0, jitterMs) (`--jitter` of both servers). */
  jitterMs?: number;
  /** Another client of the same key, requests per second. */
  other?: number;
  throttle?: number;
  throttleRetryAfterSec?: number;
  serverError?: number;
  resetBefore?: number;
  resetAfter?: number;
  seed?: number;
  /**
   * Requests a quota day (both answer a spent quota with PX's plain 429 `Rate limit exceeded`),
   * in days of `dayLengthSec` seconds counted from the server's start (the emulator's from a
   * reset right after it starts): day n is [n × day, (n + 1) × day) of the timeline's seconds.
   */
  dailyQuota?: number;
  dayLengthSec?: number;
}

/** One second of the server's traffic on the key. */
export interface ServerSecond {
  /** Wall-clock start of the second (epoch ms). */
  wallMs: number;
  /** Seconds since the server's start: second s is in quota day floor(s / dayLengthSec). */
  second: number;
  /** Requests of ours that passed the limit (faulted ones included). */
  admitted: number;
  /** 429s: the limit's and the random throttles'. */
  http429: number;
  otherAdmitted: number;
  /** Requests refused because PX was down (an outage). */
  down: number;
}

export type OutageKind = '503' | 'reset';

export interface PxServer {
  kind: ServerKind;
  baseUrl: string;
  seedUsers(ids: string[], propertyKeys: string[]): Promise<void>;
  users(): Promise<Json[]>;
  /** `whileDown`: requests refused because PX was down. */
  stats(): Promise<{ requests: number; rateLimited: number; createdUsers: number; whileDown: number }>;
  timeline(): Promise<ServerSecond[]>;
  /** Wall-clock epoch ms of second 0 of the timeline (the start of quota day 0). */
  origin(): Promise<number>;
  /** PX down now for `forSec` seconds: every request answered 503, or its connection reset. */
  outage(forSec: number, kind: OutageKind): Promise<void>;
  close(): Promise<void>;
}

/** Fields a server adds to a record by itself. */
export const STAMPED = new Set(['createDate', 'lastModifiedDate', 'aptrinsicId', 'numberOfVisits']);

export async function startServer(kind: ServerKind, spec: ServerSpec): Promise<PxServer> {
  return kind === 'emulator' ? startEmulator(spec) : startPeerProcess(spec);
}

const getJson = async <T>(url: string): Promise<T> => {
  const response = await fetch(url);
  if (!response.ok) throw new Error(`${url}: ${response.status}`);
  return (await response.json()) as T;
};

/** A control-plane request that must succeed (its answer's body unused). */
async function control(url: string, method: string, body?: unknown): Promise<void> {
  const response = await fetch(url, {
    method,
    ...(body === undefined
      ? {}
      : { headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }),
  });
  if (!response.ok) throw new Error(`${method} ${url}: ${response.status} ${await response.text()}`);
  await response.arrayBuffer().catch(() => undefined);
}

async function startEmulator(spec: ServerSpec): Promise<PxServer> {
  const flags = ['--rate', String(spec.rate), '--limiter', spec.shape, '--latency', String(spec.latencyMs)];
  if (spec.jitterMs) flags.push('--jitter', String(spec.jitterMs));
  if (spec.other) flags.push('--other-client', String(spec.other));
  if (spec.throttle) flags.push('--throttle', String(spec.throttle));
  if (spec.throttleRetryAfterSec) flags.push('--throttle-retry-after', String(spec.throttleRetryAfterSec));
  if (spec.serverError) flags.push('--fault-server-error', String(spec.serverError));
  if (spec.resetBefore) flags.push('--fault-reset-before', String(spec.resetBefore));
  if (spec.resetAfter) flags.push('--fault-reset-after', String(spec.resetAfter));
  if (spec.seed !== undefined) flags.push('--seed', String(spec.seed));
  const px = await startEmulatorProcess(flags);
  if (spec.dailyQuota !== undefined) {
    // The bench's emulator starts with --no-daily-quota: the quota is set here, then a reset
    // starts quota day 0 and the timeline's second 0 at the same instant.
    const quota = { dailyQuota: spec.dailyQuota, dayLengthSec: spec.dayLengthSec ?? false };
    await control(`${px.url}/__emulator/config`, 'PATCH', { ...quota, dailyQuotaBody: 'plain' });
    await control(`${px.url}/__emulator/reset`, 'POST');
  }
  return {
    kind: 'emulator',
    baseUrl: px.baseUrl,
    seedUsers: (ids) => px.seedUsers(ids),
    users: async () => {
      const text = await (await fetch(`${px.url}/__emulator/dump?type=users`)).text();
      return text
        .split('\n')
        .filter((line) => line.trim() !== '')
        .map((line) => JSON.parse(line) as Json);
    },
    stats: async () => {
      const stats = await getJson<{
        requests: number;
        rateLimited: number;
        created: { users: number };
        outage: { requests: number };
      }>(`${px.url}/__emulator/stats`);
      return {
        requests: stats.requests,
        rateLimited: stats.rateLimited,
        createdUsers: stats.created.users,
        whileDown: stats.outage.requests,
      };
    },
    timeline: async () => {
      const timeline = await getJson<{
        seconds: Array<{
          second: number;
          wallMs: number;
          admitted: number;
          rateLimited: number;
          throttled: number;
          otherAdmitted: number;
          down: number;
        }>;
      }>(`${px.url}/__emulator/timeline`);
      return timeline.seconds.map((s) => ({
        wallMs: s.wallMs,
        second: s.second,
        admitted: s.admitted,
        http429: s.rateLimited + s.throttled,
        otherAdmitted: s.otherAdmitted,
        down: s.down,
      }));
    },
    origin: async () => (await getJson<{ startedAt: number }>(`${px.url}/__emulator/timeline`)).startedAt,
    outage: (forSec, kind) => control(`${px.url}/__emulator/outage`, 'POST', { forSec, kind }),
    close: () => px.close(),
  };
}

async function startPeerProcess(spec: ServerSpec): Promise<PxServer> {
  const flags = ['--key', BENCH_KEY, '--rate', String(spec.rate), '--limiter', spec.shape];
  flags.push('--latency', String(spec.latencyMs));
  if (spec.jitterMs) flags.push('--jitter', String(spec.jitterMs));
  if (spec.other) flags.push('--other', String(spec.other));
  if (spec.throttle) flags.push('--throttle', String(spec.throttle));
  if (spec.throttleRetryAfterSec) flags.push('--throttle-retry-after', String(spec.throttleRetryAfterSec));
  if (spec.serverError) flags.push('--server-error', String(spec.serverError));
  if (spec.resetBefore) flags.push('--reset-before', String(spec.resetBefore));
  if (spec.resetAfter) flags.push('--reset-after', String(spec.resetAfter));
  if (spec.seed !== undefined) flags.push('--seed', String(spec.seed));
  if (spec.dailyQuota !== undefined) flags.push('--daily-quota', String(spec.dailyQuota));
  if (spec.dayLengthSec !== undefined) flags.push('--day-length', String(spec.dayLengthSec));
  const child: ChildProcess = spawn(
    process.execPath,
    [...runTs(join(ROOT, 'bench/src/peer-px/main.ts')), ...flags],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  const baseUrl = await announcedBaseUrl(child, 'peer');
  const url = baseUrl.replace(/\/v1$/, '');
  return {
    kind: 'peer',
    baseUrl,
    seedUsers: async (ids, propertyKeys) => {
      const users = ids.map((identifyId) => ({ identifyId, propertyKeys }));
      const response = await fetch(`${url}/_peer/seed`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ users }),
      });
      if (!response.ok) throw new Error(`peer seed: ${response.status}`);
    },
    users: () => getJson<Json[]>(`${url}/_peer/records?type=users`),
    stats: async () => {
      const stats = await getJson<{
        requests: number;
        rateLimited: number;
        creates: { users: number };
        outage: { refused: number };
      }>(`${url}/_peer/stats`);
      return {
        requests: stats.requests,
        rateLimited: stats.rateLimited,
        createdUsers: stats.creates.users,
        whileDown: stats.outage.refused,
      };
    },
    timeline: async () => {
      const timeline = await getJson<{
        startedAt: number;
        seconds: Array<{
          second: number;
          admitted: number;
          limited: number;
          throttled: number;
          otherAdmitted: number;
          down: number;
        }>;
      }>(`${url}/_peer/timeline`);
      return timeline.seconds.map((s) => ({
        wallMs: timeline.startedAt + s.second * 1000,
        second: s.second,
        admitted: s.admitted,
        http429: s.limited + s.throttled,
        otherAdmitted: s.otherAdmitted,
        down: s.down,
      }));
    },
    origin: async () => (await getJson<{ startedAt: number }>(`${url}/_peer/timeline`)).startedAt,
    outage: (forSec, kind) => control(`${url}/_peer/outage?for=${forSec}&kind=${kind}`, 'POST'),
    close: async () => {
      child.kill('SIGTERM');
      if (child.exitCode === null) await new Promise((resolve) => child.once('exit', resolve));
    },
  };
}
