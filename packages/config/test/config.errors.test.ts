import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { type ConfigErrorCode, loadConfig, type RecordType } from '@pxstream/config';
import { PxStreamError } from '@pxstream/core';
import { API_KEY, baseConfig, tempDir, writeConfig } from './helpers.js';

type Edit = (config: Record<string, unknown>) => unknown;

const user =
  (mapping: Record<string, string>): Edit =>
  (config) => ({
    ...config,
    fieldMapping: { USER: mapping },
  });

interface Case {
  name: string;
  code: ConfigErrorCode;
  edit: Edit;
  type?: RecordType;
  env?: Record<string, string>;
  /** A word the message must contain (the field at fault). */
  mentions: string;
}

const cases: Case[] = [
  {
    name: 'invalid JSON',
    code: 'CONFIG_INVALID_JSON',
    edit: () => '{"apiKey": x}',
    mentions: 'line 1, column 12',
  },
  { name: 'an array', code: 'CONFIG_NOT_OBJECT', edit: () => [], mentions: 'an array' },
  { name: 'a number', code: 'CONFIG_NOT_OBJECT', edit: () => 42, mentions: 'a number' },
  { name: 'null', code: 'CONFIG_NOT_OBJECT', edit: () => null, mentions: 'null' },
  {
    name: 'no fieldMapping',
    code: 'CONFIG_NO_MAPPING',
    edit: ({ fieldMapping: _, ...rest }) => rest,
    mentions: 'fieldMapping',
  },
  {
    name: 'no mapping for the type',
    code: 'CONFIG_NO_MAPPING',
    edit: (c) => c,
    type: 'ACCOUNT',
    mentions: 'fieldMapping.ACCOUNT',
  },
  {
    name: 'fieldMapping not an object',
    code: 'CONFIG_INVALID_MAPPING',
    edit: (c) => ({ ...c, fieldMapping: 'USER' }),
    mentions: 'fieldMapping',
  },
  {
    name: 'a column that is not a string',
    code: 'CONFIG_INVALID_MAPPING',
    edit: (c) => ({ ...c, fieldMapping: { USER: { identifyId: 'id', score: 3 } } }),
    mentions: 'fieldMapping.USER.score',
  },
  {
    name: 'key not mapped',
    code: 'CONFIG_KEY_NOT_MAPPED',
    edit: user({ email: 'email' }),
    mentions: 'identifyId',
  },
  {
    name: 'account key not mapped',
    code: 'CONFIG_KEY_NOT_MAPPED',
    edit: (c) => ({ ...c, fieldMapping: { ACCOUNT: { name: 'name' } } }),
    type: 'ACCOUNT',
    mentions: '"id"',
  },
  {
    name: 'event without eventName',
    code: 'CONFIG_REQUIRED_NOT_MAPPED',
    edit: (c) => ({ ...c, fieldMapping: { CUSTOM_EVENT: { identifyId: 'user' } } }),
    type: 'CUSTOM_EVENT',
    mentions: 'eventName',
  },
  {
    name: 'unknown field',
    code: 'CONFIG_UNKNOWN_FIELD',
    edit: user({ identifyId: 'id', favouriteColour: 'colour' }),
    mentions: 'favouriteColour',
  },
  {
    name: "the seed's empty field name",
    code: 'CONFIG_UNKNOWN_FIELD',
    edit: user({ identifyId: 'id', '': 'city' }),
    mentions: 'fieldMapping.USER.',
  },
  {
    name: 'a location object instead of a leaf',
    code: 'CONFIG_UNKNOWN_FIELD',
    edit: user({ identifyId: 'id', 'location.coordinates': 'coords' }),
    mentions: 'location.coordinates',
  },
  {
    name: 'a dotted custom attribute',
    code: 'CONFIG_UNKNOWN_FIELD',
    edit: user({ identifyId: 'id', 'customAttributes.a.b': 'x' }),
    mentions: 'customAttributes.a.b',
  },
  {
    name: 'an event attribute on a user',
    code: 'CONFIG_UNKNOWN_FIELD',
    edit: user({ identifyId: 'id', 'attributes.plan': 'plan' }),
    mentions: 'attributes.plan',
  },
  {
    name: 'a read-only user id',
    code: 'CONFIG_READ_ONLY_FIELD',
    edit: user({ identifyId: 'id', id: 'id' }),
    mentions: 'fieldMapping.USER.id',
  },
  {
    name: 'a read-only user createDate',
    code: 'CONFIG_READ_ONLY_FIELD',
    edit: user({ identifyId: 'id', createDate: 'created' }),
    mentions: 'createDate',
  },
  {
    name: 'a read-only user aptrinsicId',
    code: 'CONFIG_READ_ONLY_FIELD',
    edit: user({ identifyId: 'id', aptrinsicId: 'aid' }),
    mentions: 'aptrinsicId',
  },
  {
    name: 'a read-only account createDate',
    code: 'CONFIG_READ_ONLY_FIELD',
    edit: (c) => ({ ...c, fieldMapping: { ACCOUNT: { id: 'id', createDate: 'created' } } }),
    type: 'ACCOUNT',
    mentions: 'createDate',
  },
  {
    name: 'a read-only user lastSeenDate',
    code: 'CONFIG_READ_ONLY_FIELD',
    edit: user({ identifyId: 'id', lastSeenDate: 'seen' }),
    mentions: 'lastSeenDate',
  },
  {
    name: 'inside a read-only object',
    code: 'CONFIG_READ_ONLY_FIELD',
    edit: user({ identifyId: 'id', 'lastInferredLocation.city': 'city' }),
    mentions: 'lastInferredLocation',
  },
  {
    name: 'a read-only account numberOfUsers',
    code: 'CONFIG_READ_ONLY_FIELD',
    edit: (c) => ({ ...c, fieldMapping: { ACCOUNT: { id: 'id', numberOfUsers: 'n' } } }),
    type: 'ACCOUNT',
    mentions: 'numberOfUsers',
  },
  {
    name: 'propertyKeys mapped',
    code: 'CONFIG_RESERVED_FIELD',
    edit: user({ identifyId: 'id', propertyKeys: 'keys' }),
    mentions: 'propertyKeys',
  },
  {
    name: 'event propertyKey mapped',
    code: 'CONFIG_RESERVED_FIELD',
    edit: (c) => ({
      ...c,
      fieldMapping: { CUSTOM_EVENT: { identifyId: 'u', eventName: 'e', propertyKey: 'k' } },
    }),
    type: 'CUSTOM_EVENT',
    mentions: 'propertyKey',
  },
  {
    name: 'colliding event attributes',
    code: 'CONFIG_FIELD_CONFLICT',
    edit: (c) => ({
      ...c,
      fieldMapping: {
        CUSTOM_EVENT: { identifyId: 'u', eventName: 'e', 'attributes.a': 'a', 'attributes.a.b': 'b' },
      },
    }),
    type: 'CUSTOM_EVENT',
    mentions: 'attributes.a.b',
  },
  {
    name: 'unknown data center',
    code: 'CONFIG_UNKNOWN_DATA_CENTER',
    edit: (c) => ({ ...c, dataCenter: 'APAC' }),
    mentions: 'dataCenter',
  },
  {
    name: 'data center not a string',
    code: 'CONFIG_UNKNOWN_DATA_CENTER',
    edit: (c) => ({ ...c, dataCenter: 1 }),
    mentions: 'dataCenter',
  },
  {
    name: 'unknown timezone',
    code: 'CONFIG_UNKNOWN_TIMEZONE',
    edit: (c) => ({ ...c, timezone: 'Mars/Olympus_Mons' }),
    mentions: 'timezone',
  },
  {
    name: 'empty timezone',
    code: 'CONFIG_UNKNOWN_TIMEZONE',
    edit: (c) => ({ ...c, timezone: '' }),
    mentions: 'timezone',
  },
  {
    name: 'no productKey',
    code: 'CONFIG_MISSING_PRODUCT_KEY',
    edit: ({ productKey: _, ...rest }) => rest,
    mentions: 'productKey',
  },
  {
    name: 'empty productKey list for events',
    code: 'CONFIG_MISSING_PRODUCT_KEY',
    edit: (c) => ({
      ...c,
      productKey: [],
      fieldMapping: { CUSTOM_EVENT: { identifyId: 'u', eventName: 'e' } },
    }),
    type: 'CUSTOM_EVENT',
    mentions: 'productKey',
  },
  {
    name: 'productKey of the wrong type',
    code: 'CONFIG_INVALID_VALUE',
    edit: (c) => ({ ...c, productKey: ['AP-1', 2] }),
    mentions: 'productKey',
  },
  {
    name: 'apiKey of the wrong type',
    code: 'CONFIG_INVALID_VALUE',
    edit: (c) => ({ ...c, apiKey: 12345 }),
    mentions: 'apiKey',
  },
  {
    name: 'baseUrl not a URL',
    code: 'CONFIG_INVALID_BASE_URL',
    edit: (c) => ({ ...c, baseUrl: 'not a url' }),
    mentions: 'baseUrl',
  },
  {
    name: 'baseUrl http to a remote host',
    code: 'CONFIG_INVALID_BASE_URL',
    edit: (c) => ({ ...c, baseUrl: 'http://px.example.com/v1' }),
    mentions: 'https://',
  },
  {
    name: 'baseUrl with another scheme',
    code: 'CONFIG_INVALID_BASE_URL',
    edit: (c) => ({ ...c, baseUrl: 'ftp://127.0.0.1/v1' }),
    mentions: 'baseUrl',
  },
  {
    name: 'baseUrl with credentials',
    code: 'CONFIG_INVALID_BASE_URL',
    edit: (c) => ({ ...c, baseUrl: 'https://user:pw@px.example.com/v1' }),
    mentions: 'credentials',
  },
  {
    name: 'PX_BASE_URL http to a remote host',
    code: 'CONFIG_INVALID_BASE_URL',
    edit: (c) => c,
    env: { PX_BASE_URL: 'http://10.0.0.5:8080/v1' },
    mentions: 'PX_BASE_URL',
  },
  {
    name: 'eventKey empty',
    code: 'CONFIG_INVALID_VALUE',
    edit: (c) => ({ ...c, eventKey: ' ' }),
    mentions: 'eventKey',
  },
  {
    name: 'eventKey not a string',
    code: 'CONFIG_INVALID_VALUE',
    edit: (c) => ({ ...c, eventKey: 3 }),
    mentions: 'eventKey',
  },
  {
    name: 'eventRetentionDays zero',
    code: 'CONFIG_INVALID_VALUE',
    edit: (c) => ({ ...c, eventRetentionDays: 0 }),
    mentions: 'eventRetentionDays',
  },
  {
    name: 'eventRetentionDays fractional',
    code: 'CONFIG_INVALID_VALUE',
    edit: (c) => ({ ...c, eventRetentionDays: 1.5 }),
    mentions: 'eventRetentionDays',
  },
  {
    name: "eventRetentionDays past the events ledger's 4096 days",
    code: 'CONFIG_INVALID_VALUE',
    edit: (c) => ({ ...c, eventRetentionDays: 4097 }),
    mentions: 'from 1 to 4096',
  },
  { name: 'rate zero', code: 'CONFIG_INVALID_RATE', edit: (c) => ({ ...c, rate: 0 }), mentions: 'rate' },
  {
    name: 'rate a string',
    code: 'CONFIG_INVALID_RATE',
    edit: (c) => ({ ...c, rate: '100' }),
    mentions: 'rate',
  },
  {
    name: 'concurrency fractional',
    code: 'CONFIG_INVALID_CONCURRENCY',
    edit: (c) => ({ ...c, concurrency: 2.5 }),
    mentions: 'concurrency',
  },
  {
    name: 'concurrency negative',
    code: 'CONFIG_INVALID_CONCURRENCY',
    edit: (c) => ({ ...c, concurrency: -1 }),
    mentions: 'concurrency',
  },
  {
    name: 'attributeTypes not an object',
    code: 'CONFIG_INVALID_ATTRIBUTE_TYPES',
    edit: (c) => ({ ...c, attributeTypes: ['STRING'] }),
    mentions: 'attributeTypes',
  },
  {
    name: 'attributeTypes unknown type',
    code: 'CONFIG_INVALID_ATTRIBUTE_TYPES',
    edit: (c) => ({ ...c, attributeTypes: { 'customAttributes.plan': 'TEXT' } }),
    mentions: 'attributeTypes.customAttributes.plan',
  },
  {
    name: 'attributeTypes for a standard field',
    code: 'CONFIG_INVALID_ATTRIBUTE_TYPES',
    edit: (c) => ({ ...c, attributeTypes: { score: 'NUMBER' } }),
    mentions: '"score"',
  },
];

describe('config errors: each problem has its own fatal code, names the file and the field', () => {
  const dir = tempDir();
  for (const [i, c] of cases.entries()) {
    it(`${c.code}: ${c.name}`, async () => {
      const edited = c.edit(baseConfig());
      const path = writeConfig(
        dir,
        `case-${i}.json`,
        typeof edited === 'string' ? edited : JSON.stringify(edited),
      );
      const error = await loadConfig(path, { env: c.env ?? {}, type: c.type ?? 'USER' }).then(
        () => assert.fail('expected an error'),
        (e: unknown) => e,
      );
      assert.ok(error instanceof PxStreamError, String(error));
      assert.equal(error.code, c.code, error.message);
      assert.equal(error.fatal, true);
      assert.ok(error.message.includes(c.env ? 'PX_BASE_URL' : path), error.message);
      assert.ok(error.message.includes(c.mentions), error.message);
      assert.ok(!error.message.includes('\n'), 'single line');
      assert.ok(!error.message.includes(API_KEY), 'the API key never appears');
    });
  }
});
