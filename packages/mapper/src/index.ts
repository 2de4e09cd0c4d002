export type { Converted, Converter } from './convert.js';
export { compileConverter, convertValue, isEmptyValue } from './convert.js';
export { daysFromCivil, parseDateTime } from './date-time.js';
export type { MapperErrorCode } from './errors.js';
export { ConversionFailure, FAILURES } from './errors.js';
export type { Mapper, MapperOptions } from './mapper.js';
export { compileMapper } from './mapper.js';
export { readPath, setPath } from './paths.js';
export { ZoneClock, zoneClock } from './zone-clock.js';
