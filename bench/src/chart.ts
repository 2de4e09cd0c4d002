/**
 * A line chart as plain SVG text (no chart library): x in seconds, one y axis in requests per
 * second, a legend, gridlines with round ticks. Enough to see a control law at work.
 */

export interface Series {
  label: string;
  color: string;
  /** [x, y] points, x ascending. */
  points: Array<[number, number]>;
  /** Drawn as steps (a value that holds until the next one) instead of straight segments. */
  step?: boolean;
  dashed?: boolean;
  /** Bars from 0 instead of a line (counts per second). */
  bars?: boolean;
}

export interface Chart {
  title: string;
  subtitle?: string;
  xLabel: string;
  yLabel: string;
  series: Series[];
  /** Horizontal reference lines, e.g. the server's limit. */
  rules?: Array<{ y: number; label: string; color: string }>;
}

const W = 900;
const H = 420;
const M = { left: 64, right: 24, top: 56, bottom: 82 };

const esc = (text: string) => text.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;');

/** A round step for about `count` ticks over [0, max]. */
function tickStep(max: number, count: number): number {
  const raw = max / count;
  const power = 10 ** Math.floor(Math.log10(raw));
  for (const m of [1, 2, 2.5, 5, 10]) if (m * power >= raw) return m * power;
  return 10 * power;
}

export function renderChart(chart: Chart): string {
  const all = chart.series.flatMap((s) => s.points);
  const xMax = Math.max(1, ...all.map(([x]) => x));
  const yMax0 = Math.max(1, ...all.map(([, y]) => y), ...(chart.rules ?? []).map((r) => r.y));
  const yStep = tickStep(yMax0 * 1.08, 6);
  const yMax = Math.ceil((yMax0 * 1.08) / yStep) * yStep;
  const xStep = tickStep(xMax, 10);
  const pw = W - M.left - M.right;
  const ph = H - M.top - M.bottom;
  const sx = (x: number) => M.left + (x / xMax) * pw;
  const sy = (y: number) => M.top + ph - (Math.min(y, yMax) / yMax) * ph;
  const f = (n: number) => n.toFixed(1);
  const out: string[] = [];
  out.push(
    `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${W} ${H}" width="${W}" height="${H}" font-family="sans-serif" font-size="12">`,
    `<title>${esc(chart.title)}</title>`,
    `<rect width="${W}" height="${H}" fill="#fff"/>`,
    `<text x="${M.left}" y="22" font-size="15" font-weight="bold">${esc(chart.title)}</text>`,
  );
  if (chart.subtitle) out.push(`<text x="${M.left}" y="40" fill="#555">${esc(chart.subtitle)}</text>`);
  for (let y = 0; y <= yMax + 1e-9; y += yStep) {
    out.push(
      `<line x1="${M.left}" x2="${W - M.right}" y1="${f(sy(y))}" y2="${f(sy(y))}" stroke="#e4e4e4"/>`,
      `<text x="${M.left - 6}" y="${f(sy(y) + 4)}" text-anchor="end">${+y.toFixed(2)}</text>`,
    );
  }
  for (let x = 0; x <= xMax + 1e-9; x += xStep) {
    out.push(
      `<line x1="${f(sx(x))}" x2="${f(sx(x))}" y1="${M.top}" y2="${M.top + ph}" stroke="#f0f0f0"/>`,
      `<text x="${f(sx(x))}" y="${M.top + ph + 16}" text-anchor="middle">${+x.toFixed(2)}</text>`,
    );
  }
  out.push(
    `<rect x="${M.left}" y="${M.top}" width="${pw}" height="${ph}" fill="none" stroke="#999"/>`,
    `<text x="${M.left + pw / 2}" y="${M.top + ph + 34}" text-anchor="middle">${esc(chart.xLabel)}</text>`,
    `<text transform="translate(16 ${M.top + ph / 2}) rotate(-90)" text-anchor="middle">${esc(chart.yLabel)}</text>`,
  );
  for (const rule of chart.rules ?? []) {
    out.push(
      `<line x1="${M.left}" x2="${W - M.right}" y1="${f(sy(rule.y))}" y2="${f(sy(rule.y))}" stroke="${rule.color}" stroke-dasharray="2 3"/>`,
      `<text x="${W - M.right - 4}" y="${f(sy(rule.y) - 4)}" text-anchor="end" fill="${rule.color}">${esc(rule.label)}</text>`,
    );
  }
  for (const s of chart.series) {
    if (s.points.length === 0) continue;
    if (s.bars) {
      const width = Math.max(1, pw / xMax - 1);
      for (const [x, y] of s.points) {
        if (y <= 0) continue;
        out.push(
          `<rect x="${f(sx(x) - width / 2)}" y="${f(sy(y))}" width="${f(width)}" height="${f(sy(0) - sy(y))}" fill="${s.color}" opacity="0.75"/>`,
        );
      }
      continue;
    }
    let d = '';
    s.points.forEach(([x, y], i) => {
      if (i === 0) d += `M${f(sx(x))} ${f(sy(y))}`;
      else if (s.step) d += `H${f(sx(x))}V${f(sy(y))}`;
      else d += `L${f(sx(x))} ${f(sy(y))}`;
    });
    const dash = s.dashed ? ' stroke-dasharray="6 4"' : '';
    out.push(`<path d="${d}" fill="none" stroke="${s.color}" stroke-width="1.6"${dash}/>`);
  }
  // Legend, in one row under the x label.
  let lx = M.left;
  const ly = H - 18;
  for (const s of chart.series) {
    const mark = s.bars
      ? `<rect x="${lx}" y="${ly - 9}" width="14" height="10" fill="${s.color}" opacity="0.75"/>`
      : `<line x1="${lx}" x2="${lx + 18}" y1="${ly - 4}" y2="${ly - 4}" stroke="${s.color}" stroke-width="2"${s.dashed ? ' stroke-dasharray="6 4"' : ''}/>`;
    out.push(mark, `<text x="${lx + 24}" y="${ly}">${esc(s.label)}</text>`);
    lx += 36 + s.label.length * 6.6;
  }
  out.push('</svg>');
  return `${out.join('\n')}\n`;
}
