import {
  type AttributeMetadata,
  type FieldTypeInfo,
  keyFieldOf,
  modelFor,
  type RecordType,
  requiredMappingsOf,
} from '@pxstream/config';
import type { JsonObject, Rejection, RowEnvelope, RowStep } from '@pxstream/core';
import {
  checkEmail,
  checkEnum,
  checkLocation,
  checkType,
  fail,
  isPresent,
  type RuleFailure,
  valueAt,
} from './rules.js';

export interface ValidatorOptions {
  type: RecordType;
  /**
   * Types of the mapped fields (from `resolveFieldTypes`). When given, every body value is
   * checked to be of its PX type: useful for bodies not built by `@pxstream/mapper`.
   */
  fieldTypes?: ReadonlyMap<string, FieldTypeInfo>;
  /** Accepted for symmetry with the mapper; mapped attributes are checked at config time. */
  metadata?: readonly AttributeMetadata[] | undefined;
  /**
   * Also reject rows lacking a field PX requires on create (an ACCOUNT's `name`). Off by
   * default: an update (PUT) is partial and needs only the key.
   */
  requireCreateFields?: boolean;
  /**
   * Skip the type check of each typed field: for bodies built by a mapper compiled with the
   * same `fieldTypes`, whose converters already produced those types. It is the costliest rule
   * per row (a walk of every path), and redundant there. Such a body holds only the mapped
   * fields, so the rules of fields outside `fieldTypes` (an unmapped `gender`, say) are not
   * run either. Default false.
   */
  trustMappedTypes?: boolean;
}

interface TypedPath {
  readonly info: FieldTypeInfo;
  readonly segments: readonly string[];
}

/** A row step (stage `validate`) checking the body the mapper built; rewrites enum case. */
export function createValidator(options: ValidatorOptions): RowStep {
  return new Validator(options);
}

class Validator implements RowStep {
  readonly stage = 'validate' as const;
  private readonly type: RecordType;
  private readonly keyField: string;
  private readonly required: readonly string[];
  private readonly enums: readonly { field: string; values: readonly string[] }[];
  private readonly typed: readonly TypedPath[];
  private readonly checksEmail: boolean;
  private readonly checksLocation: boolean;

  constructor(options: ValidatorOptions) {
    const { type } = options;
    this.type = type;
    this.keyField = keyFieldOf(type);
    const model = modelFor(type);
    const required = requiredMappingsOf(type).filter((field) => field !== this.keyField);
    if (options.requireCreateFields) {
      for (const spec of model.values()) {
        if (spec.required && spec.path !== this.keyField && !required.includes(spec.path))
          required.push(spec.path);
      }
    }
    this.required = required;
    // Bodies from a mapper compiled with these types hold nothing else: skip the other rules.
    const mapped = options.trustMappedTypes ? options.fieldTypes : undefined;
    const isMapped = (path: string) => mapped === undefined || mapped.has(path);
    this.enums = [...model.values()]
      .filter((spec) => spec.enumValues !== undefined && !spec.readOnly && isMapped(spec.path))
      .map((spec) => ({ field: spec.path, values: spec.enumValues! }));
    this.checksEmail = isMapped('email');
    this.checksLocation =
      mapped === undefined || [...mapped.keys()].some((path) => path.startsWith('location.'));
    this.typed = [...(options.trustMappedTypes ? [] : (options.fieldTypes?.values() ?? []))].map((info) => ({
      info,
      segments: Object.freeze(info.path.split('.')),
    }));
  }

  process(row: RowEnvelope): RowEnvelope | Rejection {
    const body = row.body;
    if (body === undefined) {
      return reject(row, fail('VALIDATE_NO_BODY', this.keyField, 'the row has no body (was it mapped?)'));
    }
    const failure = this.check(row, body);
    return failure === undefined ? row : reject(row, failure);
  }

  private check(row: RowEnvelope, body: JsonObject): RuleFailure | undefined {
    const key = row.key ?? body[this.keyField];
    if (!isPresent(key)) {
      return fail(
        'VALIDATE_MISSING_KEY',
        this.keyField,
        `the key field is empty (${this.type} rows need one)`,
      );
    }
    for (const field of this.required) {
      if (!isPresent(body[field]))
        return fail('VALIDATE_MISSING_FIELD', field, `is required for ${this.type}`);
    }
    for (const { field, values } of this.enums) {
      const failure = checkEnum(body, field, values);
      if (failure) return failure;
    }
    for (const { info, segments } of this.typed) {
      const value = valueAt(body, segments);
      if (value === undefined) continue;
      const failure = checkType(value, info);
      if (failure) return failure;
    }
    return (
      (this.checksEmail ? checkEmail(body) : undefined) ??
      (this.checksLocation ? checkLocation(body) : undefined)
    );
  }
}

function reject(row: RowEnvelope, failure: RuleFailure): Rejection {
  return { row, stage: 'validate', code: failure.code, message: failure.message, field: failure.field };
}
