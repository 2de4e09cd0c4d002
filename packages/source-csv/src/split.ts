const QUOTE = 34;

/**
 * The cells of one complete record (its terminator already cut off by the framer), for the
 * records that need no judgement: fields without a quote, and fields quoted from their first
 * to their last character with `""` for a quote inside. Anything else (a quote inside an
 * unquoted field, a closing quote followed by something other than the delimiter) returns
 * `undefined`, and the caller hands the record to csv-parse, which decides and names the error.
 *
 * Written by hand because csv-parse, run over records the framer has already cut, spends
 * most of a load's CPU in its per-byte state machine and a Buffer-to-string call per field
 * (60% of a CSV pipeline's profile); this is one decode per record and native `split` /
 * `indexOf`. `csv-source.split.test.ts` holds it to csv-parse's output on random records.
 */
export function splitRecord(text: string, delimiter: string): string[] | undefined {
  if (text.indexOf('"') < 0) return text.split(delimiter);
  const cells: string[] = [];
  const n = text.length;
  const step = delimiter.length;
  let i = 0;
  for (;;) {
    if (text.charCodeAt(i) === QUOTE) {
      let value = '';
      let from = i + 1;
      for (;;) {
        const q = text.indexOf('"', from);
        if (q < 0) return undefined;
        if (text.charCodeAt(q + 1) === QUOTE) {
          value += text.slice(from, q + 1);
          from = q + 2;
          continue;
        }
        value += text.slice(from, q);
        i = q + 1;
        break;
      }
      cells.push(value);
      if (i === n) return cells;
      if (!text.startsWith(delimiter, i)) return undefined;
      i += step;
    } else {
      const next = text.indexOf(delimiter, i);
      const end = next < 0 ? n : next;
      const quote = text.indexOf('"', i);
      if (quote >= 0 && quote < end) return undefined;
      cells.push(text.slice(i, end));
      if (next < 0) return cells;
      i = next + step;
    }
  }
}
