/**
 * A large read cut into ranges of `createDate`, so that several scrolls read them at once
 * (reader.ts). One sequential scroll waits a round trip per 1,000 records: at 40 ms that caps
 * it at 25,000 records/s, and the time PX and the client spend on each page comes on top (a
 * bare fetch loop reached 0.64x to 0.71x of that bound in bench case 11). Several scrolls keep
 * several pages on their way at once.
 *
 * Why `createDate`: every User and Account has it (px-api.md "Models": read-only, set by PX,
 * epoch ms as a number), it never changes, and `< <= > >=` compare numbers by value, so a
 * boundary means the same thing to PX and to us; ids compare as text ignoring case, in an order
 * only PX knows exactly. The ranges are `createDate<b1`, `createDate>=b1;createDate<b2`, ...,
 * `createDate>=bk`, each ANDed onto every filter of the user's (`;` = AND, separate `filter`
 * parameters ORed: `(f1;r) or (f2;r)` is `(f1 or f2) and r`). A term and its negation
 * (`<b`, `>=b`) split any value in two whatever order PX compares in, so no record is in two
 * ranges; the first range is open below and the last open above, so a record created while the
 * read runs falls in exactly one (the last). That no record is in none (one without
 * `createDate`, a PX that ignores or misreads the term) is checked by the reader: the ranges'
 * `totalHits` must add up to the whole read's, or the read stays one scroll.
 *
 * The boundaries come from counts, each one request of `pageSize=1` (px-api.md: `totalHits`
 * counts every match): the lowest and highest `createDate` (`sort=createDate`,
 * `sort=-createDate`), then rounds of counts `createDate<b` at once, each `b` interpolated
 * between the two counts around the count wanted (k equal parts), until each boundary is within
 * an eighth of a part of it, or cannot move (every record left between two counts shares one
 * `createDate`: that range stays large), or after `MAX_ROUNDS` rounds. Records created at an
 * even pace (a load) take one round: 2 + (k - 1) requests and two round trips.
 */
import type { ListPage } from '@pxstream/sink-px';

export const CREATE_DATE = 'createDate';

/** Rounds of counts at most: 4 x (k - 1) requests at worst. */
export const MAX_ROUNDS = 4;

/** A count of the records matching `filters` (a page of one), sorted by `sort` if given. */
export type CountOf = (filters: readonly string[], sort?: string) => Promise<ListPage>;

export interface RangePlan {
  /** Each range's `filter` parameters: every user filter with the range's terms ANDed on. */
  ranges: string[][];
  /** The boundaries, ascending: range i is [bounds[i - 1], bounds[i]), the ends open. */
  bounds: number[];
}

/** `filters` (ORed) each ANDed with `term`; the term alone when there are none. */
export function withTerm(filters: readonly string[], term: string): string[] {
  return filters.length === 0 ? [term] : filters.map((filter) => `${filter};${term}`);
}

/** The filters of the ranges cut at `bounds` (ascending, distinct). */
export function rangeFilters(filters: readonly string[], bounds: readonly number[]): string[][] {
  return Array.from({ length: bounds.length + 1 }, (_, i) => {
    const terms: string[] = [];
    if (i > 0) terms.push(`${CREATE_DATE}>=${bounds[i - 1]}`);
    if (i < bounds.length) terms.push(`${CREATE_DATE}<${bounds[i]}`);
    return withTerm(filters, terms.join(';'));
  });
}

const dateOf = (page: ListPage): number | undefined => {
  const value = page.records[0]?.[CREATE_DATE];
  return typeof value === 'number' && Number.isSafeInteger(value) ? value : undefined;
};

/**
 * Boundaries that cut the `total` records matching `filters` into about `parts` equal ranges,
 * or undefined when they cannot be cut (the counts moved, or no `createDate` to cut on).
 * `stopped` ends it early (undefined).
 */
export async function planRanges(
  count: CountOf,
  filters: readonly string[],
  total: number,
  parts: number,
  stopped: () => boolean,
): Promise<RangePlan | undefined> {
  const [lowest, highest] = await Promise.all([
    count(filters, CREATE_DATE),
    count(filters, `-${CREATE_DATE}`),
  ]);
  const min = dateOf(lowest);
  const max = dateOf(highest);
  if (min === undefined || max === undefined || max <= min || stopped()) return undefined;
  if (lowest.totalHits !== total || highest.totalHits !== total) return undefined;
  /** Known counts: bound -> records with `createDate < bound`. */
  const counts = new Map<number, number>([
    [min, 0],
    [max + 1, total],
  ]);
  const wanted = Array.from({ length: parts - 1 }, (_, i) => ((i + 1) * total) / parts);
  const near = total / parts / 8;
  for (let round = 0; round < MAX_ROUNDS; round++) {
    const known = [...counts].sort((a, b) => a[0] - b[0]);
    const asks = new Set<number>();
    for (const target of wanted) {
      if (known.some(([, n]) => Math.abs(n - target) <= near)) continue;
      const bound = nextGuess(known, target, round);
      if (bound !== undefined && !counts.has(bound)) asks.add(bound);
    }
    if (asks.size === 0) break;
    const answers = await Promise.all(
      [...asks].map(
        async (bound) =>
          [bound, (await count(withTerm(filters, `${CREATE_DATE}<${bound}`))).totalHits] as const,
      ),
    );
    for (const [bound, n] of answers) counts.set(bound, n);
    if (stopped()) return undefined;
  }
  const bounds = pickBounds(counts, wanted, min, max + 1);
  return bounds.length === 0 ? undefined : { ranges: rangeFilters(filters, bounds), bounds };
}

/**
 * The next bound to count for `target`: between the highest known count below it and the next
 * count above it, by linear interpolation (records created at a steady pace take one round);
 * from the third round on halfway to the middle, so an uneven spread still closes in. Undefined
 * when the two are 1 ms apart (one `createDate` holds the target).
 */
function nextGuess(
  known: ReadonlyArray<readonly [number, number]>,
  target: number,
  round: number,
): number | undefined {
  let low = known[0]!;
  for (const point of known) if (point[1] < target) low = point;
  const high = known.find((point) => point[0] > low[0] && point[1] > target) ?? known[known.length - 1]!;
  if (high[0] - low[0] <= 1 || high[1] <= low[1]) return undefined;
  const share = (target - low[1]) / (high[1] - low[1]);
  const linear = low[0] + share * (high[0] - low[0]);
  const guess = round < 2 ? linear : (linear + (low[0] + high[0]) / 2) / 2;
  return Math.min(high[0] - 1, Math.max(low[0] + 1, Math.round(guess)));
}

/**
 * For each target, the counted bound closest to it (the ends excluded); ascending, each count
 * strictly above the one before (an empty range would be a scroll for nothing).
 */
function pickBounds(
  counts: ReadonlyMap<number, number>,
  wanted: readonly number[],
  start: number,
  end: number,
): number[] {
  const inner = [...counts].filter(([bound]) => bound !== start && bound !== end);
  const chosen = new Set<number>();
  for (const target of wanted) {
    let best: readonly [number, number] | undefined;
    for (const point of inner)
      if (!best || Math.abs(point[1] - target) < Math.abs(best[1] - target)) best = point;
    if (best) chosen.add(best[0]);
  }
  const bounds: number[] = [];
  let last = 0;
  for (const bound of [...chosen].sort((a, b) => a - b)) {
    const n = counts.get(bound)!;
    if (n <= last || n >= counts.get(end)!) continue;
    bounds.push(bound);
    last = n;
  }
  return bounds;
}
