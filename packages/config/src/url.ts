import { configError } from './errors.js';

export const DATA_CENTERS = {
  US: 'https://api.aptrinsic.com/v1',
  EU: 'https://api-eu.aptrinsic.com/v1',
  US2: 'https://api-us2.aptrinsic.com/v1',
} as const;
export type DataCenter = keyof typeof DATA_CENTERS;

/** `us`, `Eu`, ... -> `US`, `EU`; undefined when not a PX data center. */
export function parseDataCenter(value: unknown): DataCenter | undefined {
  if (typeof value !== 'string') return undefined;
  const upper = value.trim().toUpperCase();
  return Object.hasOwn(DATA_CENTERS, upper) ? (upper as DataCenter) : undefined;
}

/** True when the URL's host is a loopback address: 127.0.0.0/8, `localhost` or `[::1]`. */
export function isLoopbackUrl(url: string | URL): boolean {
  let parsed: URL;
  try {
    parsed = typeof url === 'string' ? new URL(url) : url;
  } catch {
    return false;
  }
  const host = parsed.hostname.toLowerCase();
  if (host === 'localhost' || host === '[::1]') return true;
  // WHATWG URL parsing already normalised IPv4 forms (0x7f.1, 2130706433) to dotted decimal.
  return /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host);
}

/**
 * Validates a base URL: `https://`, or `http://` for loopback hosts only; no credentials, query
 * or fragment. Returns it without trailing slashes.
 */
export function checkBaseUrl(value: unknown, where: string, field: string): string {
  if (typeof value !== 'string' || value.trim() === '') {
    throw configError('CONFIG_INVALID_BASE_URL', where, `${field} must be a URL string`, { field });
  }
  let parsed: URL;
  try {
    parsed = new URL(value.trim());
  } catch {
    throw configError('CONFIG_INVALID_BASE_URL', where, `${field} is not a valid URL`, { field });
  }
  const secure = parsed.protocol === 'https:';
  if (!secure && !(parsed.protocol === 'http:' && isLoopbackUrl(parsed))) {
    throw configError(
      'CONFIG_INVALID_BASE_URL',
      where,
      `${field} must use https:// (http:// is allowed only for loopback hosts)`,
      { field },
    );
  }
  if (parsed.username || parsed.password || parsed.search || parsed.hash) {
    throw configError(
      'CONFIG_INVALID_BASE_URL',
      where,
      `${field} must not carry credentials, a query or a fragment`,
      {
        field,
      },
    );
  }
  return parsed.href.replace(/\/+$/, '');
}
