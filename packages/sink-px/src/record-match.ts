/**
 * Whether a record read back from PX holds a row's values: how a create that may be ours (its
 * answer was lost, or it met a duplicate after a failed attempt) is told apart from a record
 * someone else created meanwhile.
 */

export function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/**
 * True when `record` has every value of `body`: objects compared key by key (the record may
 * hold more, such as PX's read-only fields), arrays and scalars exactly.
 */
export function holdsValues(record: unknown, body: unknown): boolean {
  if (typeof body !== 'object' || body === null) return Object.is(record, body);
  if (Array.isArray(body)) {
    return (
      Array.isArray(record) &&
      record.length === body.length &&
      body.every((value, i) => holdsValues(record[i], value))
    );
  }
  if (typeof record !== 'object' || record === null || Array.isArray(record)) return false;
  const fields = record as Record<string, unknown>;
  return Object.entries(body).every(([name, value]) => holdsValues(fields[name], value));
}
