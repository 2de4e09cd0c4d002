const BOM = [0xef, 0xbb, 0xbf];

/**
 * The JSON format the first bytes of an input announce, from its first byte that is not
 * whitespace (after an optional UTF-8 BOM): `[` an array (`json`), `{` one object per line
 * (`jsonl`); anything else, or nothing but whitespace yet, `undefined`.
 */
export function sniffJsonFormat(head: Buffer): 'json' | 'jsonl' | undefined {
  let i = head[0] === BOM[0] && head[1] === BOM[1] && head[2] === BOM[2] ? BOM.length : 0;
  for (; i < head.length; i++) {
    const c = head[i];
    if (c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d) continue;
    if (c === 0x5b) return 'json';
    if (c === 0x7b) return 'jsonl';
    return undefined;
  }
  return undefined;
}

/** True when the first bytes of an input open a JSON array (see `sniffJsonFormat`). */
export function looksLikeJsonArray(head: Buffer): boolean {
  return sniffJsonFormat(head) === 'json';
}
