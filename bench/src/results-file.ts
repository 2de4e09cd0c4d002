/**
 * bench/RESULTS.md is generated and annotated at once: a case writes its figures between its
 * markers (`<!-- name:start -->`, `<!-- name:end -->`) and the notes around them stay.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ROOT } from './util.js';

/**
 * Puts `generated` between the markers of `name`; where they are missing, appends them at the
 * end under `## heading`.
 */
export async function writeSection(name: string, generated: string, heading: string): Promise<void> {
  const path = join(ROOT, 'bench/RESULTS.md');
  const start = `<!-- ${name}:start -->`;
  const end = `<!-- ${name}:end -->`;
  const block = `${start}\n${generated}\n${end}`;
  const current = await readFile(path, 'utf8').catch(() => '# pxstream benchmark results\n');
  const from = current.indexOf(start);
  const to = current.indexOf(end);
  const text =
    from >= 0 && to > from
      ? `${current.slice(0, from)}${block}${current.slice(to + end.length)}`
      : `${current.trimEnd()}\n\n## ${heading}\n\n${block}\n`;
  await writeFile(path, text);
}
