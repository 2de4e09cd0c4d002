/**
 * Wraps text at word boundaries to `width` columns: each line keeps its indent, and the lines
 * it is broken into continue at that indent, plus `hang` for an indented line (an item of a
 * list). Words longer than a line stay whole.
 */
export function wrapText(text: string, width: number, hang = 2): string {
  return text
    .split('\n')
    .map((line) => wrapLine(line, width, hang))
    .join('\n');
}

function wrapLine(line: string, width: number, hang: number): string {
  if (line.length <= width) return line;
  const indent = /^\s*/.exec(line)![0];
  const words = line.slice(indent.length).split(/ +/);
  const lines: string[] = [];
  let current = indent;
  let start = indent.length;
  for (const word of words) {
    if (current.length > start && current.length + 1 + word.length > width) {
      lines.push(current);
      current = `${indent}${indent === '' ? '' : ' '.repeat(hang)}`;
      start = current.length;
    }
    current += current.length > start ? ` ${word}` : word;
  }
  lines.push(current);
  return lines.join('\n');
}
