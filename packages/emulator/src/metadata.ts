/**
 * `GET /v1/admin/model/{user|account}/attributes`: the default model plus the configured
 * custom attributes. As PX does (px-api.md "Inferred"): the user key is listed under apiName
 * `id`, location attributes have no `location.` prefix, and `sfdcContactId` and
 * `globalUnsubscribe` are not listed for users though writable. Read-only attributes are not
 * listed (a client must not take them for writable ones).
 */
import {
  ACCOUNT_FIELDS,
  attributeType,
  COORDINATE_FIELDS,
  type FieldSpec,
  LOCATION_FIELDS,
  type ModelName,
  USER_FIELDS,
} from './model.js';
import type { CustomAttributeSpec, PxAttributeType } from './options.js';

export interface AttributeMetadata {
  name: string;
  apiName: string;
  type: PxAttributeType;
  origin: 'DEFAULT' | 'CUSTOM';
  state: 'ENABLED' | 'DISABLED' | 'DELETED';
}

function listed(table: Record<string, FieldSpec>): AttributeMetadata[] {
  const out: AttributeMetadata[] = [];
  for (const [apiName, spec] of Object.entries(table)) {
    if (spec.label) {
      out.push({
        name: spec.label,
        apiName,
        type: attributeType(spec.kind),
        origin: 'DEFAULT',
        state: 'ENABLED',
      });
    }
  }
  return out;
}

function defaults(model: ModelName): AttributeMetadata[] {
  const key: AttributeMetadata =
    model === 'user'
      ? { name: 'Identify ID', apiName: 'id', type: 'STRING', origin: 'DEFAULT', state: 'ENABLED' }
      : { name: 'Account ID', apiName: 'id', type: 'STRING', origin: 'DEFAULT', state: 'ENABLED' };
  const fields = model === 'user' ? USER_FIELDS : ACCOUNT_FIELDS;
  return [key, ...listed(fields), ...listed(LOCATION_FIELDS), ...listed(COORDINATE_FIELDS)];
}

export function attributeMetadata(model: ModelName, custom: CustomAttributeSpec[] = []): AttributeMetadata[] {
  return [
    ...defaults(model),
    ...custom.map((spec) => ({
      name: spec.name ?? spec.apiName,
      apiName: spec.apiName,
      type: spec.type,
      origin: 'CUSTOM' as const,
      state: spec.state ?? 'ENABLED',
    })),
  ];
}
