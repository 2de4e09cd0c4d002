import type { RecordType } from '@pxstream/config';

/**
 * What `plan` says when the target has no ledger yet: "new" then means "new in the ledger", which
 * is every row, whatever PX holds (the first plan of 3,000 users PX had said `3000 new`). Users
 * and accounts can have their ledger filled from PX's own records first.
 */
export function noLedgerNote(type: RecordType, dir: string): string {
  const head =
    `no ledger for this target yet (${dir}): the plan cannot tell what PX holds, so every row ` +
    'counts as new in the ledger, whether PX has it or not';
  if (type !== 'USER' && type !== 'ACCOUNT') return head;
  return `${head}; \`rebuildLedger\` fills the ledger from PX's records (one request per 1,000), then plan again`;
}
