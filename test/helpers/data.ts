import { writeFile } from 'node:fs/promises';

export const USER_HEADER =
  'id,email,first_name,last_name,title,city,state,country,latitude,longitude,signup,plan,score,unsubscribed,account';

export interface UsersFile {
  /** Ids of the good rows, in file order. */
  goodIds: string[];
  /** 0-based row indices of the rows pxstream must reject (invalid email). */
  badIndices: number[];
  csv: string;
}

/**
 * A deterministic users CSV: names with commas and quotes, a quoted newline now and then, and
 * one bad row (invalid email) in every `badEvery`.
 */
export function usersCsv(rows: number, options: { badEvery?: number; prefix?: string } = {}): UsersFile {
  const badEvery = options.badEvery ?? 97;
  const prefix = options.prefix ?? 'u';
  const lines = [USER_HEADER];
  const goodIds: string[] = [];
  const badIndices: number[] = [];
  for (let i = 0; i < rows; i++) {
    const id = `${prefix}-${String(i).padStart(6, '0')}`;
    const bad = i % badEvery === badEvery - 1;
    if (bad) badIndices.push(i);
    else goodIds.push(id);
    const email = bad ? `not-an-email-${i}` : `${id}@example.com`;
    const title =
      i % 50 === 0 ? '"Head of ""Data"",\nEMEA"' : i % 7 === 0 ? '"Designer, senior"' : 'Engineer';
    lines.push(
      [
        id,
        email,
        `Zoë${i}`,
        `O'Brien`,
        title,
        'Paris',
        'IDF',
        'FR',
        '48.85',
        '2.35',
        '2024-11-02T02:52:00',
        i % 3 ? 'pro' : 'free',
        String(i % 100),
        i % 2 ? 'true' : '',
        'ACC-1',
      ].join(','),
    );
  }
  return { goodIds, badIndices, csv: `${lines.join('\n')}\n` };
}

export async function writeUsersCsv(
  path: string,
  rows: number,
  options?: { badEvery?: number; prefix?: string },
) {
  const file = usersCsv(rows, options);
  await writeFile(path, file.csv);
  return file;
}
