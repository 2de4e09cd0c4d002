import { createHash } from 'node:crypto';
import { ledgerError } from './errors.js';

export const LEDGER_RECORD_TYPES = ['USER', 'ACCOUNT', 'USER_PREFERENCES', 'CUSTOM_EVENT'] as const;
export type LedgerRecordType = (typeof LEDGER_RECORD_TYPES)[number];

/**
 * What a ledger belongs to: one PX subscription's product(s) and one record type. The API key
 * is deliberately not part of it: it is never stored and never names anything.
 */
export interface LedgerTarget {
  /** PX base URL, e.g. `https://api.aptrinsic.com/v1`. */
  readonly baseUrl: string;
  /** The product key(s) the bodies carry (`propertyKeys`, or the event's `propertyKey`). */
  readonly productKeys: readonly string[];
  readonly type: LedgerRecordType;
}

/** Records map id -> body hash; events map body hash -> pending | confirmed. */
export type LedgerKind = 'records' | 'events';

export function ledgerKind(type: LedgerRecordType): LedgerKind {
  return type === 'CUSTOM_EVENT' ? 'events' : 'records';
}

/**
 * The target in its one canonical form: base URL without credentials, query or trailing
 * slash (scheme and host lower-cased by URL parsing), product keys sorted and unique. Only the
 * three known fields are kept, whatever else the object carries.
 */
export function normalizeTarget(target: LedgerTarget): LedgerTarget {
  let url: URL;
  try {
    url = new URL(target.baseUrl);
  } catch (error) {
    throw ledgerError(
      'LEDGER_INVALID_TARGET',
      `ledger target: base URL ${JSON.stringify(target.baseUrl)} is not a URL`,
      error,
    );
  }
  const keys = [...new Set(target.productKeys)].sort();
  if (keys.length === 0 || keys.some((key) => typeof key !== 'string' || key.length === 0)) {
    throw ledgerError('LEDGER_INVALID_TARGET', 'ledger target: at least one non-empty product key is needed');
  }
  if (!(LEDGER_RECORD_TYPES as readonly string[]).includes(target.type)) {
    throw ledgerError(
      'LEDGER_INVALID_TARGET',
      `ledger target: unknown record type ${JSON.stringify(target.type)}`,
    );
  }
  const baseUrl = `${url.protocol}//${url.host}${url.pathname.replace(/\/+$/, '')}`;
  return { baseUrl, productKeys: keys, type: target.type };
}

/** 16 hex digits naming the target: SHA-256 of (base URL, product keys, type), normalized. */
export function targetId(target: LedgerTarget): string {
  const { baseUrl, productKeys, type } = normalizeTarget(target);
  return createHash('sha256')
    .update(JSON.stringify([baseUrl, productKeys, type]))
    .digest('hex')
    .slice(0, 16);
}

export function sameTarget(a: LedgerTarget, b: LedgerTarget): boolean {
  return targetId(a) === targetId(b);
}

export function describeTarget(target: LedgerTarget): string {
  return `${target.type} at ${target.baseUrl} for ${target.productKeys.join(', ')}`;
}
