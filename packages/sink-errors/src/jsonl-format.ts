import type { Redactor, Rejection } from '@pxstream/core';

/** One line of a JSON-lines rejects file. */
export interface JsonlRejectLine {
  line: number;
  stage: Rejection['stage'];
  code: string;
  /** PX's HTTP status, `null` when the rejection does not come from an answer of PX. */
  status: number | null;
  message: string;
  /**
   * The input object. `null` for a parse failure, where no object exists (then `raw` holds the
   * line's text). A CSV row written here becomes an object keyed by its columns.
   */
  record: unknown;
  /** The raw text of the row, present whenever the rejection carries it. */
  raw?: string;
}

/**
 * One rejection as one JSON line, `{line, stage, code, status, message, record}` plus `raw`
 * when the rejection carries the row's raw text. With `redact`, every string in it is redacted
 * (values and object keys of `record` too) before serialization, so the JSON stays valid
 * whatever the secret looks like.
 */
export function formatJsonlRejection(rejection: Rejection, redact?: Redactor): string {
  const value: JsonlRejectLine = {
    line: rejection.row.line,
    stage: rejection.stage,
    code: rejection.code,
    status: rejection.status ?? null,
    message: rejection.message,
    record: recordOf(rejection),
  };
  if (rejection.raw !== undefined) value.raw = rejection.raw;
  return `${redact ? JSON.stringify(value, redactingReplacer(redact)) : JSON.stringify(value)}\n`;
}

function recordOf(rejection: Rejection): unknown {
  const { row } = rejection;
  // A parse failure carrying the raw text built no object (its `fields` is a placeholder).
  if (rejection.stage === 'parse' && rejection.raw !== undefined) return null;
  if (!Array.isArray(row.fields)) return row.fields;
  const cells: readonly string[] = row.fields;
  if (row.columns === undefined) return cells;
  // fromEntries defines own properties: a column named `__proto__` stays a plain key.
  return Object.fromEntries(row.columns.map((name, i) => [name, cells[i] ?? '']));
}

function redactingReplacer(redact: Redactor) {
  return function replace(this: unknown, _key: string, value: unknown): unknown {
    if (typeof value === 'string') return redact(value);
    if (value === null || typeof value !== 'object' || Array.isArray(value)) return value;
    // Keys are not passed to a replacer: rebuild the object only if one of them changes.
    const entries = Object.entries(value as Record<string, unknown>);
    if (entries.every(([name]) => redact(name) === name)) return value;
    return Object.fromEntries(entries.map(([name, inner]) => [redact(name), inner]));
  };
}
