/** Test helpers: a tiny client for the emulator over real sockets. */
import type { EmulatorHandle } from '@pxstream/emulator';

export interface Reply {
  status: number;
  headers: Headers;
  text: string;
  // biome-ignore lint/suspicious/noExplicitAny: test convenience
  json: any;
}

export type Call = (
  method: string,
  path: string,
  body?: unknown,
  headers?: Record<string, string>,
) => Promise<Reply>;

/** A client sending the emulator's key; `body` is JSON-encoded unless it is a string. */
/** `key` null sends no key header. */
export function client(handle: EmulatorHandle, key: string | null = handle.apiKey): Call {
  return async (method, path, body, headers = {}) => {
    const response = await fetch(`${handle.url}${path}`, {
      method,
      headers: {
        ...(key === null ? {} : { 'x-aptrinsic-api-key': key }),
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        ...headers,
      },
      body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
    });
    const text = await response.text();
    let json: unknown;
    try {
      json = text === '' ? undefined : JSON.parse(text);
    } catch {
      json = undefined;
    }
    return { status: response.status, headers: response.headers, text, json };
  };
}

export const user = (identifyId: string, extra: Record<string, unknown> = {}) => ({
  identifyId,
  propertyKeys: ['AP-TEST-1'],
  ...extra,
});

export const account = (id: string, extra: Record<string, unknown> = {}) => ({
  id,
  name: `Account ${id}`,
  propertyKeys: ['AP-TEST-1'],
  ...extra,
});

export const path = (base: string, id: string) => `${base}/${encodeURIComponent(id)}`;

/** Reads an NDJSON dump of the control plane. */
export async function dump(
  handle: EmulatorHandle,
  type: string,
  query = '',
): Promise<Record<string, unknown>[]> {
  const response = await fetch(`${handle.url}/__emulator/dump?type=${type}${query}`);
  const text = await response.text();
  return text
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => JSON.parse(line));
}
