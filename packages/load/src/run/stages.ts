import type { ResumePosition } from '@pxstream/checkpoint';
import type { PxConfig, RecordType } from '@pxstream/config';
import { resolveFieldTypes } from '@pxstream/config';
import { createStepStream, type RowEnvelope, type RowStep, type RowStepTransform } from '@pxstream/core';
import { compileMapper, type Mapper } from '@pxstream/mapper';
import { createCsvSource, csvResumeAfter } from '@pxstream/source-csv';
import { createObjectSource } from '@pxstream/source-objects';
import { createValidator } from '@pxstream/validator';
import type { SourceFormat } from '../settings.js';
import type { OpenedInput } from './input.js';

export type AttributeMetadataList = Parameters<typeof resolveFieldTypes>[2] extends infer O
  ? O extends { metadata?: infer M }
    ? M
    : never
  : never;

export interface RowStages {
  mapper: Mapper;
  /** The mapper and the validator, as steps. */
  rowSteps: readonly RowStep[];
  /** A fresh stream of the steps `before`, the mapper and validator, then the steps `after`. */
  steps: (before?: readonly RowStep[], after?: readonly RowStep[]) => RowStepTransform;
}

/** Compiles the mapper and validator once; `steps()` wraps them in a fresh stream per pass. */
export function buildRowStages(
  type: RecordType,
  config: PxConfig,
  metadata: AttributeMetadataList | undefined,
): RowStages {
  const mapping = config.fieldMapping[type] ?? {};
  const fieldTypes = resolveFieldTypes(type, mapping, { metadata, attributeTypes: config.attributeTypes });
  const mapper = compileMapper({
    type,
    mapping,
    fieldTypes,
    productKeys: config.productKeys,
    timezone: config.timezone,
  });
  // The mapper's converters produce the field types already: the validator keeps its rules only.
  const validator = createValidator({ type, fieldTypes, metadata, trustMappedTypes: true });
  const rowSteps = [mapper, validator];
  return {
    mapper,
    rowSteps,
    steps: (before = [], after = []) => createStepStream(...before, ...rowSteps, ...after),
  };
}

/**
 * The JSON sources, loaded when JSON is read: their streaming parsers (stream-json,
 * stream-chain) are 50 modules, a fifth of the CLI's start-up (`pxstream --version` loaded
 * 250 modules, now 163 with the emulator also loaded on demand).
 */
const jsonArraySource = () => import('@pxstream/source-json');
const jsonLinesSource = () => import('@pxstream/source-jsonl');

/**
 * A source for the input and its format; `resumeFrom` starts it mid-file (the bytes given start
 * there). Objects need no parsing: the object source numbers them.
 */
export async function createSource(input: OpenedInput, format: SourceFormat, resumeFrom?: ResumePosition) {
  if (input.kind === 'objects' || format === 'objects') return createObjectSource();
  if (format === 'json') {
    const { createJsonArraySource } = await jsonArraySource();
    return createJsonArraySource(resumeFrom ? { resumeFrom } : {});
  }
  if (format === 'jsonl') {
    const { createJsonlSource } = await jsonLinesSource();
    return createJsonlSource(resumeFrom ? { resumeFrom } : {});
  }
  if (!resumeFrom) return createCsvSource();
  const { columns, delimiter, line, index, byteOffset } = resumeFrom;
  return createCsvSource({
    ...(delimiter !== undefined ? { delimiter } : {}),
    resumeFrom: { columns: columns ?? [], line, index, byteOffset },
  });
}

/** Where to read again after a finished row, in the terms of the format's source. */
export async function resumeAfterOf(format: SourceFormat): Promise<(row: RowEnvelope) => ResumePosition> {
  switch (format) {
    case 'csv':
      return (row) => csvResumeAfter(row);
    case 'jsonl': {
      const { jsonlResumeAfter } = await jsonLinesSource();
      return (row) => jsonlResumeAfter(row);
    }
    case 'json': {
      const { jsonArrayResumeAfter } = await jsonArraySource();
      return (row) => jsonArrayResumeAfter(row);
    }
    case 'objects':
      // Objects cannot seek: a resume skips the objects below the watermark.
      return (row) => ({ index: row.index + 1, line: row.line + 1, byteOffset: 0 });
  }
}
