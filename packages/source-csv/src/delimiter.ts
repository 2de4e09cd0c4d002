const CANDIDATES = [',', ';', '\t'] as const;

/**
 * Guesses the delimiter of a CSV file from its header line: the most frequent of `,` `;`
 * and tab outside double quotes. Ties go to the earlier of `,` `;` tab; none found gives `,`.
 */
export function detectDelimiter(headerLine: string): string {
  let comma = 0;
  let semicolon = 0;
  let tab = 0;
  let quoted = false;
  for (let i = 0; i < headerLine.length; i++) {
    const c = headerLine.charCodeAt(i);
    if (c === 34) quoted = !quoted;
    else if (quoted) continue;
    else if (c === 44) comma++;
    else if (c === 59) semicolon++;
    else if (c === 9) tab++;
  }
  const counts = [comma, semicolon, tab];
  let best = 0;
  for (let i = 1; i < counts.length; i++) if (counts[i]! > counts[best]!) best = i;
  return CANDIDATES[best]!;
}
