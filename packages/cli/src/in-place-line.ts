/** Erases from the cursor to the end of the line (ANSI EL). */
const ERASE_LINE_END = '\x1b[K';

/**
 * A one-line display on a terminal, rewritten in place as the operation reports progress. The
 * line is cut to the terminal's width as it is now (a resize is honoured at the next draw) and
 * what the last draw left is erased, never padded with spaces that could wrap.
 */
export class InPlaceLine<P> {
  private shown = false;

  constructor(
    private readonly out: NodeJS.WritableStream & { columns?: number },
    private readonly format: (progress: P) => string,
  ) {}

  /** Draws the line for `progress` (the operation calls this a few times a second). */
  readonly update = (progress: P): void => {
    const line = this.format(progress);
    const width = Math.max(1, (this.out.columns ?? 80) - 1);
    this.out.write(`\r${line.length > width ? line.slice(0, width) : line}${ERASE_LINE_END}`);
    this.shown = true;
  };

  /** Wipes the line, so that what is printed next (a notice, the summary) starts on a clean line. */
  clear(): void {
    if (this.shown) this.out.write(`\r${ERASE_LINE_END}`);
    this.shown = false;
  }
}
