import { configError } from './errors.js';
import { classifyField } from './mapping.js';
import { isPxType, type PxType, type RecordType } from './model.js';

/** One entry of `GET /v1/admin/model/{user|account}/attributes` (px-api.md). */
export interface AttributeMetadata {
  name: string;
  apiName: string;
  type: string;
  origin?: string;
  state?: string;
  [other: string]: unknown;
}

/** Where a mapped field's type came from. */
export type FieldTypeSource = 'model' | 'metadata' | 'attributeTypes' | 'default';

/** The type a mapped PX field is converted to. */
export interface FieldTypeInfo {
  /** Dotted PX path, e.g. `customAttributes.plan`. */
  readonly path: string;
  readonly type: PxType;
  readonly integer: boolean;
  readonly enumValues?: readonly string[];
  /** True for free-form fields (`customAttributes.*`, `attributes.*`). */
  readonly custom: boolean;
  readonly source: FieldTypeSource;
}

export interface ResolveFieldTypesOptions {
  /** PX's attribute metadata for the type's model, when the API could be read. */
  metadata?: readonly AttributeMetadata[] | undefined;
  /** The config's `attributeTypes`: PX path -> type, for custom attributes offline. */
  attributeTypes?: Readonly<Record<string, PxType>> | undefined;
}

/**
 * The PX type of every mapped field. Standard fields: the built-in model. Custom attributes:
 * PX's metadata when given (matched by case-sensitive `apiName`), else `attributeTypes`, else
 * STRING.
 */
export function resolveFieldTypes(
  type: RecordType,
  mapping: Readonly<Record<string, string>>,
  options: ResolveFieldTypesOptions = {},
): Map<string, FieldTypeInfo> {
  const out = new Map<string, FieldTypeInfo>();
  const byApiName = indexCustom(type, options.metadata);
  for (const path of Object.keys(mapping)) {
    const found = classifyField(type, path);
    if (found.kind === 'standard') {
      const { spec } = found;
      out.set(path, {
        path,
        type: spec.type,
        integer: spec.integer,
        custom: false,
        source: 'model',
        ...(spec.enumValues ? { enumValues: spec.enumValues } : {}),
      });
      continue;
    }
    if (found.kind !== 'custom') {
      throw configError('CONFIG_UNKNOWN_FIELD', `fieldMapping.${type}`, `"${path}" cannot be mapped`, {
        field: path,
      });
    }
    const meta = byApiName.get(found.name);
    const declared = options.attributeTypes?.[path];
    const custom = (pxType: PxType, source: FieldTypeSource): FieldTypeInfo => ({
      path,
      type: pxType,
      integer: false,
      custom: true,
      source,
    });
    if (meta && isPxType(meta.type)) out.set(path, custom(meta.type, 'metadata'));
    else if (declared !== undefined) out.set(path, custom(declared, 'attributeTypes'));
    else out.set(path, custom('STRING', 'default'));
  }
  return out;
}

/** Custom attributes of the metadata by apiName (CUSTOM origin wins over a DEFAULT namesake). */
function indexCustom(
  type: RecordType,
  metadata: readonly AttributeMetadata[] | undefined,
): Map<string, AttributeMetadata> {
  const index = new Map<string, AttributeMetadata>();
  if (!metadata || (type !== 'USER' && type !== 'ACCOUNT')) return index;
  for (const entry of metadata) {
    if (typeof entry?.apiName !== 'string') continue;
    const seen = index.get(entry.apiName);
    if (!seen || (seen.origin !== 'CUSTOM' && entry.origin === 'CUSTOM')) index.set(entry.apiName, entry);
  }
  return index;
}

/**
 * Mapped custom attributes that PX's metadata says do not exist, or are DISABLED or DELETED.
 * The CLI prints the warnings (or fails with --strict). Only USER and ACCOUNT have metadata.
 */
export function checkMappedAttributes(
  type: RecordType,
  mapping: Readonly<Record<string, string>>,
  metadata: readonly AttributeMetadata[],
): { warnings: string[] } {
  const warnings: string[] = [];
  if (type !== 'USER' && type !== 'ACCOUNT') return { warnings };
  const index = indexCustom(type, metadata);
  for (const path of Object.keys(mapping)) {
    const found = classifyField(type, path);
    if (found.kind !== 'custom') continue;
    const meta = index.get(found.name);
    if (!meta) {
      const near = [...index.keys()].find((apiName) => apiName.toLowerCase() === found.name.toLowerCase());
      const hint = near ? ` (did you mean "${near}"? apiNames are case-sensitive)` : '';
      warnings.push(`${path}: PX has no ${type} attribute with apiName "${found.name}"${hint}`);
    } else if (meta.state === 'DISABLED' || meta.state === 'DELETED') {
      warnings.push(`${path}: the PX ${type} attribute "${found.name}" is ${meta.state}`);
    } else if (!isPxType(meta.type)) {
      warnings.push(
        `${path}: the PX ${type} attribute "${found.name}" has type ${String(meta.type)}, unknown to pxstream`,
      );
    }
  }
  return { warnings };
}
