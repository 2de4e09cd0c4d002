/**
 * The baseline of case 11's export: the fastest a sequential client reads a PX server's list,
 * page after page of 1,000 as pxstream asks for them (sorted by key), each answer parsed and
 * nothing else done. What it reaches is the server's bound on this machine: the latency plus
 * the server's time to write 1,000 full records and the client's to take them in.
 */
import { BENCH_KEY } from './util.js';

export async function rawScroll(
  baseUrl: string,
): Promise<{ records: number; pages: number; seconds: number }> {
  const headers = { 'x-aptrinsic-api-key': BENCH_KEY };
  const started = performance.now();
  let query = 'pageSize=1000&sort=identifyId';
  let records = 0;
  let pages = 0;
  for (;;) {
    const response = await fetch(`${baseUrl}/users?${query}`, { headers });
    if (!response.ok) throw new Error(`list: ${response.status} ${await response.text()}`);
    const page = (await response.json()) as { users: unknown[]; scrollId: string };
    pages++;
    records += page.users.length;
    if (page.users.length < 1000) break;
    query = `pageSize=1000&scrollId=${encodeURIComponent(page.scrollId)}`;
  }
  return { records, pages, seconds: (performance.now() - started) / 1000 };
}
