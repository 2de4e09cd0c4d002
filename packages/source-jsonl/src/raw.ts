/** Raw text kept in a rejection is cut to this many bytes, so a huge line is never copied around. */
export const MAX_RAW_BYTES = 4096;

/** The raw text of `buf[start, end)`, cut to `MAX_RAW_BYTES` (marked with an ellipsis). */
export function rawText(buf: Buffer, start: number, end: number): string {
  if (end - start <= MAX_RAW_BYTES) return buf.toString('utf8', start, end);
  return `${buf.toString('utf8', start, start + MAX_RAW_BYTES)}…`;
}
