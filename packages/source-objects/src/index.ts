export type { ObjectSourceOptions } from './source.js';
export { createObjectSource, ObjectSource } from './source.js';
