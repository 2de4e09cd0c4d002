// Markdown tables of measure-stores' results. A figure is the best run's; the range after it is
// the spread: over runs when there were several, else over the 1M-row chunks of the one run.

const thousands = (value) => Math.round(value).toLocaleString('en-US');
const mb = (bytes) => `${Math.round(bytes / 2 ** 20)} MB`;

function spread(phases) {
  const overall = phases.map((phase) => phase.opsPerSecond);
  const best = Math.max(...overall);
  const samples = phases.length > 1 ? overall : phases[0].chunks;
  if (samples.length < 2) return thousands(best);
  return `${thousands(best)} (${thousands(Math.min(...samples))}-${thousands(Math.max(...samples))})`;
}

function lookupCell(runs, order) {
  const modes = [...new Set(runs[0].lookups.filter((l) => l.order === order).map((l) => l.mode))];
  return modes
    .map((mode) => {
      const phases = runs.map((run) => run.lookups.find((l) => l.order === order && l.mode === mode));
      return phases.every(Boolean) ? `${mode} ${spread(phases)}` : `${mode} -`;
    })
    .join('; ');
}

/** µs per lookup net of the harness: 1/rate - 1/rate of the `none` store (same run), when measured. */
function netMicros(report, c) {
  const none = report.cases.find((other) => other.store === 'none' && other.ids === c.ids);
  if (!none || c.store === 'none') return '';
  const best = (cs, order, mode) =>
    Math.max(
      ...cs.runs.map(
        (run) => run.lookups.find((l) => l.order === order && l.mode === mode)?.opsPerSecond ?? 0,
      ),
    );
  const modes = [...new Set(c.runs[0].lookups.map((l) => l.mode))];
  return ['file', 'shuffled']
    .map((order) =>
      modes
        .map((mode) => (1e6 / best(c, order, mode) - 1e6 / best(none, order, 'sync')).toFixed(2))
        .join('/'),
    )
    .join(', ');
}

export function printStores(report) {
  const { n } = report;
  console.log(
    `\n${n.toLocaleString('en-US')} ids, ${report.runs} run(s), Node ${report.node}, ${report.date}\n`,
  );
  console.log(
    '| store | ids | keys | writes/s day 1 | lookups/s file order | lookups/s shuffled | µs/lookup net (file, shuffled) | bytes/id day 1 | bytes/id day 2 | peak RSS write | peak RSS lookups |',
  );
  console.log('| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |');
  for (const c of report.cases) {
    const runs = c.runs;
    const day1 = Math.min(...runs.map((run) => run.write.disk.allocated)) / n;
    const day2 = Math.min(...runs.map((run) => run.lookups[0].disk.allocated)) / n;
    const rssWrite = Math.max(...runs.map((run) => run.write.maxRssBytes));
    const rssLookup = Math.max(...runs.flatMap((run) => run.lookups.map((l) => l.maxRssBytes)));
    const cells = [
      c.store,
      c.ids,
      c.keys,
      spread(runs.map((run) => run.write)),
      lookupCell(runs, 'file'),
      lookupCell(runs, 'shuffled'),
      netMicros(report, c),
      day1.toFixed(1),
      day2.toFixed(1),
      mb(rssWrite),
      mb(rssLookup),
    ];
    console.log(`| ${cells.join(' | ')} |`);
  }
}

export function printHash(hash) {
  const ns = (t) => `${Math.round(t.best)} ns (median ${Math.round(t.median)}, worst ${Math.round(t.worst)})`;
  console.log(`\nhashBody candidates, ${hash.bodyBytes}-byte bodies, best of 7 rounds of 100,000 calls\n`);
  console.log('| function | time per body | bodies/s (best) |');
  console.log('| --- | --- | --- |');
  for (const [name, t] of Object.entries(hash.body))
    console.log(`| ${name} | ${ns(t)} | ${thousands(1e9 / t.best)} |`);
  for (const [name, t] of Object.entries(hash.ids))
    console.log(`| ${name} | ${ns(t)} | ${thousands(1e9 / t.best)} |`);
  console.log(`| bench harness per row (id + hash string) | ${ns(hash.harness)} | |`);
  console.log(
    '\n| ids | count | equal 64-bit hashes | equal 48-bit fingerprints | expected 48-bit (n^2/2^49) |',
  );
  console.log('| --- | --- | --- | --- | --- |');
  for (const [kind, c] of Object.entries(hash.collisions)) {
    console.log(`| ${kind} | ${thousands(c.ids)} | ${c.equal64} | ${c.equal48} | ${c.expected48} |`);
  }
}
