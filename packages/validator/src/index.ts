export type { ValidatorErrorCode } from './errors.js';
export type { RuleFailure } from './rules.js';
export { checkEmail, checkEnum, checkLocation, checkType } from './rules.js';
export type { ValidatorOptions } from './validator.js';
export { createValidator } from './validator.js';
