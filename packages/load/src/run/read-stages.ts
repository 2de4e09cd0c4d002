/**
 * The mapper and validator of the operations that hold PX's records against bodies (verify,
 * ledger rebuild), built exactly as a load builds them: PX's attribute metadata read first, as
 * the load's pre-flight reads it (it types the custom attributes, over `attributeTypes`), then
 * `buildRowStages`. A body made here is then, byte for byte, the body a load would send, and its
 * hash the one a load's ledger keeps.
 */
import { checkMappedAttributes, type FieldTypeInfo, resolveFieldTypes } from '@pxstream/config';
import { preflight } from './px-setup.js';
import type { ReadSetup } from './read-setup.js';
import { type AttributeMetadataList, buildRowStages, type RowStages } from './stages.js';

export interface ReadStages {
  stages: RowStages;
  /** The PX type of each mapped field, as the mapper converts it. */
  fieldTypes: Map<string, FieldTypeInfo>;
  /** The mapping of the record type: PX field to source column. */
  mapping: Readonly<Record<string, string>>;
  /** Requests the metadata read took (the pre-flight's own client: 1 unless retried). */
  requests: number;
}

/** PX's metadata read (also the check of key and base URL, with the load's errors), then the stages. */
export async function readStages(
  setup: ReadSetup,
  options: { timeoutMs?: number | undefined; wait?: boolean | undefined },
): Promise<ReadStages> {
  const { config, type, log } = setup;
  const metadata: AttributeMetadataList | undefined = await preflight(
    config,
    {
      type,
      dryRun: false,
      strict: false,
      insertMissing: false,
      timeoutMs: options.timeoutMs,
      wait: options.wait !== false,
    },
    log,
  );
  const mapping = config.fieldMapping[type] ?? {};
  if (metadata)
    for (const warning of checkMappedAttributes(type, mapping, metadata).warnings) log.warn(warning);
  return {
    stages: buildRowStages(type, config, metadata),
    fieldTypes: resolveFieldTypes(type, mapping, { metadata, attributeTypes: config.attributeTypes }),
    mapping,
    requests: 1,
  };
}
