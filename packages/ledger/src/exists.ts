import { readMeta } from './files.js';

/** True when `dir` holds a ledger (a load keeps an existing ledger current without being asked). */
export async function ledgerExists(dir: string): Promise<boolean> {
  return (await readMeta(dir).catch(() => undefined)) !== undefined;
}
