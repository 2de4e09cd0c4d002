import { createReadStream } from 'node:fs';
import type { Writable } from 'node:stream';
import { loadConfig, type PxConfig, resolveFieldTypes } from '@pxstream/config';
import { createStepStream, startPipeline } from '@pxstream/core';
import { compileMapper, type Mapper } from '@pxstream/mapper';
import { createCsvSource } from '@pxstream/source-csv';
import { createValidator } from '@pxstream/validator';
import { EXAMPLE_CONFIG } from './util.js';

/** The mapper and validator of the example config's USER mapping, as the CLI builds them. */
export async function exampleUserStages(): Promise<{
  config: PxConfig;
  mapper: Mapper;
  validator: ReturnType<typeof createValidator>;
}> {
  const config = await loadConfig(EXAMPLE_CONFIG, { env: {}, type: 'USER' });
  const mapping = config.fieldMapping.USER ?? {};
  const fieldTypes = resolveFieldTypes('USER', mapping, { attributeTypes: config.attributeTypes });
  const mapper = compileMapper({
    type: 'USER',
    mapping,
    fieldTypes,
    productKeys: config.productKeys,
    timezone: config.timezone,
  });
  const validator = createValidator({ type: 'USER', fieldTypes, trustMappedTypes: true });
  return { config, mapper, validator };
}

/** Streams a users CSV through the example USER mapping, as the CLI would, into `sink` (rejects dropped). */
export async function pipeMappedUsers(input: string, sink: Writable): Promise<void> {
  const { mapper, validator } = await exampleUserStages();
  await startPipeline({
    input: createReadStream(input, { highWaterMark: 1 << 16 }),
    source: createCsvSource(),
    stages: [createStepStream(mapper, validator)],
    sink,
    onRejection: () => {},
  }).done;
}
