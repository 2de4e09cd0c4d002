import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { classifyField, keyFieldOf, modelFor, RECORD_TYPES, type RecordType } from '@pxstream/config';

describe('config model: keys', () => {
  const keys: [RecordType, string][] = [
    ['USER', 'identifyId'],
    ['ACCOUNT', 'id'],
    ['CUSTOM_EVENT', 'identifyId'],
    ['USER_PREFERENCES', 'identifyId'],
  ];
  for (const [type, key] of keys) {
    it(`${type} is keyed by ${key}, a writable required STRING`, () => {
      assert.equal(keyFieldOf(type), key);
      const spec = modelFor(type).get(key)!;
      assert.equal(spec.type, 'STRING');
      assert.equal(spec.readOnly, false);
      assert.equal(spec.required, true);
    });
  }
  it('covers the four record types of the loader', () => {
    assert.deepEqual([...RECORD_TYPES], ['USER', 'ACCOUNT', 'CUSTOM_EVENT', 'USER_PREFERENCES']);
  });
});

describe('config model: field specs', () => {
  const cases: [
    RecordType,
    string,
    Partial<{ type: string; integer: boolean; readOnly: boolean; required: boolean }>,
  ][] = [
    ['USER', 'score', { type: 'NUMBER', integer: true }],
    ['USER', 'globalUnsubscribe', { type: 'BOOLEAN' }],
    ['USER', 'signUpDate', { type: 'DATE_TIME' }],
    ['USER', 'firstVisitDate', { type: 'DATE_TIME' }],
    ['USER', 'sfdcContactId', { type: 'STRING', readOnly: false }],
    ['USER', 'id', { readOnly: true }],
    ['USER', 'aptrinsicId', { readOnly: true }],
    ['USER', 'lastSeenDate', { readOnly: true, type: 'DATE_TIME' }],
    ['USER', 'numberOfVisits', { readOnly: true }],
    ['USER', 'location.coordinates.latitude', { type: 'NUMBER', integer: false }],
    ['USER', 'location.countryCode', { type: 'STRING' }],
    ['ACCOUNT', 'lastSeenDate', { readOnly: false, type: 'DATE_TIME' }],
    ['ACCOUNT', 'name', { required: true }],
    ['ACCOUNT', 'numberOfEmployees', { type: 'NUMBER', integer: true }],
    ['ACCOUNT', 'healthScore', { type: 'NUMBER', integer: true }],
    ['ACCOUNT', 'nps', { type: 'NUMBER', integer: false }],
    ['ACCOUNT', 'renewalDate', { type: 'DATE_TIME' }],
    ['ACCOUNT', 'numberOfUsers', { readOnly: true }],
    ['ACCOUNT', 'location.timeZone', { type: 'STRING' }],
    ['CUSTOM_EVENT', 'eventName', { required: true }],
    ['CUSTOM_EVENT', 'date', { type: 'DATE_TIME' }],
    ['USER_PREFERENCES', 'onboardingBot', { type: 'BOOLEAN' }],
  ];
  for (const [type, path, expected] of cases) {
    it(`${type}.${path}: ${JSON.stringify(expected)}`, () => {
      const spec = modelFor(type).get(path);
      assert.ok(spec, `${path} is in the ${type} model`);
      for (const [k, v] of Object.entries(expected)) assert.equal(spec[k as keyof typeof spec], v, k);
    });
  }
  it('enums: user type and gender', () => {
    assert.deepEqual(modelFor('USER').get('type')!.enumValues, [
      'LEAD',
      'USER',
      'VISITOR',
      'EMPTY_USER_TYPE',
    ]);
    assert.deepEqual(modelFor('USER').get('gender')!.enumValues, ['MALE', 'FEMALE', 'OTHER', 'EMPTY_GENDER']);
  });
});

describe('config model: classifyField', () => {
  const cases: [RecordType, string, string][] = [
    ['USER', 'email', 'standard'],
    ['USER', 'customAttributes.plan', 'custom'],
    ['ACCOUNT', 'customAttributes.Tier', 'custom'],
    ['CUSTOM_EVENT', 'attributes.size', 'custom'],
    ['CUSTOM_EVENT', 'attributes.cart.total', 'custom'],
    ['USER', 'propertyKeys', 'reserved'],
    ['ACCOUNT', 'propertyKeys', 'reserved'],
    ['CUSTOM_EVENT', 'userType', 'reserved'],
    ['USER', 'createDate', 'read-only'],
    ['USER', 'lastInferredLocation.city', 'read-only'],
    ['ACCOUNT', 'id', 'standard'],
    ['USER', 'customAttributes.', 'unknown'],
    ['USER', 'customAttributes.__proto__', 'unknown'],
    ['USER_PREFERENCES', 'customAttributes.x', 'unknown'],
    ['USER_PREFERENCES', 'email', 'unknown'],
    ['CUSTOM_EVENT', 'customAttributes.x', 'unknown'],
    ['USER', 'location', 'unknown'],
  ];
  for (const [type, path, kind] of cases) {
    it(`${type} ${path} is ${kind}`, () => assert.equal(classifyField(type, path).kind, kind));
  }
});
