/**
 * pxstream's stages embedded in a script of your own: CSV -> mapper + validator -> PX sink.
 * Runs against an emulator started here; point `baseUrl` and `apiKey` at PX for real.
 *
 *   node --import tsx examples/library.ts
 */
import { createReadStream } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { loadConfig, resolveFieldTypes } from '@pxstream/config';
import { createStepStream, startPipeline } from '@pxstream/core';
import { startEmulator } from '@pxstream/emulator';
import { compileMapper } from '@pxstream/mapper';
import { createPxSink } from '@pxstream/sink-px';
import { createCsvSource } from '@pxstream/source-csv';
import { createValidator } from '@pxstream/validator';

const here = (name: string) => fileURLToPath(new URL(name, import.meta.url));

const px = await startEmulator({ customAttributes: { user: [{ apiName: 'plan', type: 'STRING' }] } });
try {
  // PX_API_KEY and PX_BASE_URL override the file, as on the command line.
  const config = await loadConfig(here('pxstream.json'), {
    env: { PX_API_KEY: px.apiKey, PX_BASE_URL: px.baseUrl },
    type: 'USER',
  });
  const mapping = config.fieldMapping.USER ?? {};
  const fieldTypes = resolveFieldTypes('USER', mapping, { attributeTypes: config.attributeTypes });
  const mapper = compileMapper({
    type: 'USER',
    mapping,
    fieldTypes,
    productKeys: config.productKeys,
    timezone: config.timezone,
  });
  const validator = createValidator({ type: 'USER', fieldTypes });

  const run = startPipeline({
    input: createReadStream(here('users-with-errors.csv')),
    source: createCsvSource(),
    stages: [createStepStream(mapper, validator)],
    sink: createPxSink({
      baseUrl: config.baseUrl,
      apiKey: config.apiKey ?? '',
      type: 'USER',
      insertMissing: true,
    }),
    onRejection: (r) => console.error(`line ${r.row.line}: ${r.stage} ${r.code} ${r.message}`),
  });
  const stats = await run.done;
  console.log(
    `${stats.read} read: ${stats.inserted} inserted, ${stats.updated} updated, ${stats.rejected} rejected`,
  );
} finally {
  await px.close();
}
