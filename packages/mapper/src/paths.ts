import type { JsonObject } from '@pxstream/core';

/**
 * Assigns `value` at a pre-split dotted path, creating the intermediate objects on the way:
 * a nested object exists only once one of its fields has a value. Only own objects are walked
 * into: `attributes.constructor.x` must not write into `Object` (the config refuses
 * `__proto__`).
 */
export function setPath(body: JsonObject, segments: readonly string[], value: unknown): void {
  let target = body;
  const last = segments.length - 1;
  for (let i = 0; i < last; i++) {
    const name = segments[i]!;
    let next = target[name] as JsonObject | undefined;
    if (next === undefined || !Object.hasOwn(target, name)) {
      next = {};
      target[name] = next;
    }
    target = next;
  }
  target[segments[last]!] = value;
}

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
