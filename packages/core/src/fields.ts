import type { JsonObject } from './row.js';

/**
 * Reads a source value from a JSON-lines object: the literal key first (`"address.city"` as one
 * key), then the dot path (`address` -> `city`). Own properties only: a missing `constructor`
 * key is empty, not `Object`.
 */
export function readPath(source: JsonObject, literal: string, segments: readonly string[]): unknown {
  if (Object.hasOwn(source, literal)) return source[literal];
  if (segments.length === 1) return undefined;
  let current: unknown = source;
  for (let i = 0; i < segments.length; i++) {
    if (typeof current !== 'object' || current === null) return undefined;
    const name = segments[i]!;
    if (!Object.hasOwn(current, name)) return undefined;
    current = (current as JsonObject)[name];
  }
  return current;
}
