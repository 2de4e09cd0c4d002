import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { type AttributeMetadata, checkMappedAttributes, resolveFieldTypes } from '@pxstream/config';

// As PX lists them (px-api.md): the key under apiName `id`, location without its prefix.
const metadata: AttributeMetadata[] = [
  { name: 'Identify ID', apiName: 'id', type: 'STRING', origin: 'DEFAULT', state: 'ENABLED' },
  { name: 'Score', apiName: 'score', type: 'NUMBER', origin: 'DEFAULT', state: 'ENABLED' },
  { name: 'City', apiName: 'city', type: 'STRING', origin: 'DEFAULT', state: 'ENABLED' },
  { name: 'Plan', apiName: 'plan', type: 'STRING', origin: 'CUSTOM', state: 'ENABLED' },
  { name: 'Seats', apiName: 'seats', type: 'NUMBER', origin: 'CUSTOM', state: 'ENABLED' },
  { name: 'Trial', apiName: 'trial', type: 'BOOLEAN', origin: 'CUSTOM', state: 'DISABLED' },
  { name: 'Old', apiName: 'old', type: 'DATE_TIME', origin: 'CUSTOM', state: 'DELETED' },
  { name: 'Renewal', apiName: 'RenewalDate', type: 'DATE_TIME', origin: 'CUSTOM', state: 'ENABLED' },
];

describe('resolveFieldTypes: precedence', () => {
  const mapping = {
    identifyId: 'id',
    score: 'score',
    'location.city': 'city',
    'location.coordinates.latitude': 'lat',
    'customAttributes.plan': 'plan',
    'customAttributes.seats': 'seats',
    'customAttributes.extra': 'extra',
    'customAttributes.undeclared': 'u',
  };
  const attributeTypes = {
    'customAttributes.seats': 'STRING',
    'customAttributes.extra': 'BOOLEAN',
  } as const;
  const cases: [string, string, string, string, boolean][] = [
    // path, online type, online source, offline type, integer
    ['identifyId', 'STRING', 'model', 'STRING', false],
    ['score', 'NUMBER', 'model', 'NUMBER', true],
    ['location.coordinates.latitude', 'NUMBER', 'model', 'NUMBER', false],
    ['customAttributes.plan', 'STRING', 'metadata', 'STRING', false],
    ['customAttributes.seats', 'NUMBER', 'metadata', 'STRING', false],
    ['customAttributes.extra', 'BOOLEAN', 'attributeTypes', 'BOOLEAN', false],
    ['customAttributes.undeclared', 'STRING', 'default', 'STRING', false],
  ];
  const online = resolveFieldTypes('USER', mapping, { metadata, attributeTypes });
  const offline = resolveFieldTypes('USER', mapping, { attributeTypes });
  for (const [path, type, source, offlineType, integer] of cases) {
    it(`${path}: ${type} from ${source} (offline ${offlineType})`, () => {
      assert.equal(online.get(path)?.type, type);
      assert.equal(online.get(path)?.source, source);
      assert.equal(online.get(path)?.integer, integer);
      assert.equal(offline.get(path)?.type, offlineType);
    });
  }
  it('returns exactly the mapped fields', () => {
    assert.deepEqual([...online.keys()].sort(), Object.keys(mapping).sort());
  });
  it('enum values travel with the type', () => {
    const types = resolveFieldTypes('USER', { identifyId: 'id', gender: 'g' });
    assert.deepEqual(types.get('gender')?.enumValues, ['MALE', 'FEMALE', 'OTHER', 'EMPTY_GENDER']);
  });
  it('event attributes: attributeTypes, else STRING (no metadata for events)', () => {
    const types = resolveFieldTypes(
      'CUSTOM_EVENT',
      { identifyId: 'u', eventName: 'e', 'attributes.size': 's', 'attributes.plan': 'p' },
      { metadata, attributeTypes: { 'attributes.size': 'NUMBER' } },
    );
    assert.equal(types.get('attributes.size')?.type, 'NUMBER');
    assert.equal(types.get('attributes.plan')?.source, 'default');
  });
  it('an unmappable field is a fatal config error', () => {
    assert.throws(() => resolveFieldTypes('USER', { identifyId: 'id', createDate: 'c' }), {
      code: 'CONFIG_UNKNOWN_FIELD',
      fatal: true,
    });
  });
});

describe('checkMappedAttributes', () => {
  it('warns about missing, disabled, deleted and miscased custom attributes', () => {
    const mapping = {
      identifyId: 'id',
      score: 's',
      'customAttributes.plan': 'plan',
      'customAttributes.trial': 'trial',
      'customAttributes.old': 'old',
      'customAttributes.nope': 'nope',
      'customAttributes.renewalDate': 'r',
    };
    assert.deepEqual(checkMappedAttributes('USER', mapping, metadata).warnings, [
      'customAttributes.trial: the PX USER attribute "trial" is DISABLED',
      'customAttributes.old: the PX USER attribute "old" is DELETED',
      'customAttributes.nope: PX has no USER attribute with apiName "nope"',
      'customAttributes.renewalDate: PX has no USER attribute with apiName "renewalDate" (did you mean "RenewalDate"? apiNames are case-sensitive)',
    ]);
  });
  it('no warnings when every custom attribute exists and is enabled', () => {
    const mapping = { identifyId: 'id', 'customAttributes.plan': 'p', 'customAttributes.seats': 's' };
    assert.deepEqual(checkMappedAttributes('USER', mapping, metadata).warnings, []);
  });
});
