/** Raw text kept in a rejection is cut to this many bytes, so a huge element is never copied around. */
export const MAX_RAW_BYTES = 4096;

/**
 * The text of input bytes `[start, end)` held in `chunks` (the first begins at input offset
 * `base`), cut to `limit` bytes (marked with an ellipsis), at most `MAX_RAW_BYTES`.
 */
export function rawText(
  chunks: readonly Buffer[],
  base: number,
  start: number,
  end: number,
  limit = MAX_RAW_BYTES,
): string {
  const stop = Math.min(end, start + Math.min(limit, MAX_RAW_BYTES));
  const parts: Buffer[] = [];
  let at = base;
  for (const chunk of chunks) {
    const from = Math.max(start, at);
    const to = Math.min(stop, at + chunk.length);
    if (from < to) parts.push(chunk.subarray(from - at, to - at));
    at += chunk.length;
  }
  const text = Buffer.concat(parts).toString('utf8');
  return end > stop ? `${text}…` : text;
}
