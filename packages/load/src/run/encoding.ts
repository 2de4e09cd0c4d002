import { loadError } from '../errors.js';

/**
 * Refuses input that is not UTF-8 text before a row is read: a UTF-16 export (Excel's
 * "Unicode text"), a Windows-1252 export or a binary file would otherwise turn into one
 * garbled header, or names silently mangled into U+FFFD in PX.
 */
export function checkInputEncoding(head: Buffer, name: string): void {
  const sample = head.subarray(0, 4096);
  const bom16 =
    head.length >= 2 && ((head[0] === 0xff && head[1] === 0xfe) || (head[0] === 0xfe && head[1] === 0xff));
  let nul = 0;
  let control = 0;
  for (const byte of sample) {
    if (byte === 0) nul++;
    else if (byte < 0x09 || (byte > 0x0d && byte < 0x20)) control++;
  }
  // UTF-16 text without a BOM has a NUL in about every other byte.
  if (bom16 || (sample.length >= 16 && nul * 4 >= sample.length)) {
    throw loadError(
      'INPUT_NOT_UTF8',
      `${name} is UTF-16, not UTF-8: convert it first, e.g. iconv -f UTF-16 -t UTF-8 ${name} > utf8-${name}`,
    );
  }
  if (nul > 0 || control * 20 > sample.length) {
    throw loadError('INPUT_NOT_UTF8', `${name} is binary, not CSV or JSON-lines text`);
  }
  try {
    // `stream: true`: a character cut by the end of the head is not an error.
    new TextDecoder('utf-8', { fatal: true }).decode(head, { stream: true });
  } catch {
    throw loadError(
      'INPUT_NOT_UTF8',
      `${name} is not UTF-8 text (a Windows-1252 or Latin-1 export?): convert it first, e.g. ` +
        `iconv -f WINDOWS-1252 -t UTF-8 ${name} > utf8-${name}`,
    );
  }
}
