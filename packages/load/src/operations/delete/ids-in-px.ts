/**
 * A records ledger keeps fingerprints, not ids (see `idFingerprint`): the ids a mirror deletes
 * are named by PX itself, over its list scroll (1,000 records a request), keeping the records
 * whose id has one of the fingerprints wanted. A fingerprint no record of PX has is an id PX no
 * longer holds: already gone.
 */
import type { PxConfig } from '@pxstream/config';
import { IdFingerprints, idFingerprint } from '@pxstream/ledger';
import { createPxClient } from '@pxstream/sink-px';
import { readPxRecords } from '@pxstream/source-px';
import { type PxConnectionSettings, pxClientOptions } from '../../run/px-connection.js';

export interface IdsInPx {
  /** The ids PX has among those wanted. */
  ids: string[];
  /** The fingerprints wanted that no record of PX has. */
  absent: number[];
  /** Requests the scroll made. */
  requests: number;
}

/** The scroll's client is the delete's (timeout, waits for PX, daily count). */
export interface IdsInPxOptions extends PxConnectionSettings {
  config: PxConfig;
  type: 'USER' | 'ACCOUNT';
  signal?: AbortSignal | undefined;
}

/** Reads PX's ids of `type` and keeps those with a fingerprint in `wanted`. */
export async function idsInPx(wanted: Float64Array, options: IdsInPxOptions): Promise<IdsInPx> {
  const { config, type, signal } = options;
  const set = new IdFingerprints();
  for (const fingerprint of wanted) set.addFingerprint(fingerprint);
  set.seal();
  const client = createPxClient(pxClientOptions(config, options));
  const stop = () => client.close();
  signal?.addEventListener('abort', stop, { once: true });
  const key = type === 'USER' ? 'identifyId' : 'id';
  const ids: string[] = [];
  const found = new Set<number>();
  try {
    for await (const record of readPxRecords({ client, type, ...(signal ? { signal } : {}) })) {
      const id = record[key];
      if (typeof id !== 'string') continue;
      const fingerprint = idFingerprint(id);
      if (!set.hasFingerprint(fingerprint) || found.has(fingerprint)) continue;
      found.add(fingerprint);
      ids.push(id);
    }
    return { ids, absent: [...wanted].filter((f) => !found.has(f)), requests: client.stats().sent };
  } finally {
    signal?.removeEventListener('abort', stop);
    client.close();
  }
}
