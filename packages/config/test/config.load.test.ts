import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { DATA_CENTERS, isLoopbackUrl, loadConfig, parseConfig } from '@pxstream/config';
import { API_KEY, baseConfig } from './helpers.js';

const seedExample = fileURLToPath(new URL('./fixtures/gainsight-example.json', import.meta.url));

describe("config: Gainsight's own config.json", () => {
  // The example of Gainsight's loader manual (shared/seeds), fixed up to valid JSON: braces
  // closed, `"": "city"` restored as `location.city`, and an apiKey added.
  for (const type of ['USER', 'ACCOUNT'] as const) {
    it(`loads unchanged for ${type}`, async () => {
      const config = await loadConfig(seedExample, { env: {}, type });
      assert.equal(config.apiKey, '11111111-2222-3333-4444-555555555555');
      assert.deepEqual(config.productKeys, ['AP-XXXXXXXXXXXX-2']);
      assert.equal(config.dataCenter, 'US');
      assert.equal(config.baseUrl, 'https://api.aptrinsic.com/v1');
      assert.equal(config.timezone, 'UTC');
      assert.deepEqual(config.fieldMapping.USER, {
        identifyId: 'id',
        title: 'title',
        phone: 'telephone',
        'location.city': 'city',
        'location.stateCode': 'state',
        'location.coordinates.latitude': 'latitude',
        'location.coordinates.longitude': 'longitude',
        'customAttributes.strtmp1': 'strtmp1',
        'customAttributes.acceptDate': 'acceptDate',
      });
      assert.deepEqual(config.fieldMapping.ACCOUNT, { id: 'id', name: 'account_name' });
      assert.deepEqual(config.warnings, []);
      assert.equal(config.rate, undefined);
      assert.equal(config.concurrency, undefined);
    });
  }
});

describe('config: settings', () => {
  const parse = (edit: Record<string, unknown>, env: Record<string, string> = {}) =>
    parseConfig(JSON.stringify({ ...baseConfig(), ...edit }), { path: 'c.json', env, type: 'USER' });

  const dataCenters: [unknown, string][] = [
    [undefined, DATA_CENTERS.US],
    ['US', 'https://api.aptrinsic.com/v1'],
    ['eu', 'https://api-eu.aptrinsic.com/v1'],
    ['Us2', 'https://api-us2.aptrinsic.com/v1'],
  ];
  for (const [dataCenter, url] of dataCenters) {
    it(`dataCenter ${String(dataCenter)} -> ${url}`, () => {
      assert.equal(parse({ dataCenter }).baseUrl, url);
    });
  }

  const productKeys: [unknown, string[]][] = [
    ['AP-1', ['AP-1']],
    [
      ['AP-1', 'AP-2'],
      ['AP-1', 'AP-2'],
    ],
    [' AP-3 ', ['AP-3']],
  ];
  for (const [productKey, expected] of productKeys) {
    it(`productKey ${JSON.stringify(productKey)} -> productKeys ${JSON.stringify(expected)}`, () => {
      assert.deepEqual(parse({ productKey }).productKeys, expected);
    });
  }

  it('USER_PREFERENCES needs no productKey', () => {
    const { productKey: _, ...rest } = baseConfig();
    const text = JSON.stringify({ ...rest, fieldMapping: { USER_PREFERENCES: { identifyId: 'id' } } });
    const config = parseConfig(text, { env: {}, type: 'USER_PREFERENCES' });
    assert.deepEqual(config.productKeys, []);
  });

  const baseUrls: [string, string][] = [
    ['https://px.example.com/v1/', 'https://px.example.com/v1'],
    ['http://127.0.0.1:4010/v1', 'http://127.0.0.1:4010/v1'],
    ['http://127.8.9.10:4010/', 'http://127.8.9.10:4010'],
    ['http://localhost:4010/v1//', 'http://localhost:4010/v1'],
    ['http://[::1]:4010/v1', 'http://[::1]:4010/v1'],
  ];
  for (const [baseUrl, expected] of baseUrls) {
    it(`baseUrl ${baseUrl} -> ${expected}, over the data center`, () => {
      assert.equal(parse({ baseUrl, dataCenter: 'EU' }).baseUrl, expected);
    });
  }

  it('timezone: checked by Intl, returned canonical', () => {
    assert.equal(parse({ timezone: 'America/Los_Angeles' }).timezone, 'America/Los_Angeles');
    assert.equal(parse({ timezone: 'europe/berlin' }).timezone, 'Europe/Berlin');
  });

  it('rate, concurrency and attributeTypes', () => {
    const config = parse({
      rate: 150.5,
      concurrency: 16,
      attributeTypes: { 'customAttributes.plan': 'string', 'attributes.size': 'NUMBER' },
    });
    assert.equal(config.rate, 150.5);
    assert.equal(config.concurrency, 16);
    assert.deepEqual(config.attributeTypes, {
      'customAttributes.plan': 'STRING',
      'attributes.size': 'NUMBER',
    });
  });

  it('eventKey and eventRetentionDays (the events ledger)', () => {
    const config = parse({ eventKey: 'event_id', eventRetentionDays: 90 });
    assert.equal(config.eventKey, 'event_id');
    assert.equal(config.eventRetentionDays, 90);
    assert.deepEqual(config.warnings, []);
    const plain = parse({});
    assert.equal(plain.eventKey, undefined);
    assert.equal(plain.eventRetentionDays, undefined);
  });

  it('unknown top-level keys and record types are warnings, not errors', () => {
    const config = parse({ comment: 'hi', fieldMapping: { USER: { identifyId: 'id' }, LEADS: {} } });
    assert.deepEqual(config.warnings, [
      'c.json: fieldMapping.LEADS ignored (types are USER, ACCOUNT, CUSTOM_EVENT, USER_PREFERENCES)',
      'c.json: unknown setting "comment" ignored',
    ]);
  });

  it("only the run's type is checked; without a type every mapping is", () => {
    const text = JSON.stringify({
      ...baseConfig(),
      fieldMapping: { USER: { identifyId: 'id' }, ACCOUNT: { x: 'y' } },
    });
    assert.deepEqual(parseConfig(text, { env: {}, type: 'USER' }).fieldMapping.ACCOUNT, { x: 'y' });
    assert.throws(() => parseConfig(text, { env: {} }), { code: 'CONFIG_UNKNOWN_FIELD' });
  });

  it('a UTF-8 byte order mark is skipped', () => {
    assert.equal(parseConfig(`\uFEFF${JSON.stringify(baseConfig())}`, { env: {} }).apiKey, API_KEY);
  });
});

describe('config: environment overrides', () => {
  const text = JSON.stringify({ ...baseConfig(), baseUrl: 'https://file.example.com/v1' });
  const cases: [string, Record<string, string>, string | undefined, string][] = [
    ['none', {}, API_KEY, 'https://file.example.com/v1'],
    ['PX_API_KEY', { PX_API_KEY: 'env-key' }, 'env-key', 'https://file.example.com/v1'],
    ['PX_BASE_URL', { PX_BASE_URL: 'http://127.0.0.1:9/v1/' }, API_KEY, 'http://127.0.0.1:9/v1'],
    ['empty values are unset', { PX_API_KEY: '', PX_BASE_URL: ' ' }, API_KEY, 'https://file.example.com/v1'],
  ];
  for (const [name, env, apiKey, baseUrl] of cases) {
    it(name, () => {
      const config = parseConfig(text, { env, type: 'USER' });
      assert.equal(config.apiKey, apiKey);
      assert.equal(config.baseUrl, baseUrl);
    });
  }
  const productKeyCases: [string, Record<string, string>, string[]][] = [
    ['the file', {}, ['AP-XXXXXXXXXX-2']],
    ['PX_PRODUCT_KEY', { PX_PRODUCT_KEY: 'AP-ENV0000000-1' }, ['AP-ENV0000000-1']],
    ['PX_PRODUCT_KEY, a list', { PX_PRODUCT_KEY: ' AP-A-1, AP-B-2 ' }, ['AP-A-1', 'AP-B-2']],
    ['PX_PRODUCT_KEY empty is unset', { PX_PRODUCT_KEY: ' ' }, ['AP-XXXXXXXXXX-2']],
  ];
  for (const [name, env, productKeys] of productKeyCases) {
    it(`product keys from ${name}`, () => {
      const config = parseConfig(JSON.stringify({ ...baseConfig(), productKey: 'AP-XXXXXXXXXX-2' }), {
        env,
        type: 'USER',
      });
      assert.deepEqual(config.productKeys, productKeys);
    });
  }
  it('a PX_PRODUCT_KEY list with an empty entry is a fatal error naming the variable', () => {
    assert.throws(() => parseConfig(text, { env: { PX_PRODUCT_KEY: 'AP-A-1,,AP-B-2' }, type: 'USER' }), {
      code: 'CONFIG_INVALID_VALUE',
      message: /PX_PRODUCT_KEY/,
    });
  });
  it('PX_API_KEY supplies a key the file lacks', () => {
    const { apiKey: _, ...rest } = baseConfig();
    assert.equal(parseConfig(JSON.stringify(rest), { env: { PX_API_KEY: 'k2' } }).apiKey, 'k2');
  });
});

describe('isLoopbackUrl', () => {
  const cases: [string, boolean][] = [
    ['http://127.0.0.1:80/', true],
    ['http://127.255.0.3/', true],
    ['http://localhost/', true],
    ['http://LOCALHOST:1/', true],
    ['http://[::1]:8080/', true],
    ['http://128.0.0.1/', false],
    ['http://localhost.example.com/', false],
    ['http://127.0.0.1.nip.io/', false],
    ['http://[::2]/', false],
    ['not a url', false],
  ];
  for (const [url, expected] of cases) {
    it(`${url} -> ${expected}`, () => assert.equal(isLoopbackUrl(url), expected));
  }
});
