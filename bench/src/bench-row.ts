/** A row of `pnpm bench`'s table: one figure against its target. */
export interface BenchRow {
  case: string;
  metric: string;
  value: string;
  baseline: string;
  ratio: string;
  target: string;
  pass: boolean;
}
