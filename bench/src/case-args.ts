/** Flags of a case script (`--rows 1000`), and its one JSON result line on stdout. */
export function arg(name: string, fallback: string): string {
  const at = process.argv.indexOf(`--${name}`);
  return at >= 0 ? (process.argv[at + 1] ?? fallback) : fallback;
}

export function report(result: unknown): void {
  process.stdout.write(`${JSON.stringify(result)}\n`);
}
