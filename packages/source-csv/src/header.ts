import { bareCrError, type CsvError, fatalCsvError } from './errors.js';

/**
 * Turns the header record into column names. Names are trimmed (a space after a comma is
 * almost always accidental, and later stages match columns by name); a name that is empty
 * once trimmed, two equal trimmed names (case-sensitive), or a name holding a CR that ends no
 * line (a file with classic Mac line breaks) is a fatal error.
 */
export function headerColumns(cells: readonly string[], line: number): string[] | CsvError {
  const columns = cells.map((cell) => cell.trim());
  for (const name of columns) {
    const error = bareCrError(name, line);
    if (error) return error;
  }
  const empty: number[] = [];
  const seen = new Set<string>();
  const duplicates = new Set<string>();
  columns.forEach((name, i) => {
    if (name === '') empty.push(i + 1);
    else if (seen.has(name)) duplicates.add(name);
    else seen.add(name);
  });
  if (empty.length > 0) {
    return fatalCsvError(
      'CSV_EMPTY_HEADER',
      `the CSV header on line ${line} has an empty column name at position ${empty.join(', ')}`,
      line,
    );
  }
  if (duplicates.size > 0) {
    const names = [...duplicates].map((name) => JSON.stringify(name)).join(', ');
    return fatalCsvError('CSV_DUPLICATE_HEADER', `the CSV header on line ${line} repeats ${names}`, line);
  }
  return columns;
}
