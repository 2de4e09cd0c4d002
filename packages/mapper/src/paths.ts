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

// Reading a source field is core's (the ledger reads an event key column the same way).
export { readPath } from '@pxstream/core';
