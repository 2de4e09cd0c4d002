/**
 * The PX models (px-api.md "Models"), as tables the validator and the metadata endpoint read.
 * Written here on purpose: the emulator must not share code with the validator it tests.
 */
import type { PxAttributeType } from './options.js';

export type FieldKind =
  | 'string'
  | 'stringArray'
  | 'integer'
  | 'number'
  | 'boolean'
  | 'date'
  | 'location'
  | 'custom'
  | 'coordinates'
  | 'object';

export interface FieldSpec {
  kind: FieldKind;
  /** Allowed values of an enum string. */
  values?: readonly string[];
  /** Display name for the metadata endpoint; omitted fields are not listed there. */
  label?: string;
}

export type ModelName = 'user' | 'account';

const USER_TYPES = ['LEAD', 'USER', 'VISITOR', 'EMPTY_USER_TYPE'] as const;
const GENDERS = ['MALE', 'FEMALE', 'OTHER', 'EMPTY_GENDER'] as const;

export const USER_FIELDS: Record<string, FieldSpec> = {
  identifyId: { kind: 'string' },
  propertyKeys: { kind: 'stringArray' },
  type: { kind: 'string', values: USER_TYPES, label: 'Type' },
  gender: { kind: 'string', values: GENDERS, label: 'Gender' },
  email: { kind: 'string', label: 'Email' },
  firstName: { kind: 'string', label: 'First Name' },
  lastName: { kind: 'string', label: 'Last Name' },
  title: { kind: 'string', label: 'Title' },
  phone: { kind: 'string', label: 'Phone' },
  role: { kind: 'string', label: 'Role' },
  subscriptionId: { kind: 'string', label: 'Subscription ID' },
  accountId: { kind: 'string', label: 'Account ID' },
  sfdcContactId: { kind: 'string' },
  score: { kind: 'integer', label: 'Score' },
  globalUnsubscribe: { kind: 'boolean' },
  signUpDate: { kind: 'date', label: 'Sign Up Date' },
  firstVisitDate: { kind: 'date', label: 'First Visit Date' },
  location: { kind: 'location' },
  customAttributes: { kind: 'custom' },
};

export const USER_READ_ONLY: ReadonlySet<string> = new Set([
  'aptrinsicId',
  'id',
  'globalId',
  'numberOfVisits',
  'lastSeenDate',
  'createDate',
  'lastModifiedDate',
  'lastInferredLocation',
]);

export const ACCOUNT_FIELDS: Record<string, FieldSpec> = {
  id: { kind: 'string' },
  name: { kind: 'string', label: 'Name' },
  propertyKeys: { kind: 'stringArray' },
  trackedSubscriptionId: { kind: 'string', label: 'Tracked Subscription ID' },
  sfdcId: { kind: 'string', label: 'SFDC ID' },
  dunsNumber: { kind: 'string', label: 'DUNS Number' },
  industry: { kind: 'string', label: 'Industry' },
  sicCode: { kind: 'string', label: 'SIC Code' },
  website: { kind: 'string', label: 'Website' },
  naicsCode: { kind: 'string', label: 'NAICS Code' },
  plan: { kind: 'string', label: 'Plan' },
  parentGroupId: { kind: 'string', label: 'Parent Group ID' },
  gsId: { kind: 'string', label: 'GS ID' },
  csm: { kind: 'string', label: 'CSM' },
  numberOfEmployees: { kind: 'integer', label: 'Number of Employees' },
  healthScore: { kind: 'integer', label: 'Health Score' },
  nps: { kind: 'number', label: 'NPS' },
  lastSeenDate: { kind: 'date', label: 'Last Seen Date' },
  renewalDate: { kind: 'date', label: 'Renewal Date' },
  location: { kind: 'location' },
  customAttributes: { kind: 'custom' },
};

export const ACCOUNT_READ_ONLY: ReadonlySet<string> = new Set([
  'numberOfUsers',
  'createDate',
  'lastModifiedDate',
]);

export const LOCATION_FIELDS: Record<string, FieldSpec> = {
  countryName: { kind: 'string', label: 'Country Name' },
  countryCode: { kind: 'string', label: 'Country Code' },
  stateName: { kind: 'string', label: 'State Name' },
  stateCode: { kind: 'string', label: 'State Code' },
  city: { kind: 'string', label: 'City' },
  street: { kind: 'string', label: 'Street' },
  postalCode: { kind: 'string', label: 'Postal Code' },
  continent: { kind: 'string', label: 'Continent' },
  regionName: { kind: 'string', label: 'Region Name' },
  timeZone: { kind: 'string', label: 'Time Zone' },
  coordinates: { kind: 'coordinates' },
};

export const COORDINATE_FIELDS: Record<string, FieldSpec> = {
  latitude: { kind: 'number', label: 'Latitude' },
  longitude: { kind: 'number', label: 'Longitude' },
};

export const EVENT_FIELDS: Record<string, FieldSpec> = {
  identifyId: { kind: 'string' },
  eventName: { kind: 'string' },
  date: { kind: 'date' },
  accountId: { kind: 'string' },
  url: { kind: 'string' },
  referrer: { kind: 'string' },
  remoteHost: { kind: 'string' },
  attributes: { kind: 'object' },
  userType: { kind: 'string', values: USER_TYPES },
  propertyKey: { kind: 'string' },
};

export const PREFERENCE_FIELDS: Record<string, FieldSpec> = {
  trackUsage: { kind: 'boolean' },
  productUpdates: { kind: 'boolean' },
  guidedTours: { kind: 'boolean' },
  surveys: { kind: 'boolean' },
  onboardingBot: { kind: 'boolean' },
};

export interface ModelTable {
  name: ModelName;
  /** `User` or `Account`, as PX names them in messages. */
  label: 'User' | 'Account';
  key: 'identifyId' | 'id';
  /** Required on create, besides the key. */
  requiredOnCreate: readonly string[];
  fields: Record<string, FieldSpec>;
  readOnly: ReadonlySet<string>;
}

export const USER_MODEL: ModelTable = {
  name: 'user',
  label: 'User',
  key: 'identifyId',
  requiredOnCreate: ['propertyKeys'],
  fields: USER_FIELDS,
  readOnly: USER_READ_ONLY,
};

export const ACCOUNT_MODEL: ModelTable = {
  name: 'account',
  label: 'Account',
  key: 'id',
  requiredOnCreate: ['name', 'propertyKeys'],
  fields: ACCOUNT_FIELDS,
  readOnly: ACCOUNT_READ_ONLY,
};

/** The PX attribute type a field kind is listed as. */
export function attributeType(kind: FieldKind): PxAttributeType {
  switch (kind) {
    case 'integer':
    case 'number':
      return 'NUMBER';
    case 'boolean':
      return 'BOOLEAN';
    case 'date':
      return 'DATE_TIME';
    default:
      return 'STRING';
  }
}
