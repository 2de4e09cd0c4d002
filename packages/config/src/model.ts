/**
 * The PX model as pxstream needs it (px-api.md "Models"): every field a mapping can name, with
 * its PX type, for the four record types of Gainsight's loader.
 */

export const RECORD_TYPES = ['USER', 'ACCOUNT', 'CUSTOM_EVENT', 'USER_PREFERENCES'] as const;
export type RecordType = (typeof RECORD_TYPES)[number];

export const PX_TYPES = ['STRING', 'NUMBER', 'BOOLEAN', 'DATE_TIME'] as const;
export type PxType = (typeof PX_TYPES)[number];

export interface FieldSpec {
  /** Dotted path in the PX body, e.g. `location.coordinates.latitude`. */
  readonly path: string;
  readonly type: PxType;
  /** NUMBER fields that only take whole numbers (`score`, `numberOfEmployees`, `healthScore`). */
  readonly integer: boolean;
  /** Allowed values (upper case) of an enum field (`type`, `gender`). */
  readonly enumValues?: readonly string[];
  /** Set by PX; a mapping must never name it. */
  readonly readOnly: boolean;
  /** PX requires it in a created record. */
  readonly required: boolean;
}

export const USER_TYPES = ['LEAD', 'USER', 'VISITOR', 'EMPTY_USER_TYPE'] as const;
export const GENDERS = ['MALE', 'FEMALE', 'OTHER', 'EMPTY_GENDER'] as const;

interface Extra {
  integer?: boolean;
  enumValues?: readonly string[];
  readOnly?: boolean;
  required?: boolean;
}

function spec(path: string, type: PxType, extra: Extra = {}): FieldSpec {
  const out: FieldSpec = {
    path,
    type,
    integer: extra.integer ?? false,
    readOnly: extra.readOnly ?? false,
    required: extra.required ?? false,
    ...(extra.enumValues ? { enumValues: extra.enumValues } : {}),
  };
  return Object.freeze(out);
}

const strings = (...paths: string[]) => paths.map((path) => spec(path, 'STRING'));
const dates = (...paths: string[]) => paths.map((path) => spec(path, 'DATE_TIME'));
const readOnly = (path: string, type: PxType) => spec(path, type, { readOnly: true });

const LOCATION: FieldSpec[] = [
  ...strings(
    'location.countryName',
    'location.countryCode',
    'location.stateName',
    'location.stateCode',
    'location.city',
    'location.street',
    'location.postalCode',
    'location.continent',
    'location.regionName',
    'location.timeZone',
  ),
  spec('location.coordinates.latitude', 'NUMBER'),
  spec('location.coordinates.longitude', 'NUMBER'),
];

const USER: FieldSpec[] = [
  spec('identifyId', 'STRING', { required: true }),
  spec('type', 'STRING', { enumValues: USER_TYPES }),
  spec('gender', 'STRING', { enumValues: GENDERS }),
  ...strings(
    'email',
    'firstName',
    'lastName',
    'title',
    'phone',
    'role',
    'subscriptionId',
    'accountId',
    'sfdcContactId',
  ),
  spec('score', 'NUMBER', { integer: true }),
  spec('globalUnsubscribe', 'BOOLEAN'),
  ...dates('signUpDate', 'firstVisitDate'),
  ...LOCATION,
  readOnly('aptrinsicId', 'STRING'),
  readOnly('id', 'STRING'),
  readOnly('globalId', 'STRING'),
  readOnly('numberOfVisits', 'NUMBER'),
  readOnly('lastSeenDate', 'DATE_TIME'),
  readOnly('createDate', 'DATE_TIME'),
  readOnly('lastModifiedDate', 'DATE_TIME'),
  readOnly('lastInferredLocation', 'STRING'),
];

const ACCOUNT: FieldSpec[] = [
  spec('id', 'STRING', { required: true }),
  spec('name', 'STRING', { required: true }),
  ...strings(
    'trackedSubscriptionId',
    'sfdcId',
    'dunsNumber',
    'industry',
    'sicCode',
    'website',
    'naicsCode',
    'plan',
    'parentGroupId',
    'gsId',
    'csm',
  ),
  spec('numberOfEmployees', 'NUMBER', { integer: true }),
  spec('healthScore', 'NUMBER', { integer: true }),
  spec('nps', 'NUMBER'),
  ...dates('lastSeenDate', 'renewalDate'),
  ...LOCATION,
  readOnly('numberOfUsers', 'NUMBER'),
  readOnly('createDate', 'DATE_TIME'),
  readOnly('lastModifiedDate', 'DATE_TIME'),
];

const CUSTOM_EVENT: FieldSpec[] = [
  spec('identifyId', 'STRING', { required: true }),
  spec('eventName', 'STRING', { required: true }),
  spec('date', 'DATE_TIME'),
  ...strings('accountId', 'url', 'referrer', 'remoteHost'),
];

const USER_PREFERENCES: FieldSpec[] = [
  spec('identifyId', 'STRING', { required: true }),
  ...['trackUsage', 'productUpdates', 'guidedTours', 'surveys', 'onboardingBot'].map((path) =>
    spec(path, 'BOOLEAN'),
  ),
];

function table(fields: FieldSpec[]): ReadonlyMap<string, FieldSpec> {
  return new Map(fields.map((field) => [field.path, field]));
}

/** Every standard field of each record type, by dotted path (read-only ones included). */
export const PX_MODEL: Readonly<Record<RecordType, ReadonlyMap<string, FieldSpec>>> = Object.freeze({
  USER: table(USER),
  ACCOUNT: table(ACCOUNT),
  CUSTOM_EVENT: table(CUSTOM_EVENT),
  USER_PREFERENCES: table(USER_PREFERENCES),
});

export function modelFor(type: RecordType): ReadonlyMap<string, FieldSpec> {
  return PX_MODEL[type];
}

const KEY_FIELDS: Record<RecordType, string> = {
  USER: 'identifyId',
  ACCOUNT: 'id',
  CUSTOM_EVENT: 'identifyId',
  USER_PREFERENCES: 'identifyId',
};

/** The field that identifies a record: `identifyId`, or `id` for accounts. */
export function keyFieldOf(type: RecordType): string {
  return KEY_FIELDS[type];
}

/** Fields a mapping of this type must name: the key, and `eventName` for custom events. */
export function requiredMappingsOf(type: RecordType): readonly string[] {
  return type === 'CUSTOM_EVENT' ? ['identifyId', 'eventName'] : [KEY_FIELDS[type]];
}

const FREE_FORM: Record<RecordType, string | undefined> = {
  USER: 'customAttributes.',
  ACCOUNT: 'customAttributes.',
  CUSTOM_EVENT: 'attributes.',
  USER_PREFERENCES: undefined,
};

/** The prefix under which any name may be mapped (`customAttributes.`, `attributes.`), if any. */
export function freeFormPrefixOf(type: RecordType): string | undefined {
  return FREE_FORM[type];
}

const RESERVED: Record<RecordType, readonly string[]> = {
  USER: ['propertyKeys'],
  ACCOUNT: ['propertyKeys'],
  CUSTOM_EVENT: ['propertyKey', 'userType'],
  USER_PREFERENCES: [],
};

/** Body fields pxstream fills itself (from `productKey`); a mapping must not name them. */
export function reservedFieldsOf(type: RecordType): readonly string[] {
  return RESERVED[type];
}

export function isRecordType(value: unknown): value is RecordType {
  return typeof value === 'string' && (RECORD_TYPES as readonly string[]).includes(value);
}

export function isPxType(value: unknown): value is PxType {
  return typeof value === 'string' && (PX_TYPES as readonly string[]).includes(value);
}
