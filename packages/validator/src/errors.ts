/** Codes of the rejections `@pxstream/validator` emits (stage `validate`). */
export type ValidatorErrorCode =
  | 'VALIDATE_NO_BODY'
  | 'VALIDATE_MISSING_KEY'
  | 'VALIDATE_MISSING_FIELD'
  | 'VALIDATE_INVALID_EMAIL'
  | 'VALIDATE_INVALID_ENUM'
  | 'VALIDATE_OUT_OF_RANGE'
  | 'VALIDATE_INVALID_COUNTRY_CODE'
  | 'VALIDATE_TYPE_MISMATCH';
