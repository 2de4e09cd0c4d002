import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { type RecordType, resolveFieldTypes } from '@pxstream/config';
import { isRejection, type JsonObject, type RowEnvelope } from '@pxstream/core';
import { createValidator, type ValidatorOptions } from '@pxstream/validator';

function run(options: ValidatorOptions, body: JsonObject | undefined, key?: string) {
  const row: RowEnvelope = { index: 0, line: 2, fields: [], body, key };
  const result = createValidator(options).process(row);
  if (isRejection(result)) {
    assert.equal(result.stage, 'validate');
    assert.equal(result.row, row);
    return { code: result.code, field: result.field, message: result.message };
  }
  assert.equal(result, row);
  return { body: result.body };
}

type Case = [
  name: string,
  type: RecordType,
  body: JsonObject | undefined,
  key: string | undefined,
  expected: unknown,
];

const cases: Case[] = [
  [
    'a good user passes unchanged',
    'USER',
    { identifyId: 'u', email: 'a.b+c@ex-ample.co.uk' },
    'u',
    {
      body: { identifyId: 'u', email: 'a.b+c@ex-ample.co.uk' },
    },
  ],
  ['no body', 'USER', undefined, 'u', 'VALIDATE_NO_BODY'],
  ['no key', 'USER', { email: 'a@b.co' }, undefined, 'VALIDATE_MISSING_KEY'],
  ['a blank key', 'USER', { identifyId: '   ' }, '   ', 'VALIDATE_MISSING_KEY'],
  ['an account without id', 'ACCOUNT', { name: 'Acme' }, undefined, 'VALIDATE_MISSING_KEY'],
  ['an account without name passes (PUT is partial)', 'ACCOUNT', { id: 'a' }, 'a', { body: { id: 'a' } }],
  [
    'preferences keyed by row.key only',
    'USER_PREFERENCES',
    { surveys: true },
    'u',
    { body: { surveys: true } },
  ],
  ['preferences without key', 'USER_PREFERENCES', { surveys: true }, undefined, 'VALIDATE_MISSING_KEY'],
  ['an event without eventName', 'CUSTOM_EVENT', { identifyId: 'u' }, 'u', 'VALIDATE_MISSING_FIELD'],
  [
    'an event with a blank eventName',
    'CUSTOM_EVENT',
    { identifyId: 'u', eventName: ' ' },
    'u',
    'VALIDATE_MISSING_FIELD',
  ],
  [
    'an event with eventName',
    'CUSTOM_EVENT',
    { identifyId: 'u', eventName: 'Bought' },
    'u',
    {
      body: { identifyId: 'u', eventName: 'Bought' },
    },
  ],
  ['email without @', 'USER', { identifyId: 'u', email: 'a.b.co' }, 'u', 'VALIDATE_INVALID_EMAIL'],
  [
    'email without domain dot',
    'USER',
    { identifyId: 'u', email: 'a@localhost' },
    'u',
    'VALIDATE_INVALID_EMAIL',
  ],
  ['email with a space', 'USER', { identifyId: 'u', email: 'a b@c.de' }, 'u', 'VALIDATE_INVALID_EMAIL'],
  ['email with two @', 'USER', { identifyId: 'u', email: 'a@b@c.de' }, 'u', 'VALIDATE_INVALID_EMAIL'],
  ['email ending in a dot', 'USER', { identifyId: 'u', email: 'a@b.' }, 'u', 'VALIDATE_INVALID_EMAIL'],
  ['email with an empty label', 'USER', { identifyId: 'u', email: 'a@b..de' }, 'u', 'VALIDATE_INVALID_EMAIL'],
  [
    'email too long',
    'USER',
    { identifyId: 'u', email: `${'a'.repeat(250)}@b.de` },
    'u',
    'VALIDATE_INVALID_EMAIL',
  ],
  [
    'email padded: trimmed',
    'USER',
    { identifyId: 'u', email: ' a@b.de ' },
    'u',
    {
      body: { identifyId: 'u', email: 'a@b.de' },
    },
  ],
  [
    'enums canonical upper case',
    'USER',
    { identifyId: 'u', type: 'lead', gender: ' Female ' },
    'u',
    {
      body: { identifyId: 'u', type: 'LEAD', gender: 'FEMALE' },
    },
  ],
  ['enum type out of set', 'USER', { identifyId: 'u', type: 'CUSTOMER' }, 'u', 'VALIDATE_INVALID_ENUM'],
  ['enum gender out of set', 'USER', { identifyId: 'u', gender: 'F' }, 'u', 'VALIDATE_INVALID_ENUM'],
  [
    'latitude at the limits',
    'USER',
    { identifyId: 'u', location: { coordinates: { latitude: -90, longitude: 180 } } },
    'u',
    {
      body: { identifyId: 'u', location: { coordinates: { latitude: -90, longitude: 180 } } },
    },
  ],
  [
    'latitude too high',
    'USER',
    { identifyId: 'u', location: { coordinates: { latitude: 90.01 } } },
    'u',
    'VALIDATE_OUT_OF_RANGE',
  ],
  [
    'longitude too low',
    'ACCOUNT',
    { id: 'a', location: { coordinates: { longitude: -180.5 } } },
    'a',
    'VALIDATE_OUT_OF_RANGE',
  ],
  [
    'countryCode upper-cased',
    'USER',
    { identifyId: 'u', location: { countryCode: 'fr', city: 'Paris' } },
    'u',
    {
      body: { identifyId: 'u', location: { countryCode: 'FR', city: 'Paris' } },
    },
  ],
  [
    'countryCode of three letters',
    'USER',
    { identifyId: 'u', location: { countryCode: 'FRA' } },
    'u',
    'VALIDATE_INVALID_COUNTRY_CODE',
  ],
  [
    'countryCode with a digit',
    'ACCOUNT',
    { id: 'a', location: { countryCode: 'F1' } },
    'a',
    'VALIDATE_INVALID_COUNTRY_CODE',
  ],
];

describe('validator: rules', () => {
  for (const [name, type, body, key, expected] of cases) {
    it(`${type}: ${name}`, () => {
      const result = run({ type }, body === undefined ? undefined : structuredClone(body), key);
      if (typeof expected === 'string') assert.equal(result.code, expected, result.message);
      else assert.deepEqual(result, expected);
    });
  }
});

describe('validator: messages name the field and the value', () => {
  const messages: [RecordType, JsonObject, string, string][] = [
    ['USER', { identifyId: 'u', email: 'nope' }, 'email', 'email: "nope" is not an email address'],
    [
      'USER',
      { identifyId: 'u', type: 'boss' },
      'type',
      'type: "boss" is not one of LEAD, USER, VISITOR, EMPTY_USER_TYPE',
    ],
    [
      'USER',
      { identifyId: 'u', location: { coordinates: { latitude: 123 } } },
      'location.coordinates.latitude',
      'location.coordinates.latitude: "123" is outside [-90, 90]',
    ],
    ['USER', {}, 'identifyId', 'identifyId: the key field is empty (USER rows need one)'],
  ];
  for (const [type, body, field, message] of messages) {
    it(message, () => {
      const result = run({ type }, body, body.identifyId as string | undefined);
      assert.equal(result.field, field);
      assert.equal(result.message, message);
    });
  }
});

describe('validator: options', () => {
  it('requireCreateFields rejects an account without a name', () => {
    assert.equal(
      run({ type: 'ACCOUNT', requireCreateFields: true }, { id: 'a' }, 'a').code,
      'VALIDATE_MISSING_FIELD',
    );
    assert.deepEqual(run({ type: 'ACCOUNT', requireCreateFields: true }, { id: 'a', name: 'A' }, 'a'), {
      body: { id: 'a', name: 'A' },
    });
  });

  const mapping = {
    identifyId: 'id',
    score: 's',
    signUpDate: 'd',
    globalUnsubscribe: 'g',
    'customAttributes.n': 'n',
  };
  const fieldTypes = resolveFieldTypes('USER', mapping, {
    attributeTypes: { 'customAttributes.n': 'NUMBER' },
  });
  const typed: [string, JsonObject, string | undefined][] = [
    [
      'all of their types',
      { identifyId: 'u', score: 3, signUpDate: 0, globalUnsubscribe: true, customAttributes: { n: 1.5 } },
      undefined,
    ],
    [
      'a string for a boolean (as the Python loader sends)',
      { identifyId: 'u', globalUnsubscribe: 'true' },
      'globalUnsubscribe',
    ],
    ['a fraction for an integer', { identifyId: 'u', score: 3.5 }, 'score'],
    ['a string for a date', { identifyId: 'u', signUpDate: '2024-01-01' }, 'signUpDate'],
    ['a string for a custom number', { identifyId: 'u', customAttributes: { n: '1' } }, 'customAttributes.n'],
  ];
  for (const [name, body, field] of typed) {
    it(`with fieldTypes, body values are type-checked: ${name}`, () => {
      const result = run({ type: 'USER', fieldTypes }, body, 'u');
      if (field === undefined) assert.deepEqual(result, { body });
      else assert.deepEqual([result.code, result.field], ['VALIDATE_TYPE_MISMATCH', field]);
    });
  }

  it('trustMappedTypes skips the type check (bodies from a mapper compiled with the same types), not the rules of mapped fields', () => {
    assert.deepEqual(
      run({ type: 'USER', fieldTypes, trustMappedTypes: true }, { identifyId: 'u', score: 3.5 }, 'u'),
      {
        body: { identifyId: 'u', score: 3.5 },
      },
    );
    const withEmail = resolveFieldTypes('USER', { ...mapping, email: 'e', 'location.countryCode': 'c' });
    const trusted = { type: 'USER' as const, fieldTypes: withEmail, trustMappedTypes: true };
    assert.equal(run(trusted, { identifyId: 'u', email: 'nope' }, 'u').code, 'VALIDATE_INVALID_EMAIL');
    assert.equal(
      run(trusted, { identifyId: 'u', location: { countryCode: 'FRA' } }, 'u').code,
      'VALIDATE_INVALID_COUNTRY_CODE',
    );
    // A field the mapping lacks cannot be in such a body: its rule is not run.
    assert.deepEqual(
      run({ type: 'USER', fieldTypes, trustMappedTypes: true }, { identifyId: 'u', gender: 'x' }, 'u'),
      {
        body: { identifyId: 'u', gender: 'x' },
      },
    );
    assert.equal(
      run({ type: 'USER', fieldTypes }, { identifyId: 'u', gender: 'x' }, 'u').code,
      'VALIDATE_INVALID_ENUM',
    );
  });

  it('is reusable: one validator checks many rows (strict mode runs it twice)', () => {
    const validator = createValidator({ type: 'USER' });
    for (let i = 0; i < 3; i++) {
      const good: RowEnvelope = {
        index: i,
        line: i + 2,
        fields: [],
        body: { identifyId: `u${i}` },
        key: `u${i}`,
      };
      assert.equal(validator.process(good), good);
      const bad: RowEnvelope = {
        index: i,
        line: i + 2,
        fields: [],
        body: { identifyId: 'x', email: 'x' },
        key: 'x',
      };
      assert.ok(isRejection(validator.process(bad)));
    }
  });
});
