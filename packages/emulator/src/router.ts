/**
 * Routing on the raw request target. The path is split on `/` BEFORE any percent-decoding,
 * literal segments are compared raw, and only the `{id}` segment is decoded: an id such as
 * `a%2Fb` or `..%2Fadmin` can never reach another route.
 */

export interface Target {
  /** Raw path segments after the leading `/`. */
  segments: string[];
  query: URLSearchParams;
}

export function parseTarget(rawUrl: string): Target {
  let end = rawUrl.length;
  const hash = rawUrl.indexOf('#');
  if (hash >= 0) end = hash;
  const q = rawUrl.indexOf('?');
  const pathEnd = q >= 0 && q < end ? q : end;
  const path = rawUrl.slice(0, pathEnd);
  const query = new URLSearchParams(pathEnd < end ? rawUrl.slice(pathEnd + 1, end) : '');
  return { segments: path.split('/').slice(1), query };
}

export interface RouteDef<H> {
  /** e.g. `/v1/users/{id}`: the route key of the stats. */
  pattern: string;
  handlers: Partial<Record<string, H>>;
}

export type RouteMatch<H> =
  | { kind: 'found'; route: RouteDef<H>; handler: H; rawId: string | undefined }
  | { kind: 'method'; allow: string[]; pattern: string }
  | { kind: 'none' };

export class Router<H> {
  private readonly routes: Array<{ def: RouteDef<H>; parts: string[] }> = [];

  /** Routes are tried in order: put literal routes (`/v1/users/update`) before `{id}` ones. */
  add(pattern: string, handlers: Partial<Record<string, H>>): this {
    this.routes.push({ def: { pattern, handlers }, parts: pattern.split('/').slice(1) });
    return this;
  }

  match(method: string, segments: string[]): RouteMatch<H> {
    const allow = new Set<string>();
    let pattern = '';
    for (const { def, parts } of this.routes) {
      if (parts.length !== segments.length) continue;
      let rawId: string | undefined;
      let ok = true;
      for (let i = 0; i < parts.length && ok; i++) {
        if (parts[i] === '{id}') {
          rawId = segments[i];
          ok = rawId !== '';
        } else ok = parts[i] === segments[i];
      }
      if (!ok) continue;
      const handler = def.handlers[method];
      if (handler) return { kind: 'found', route: def, handler, rawId };
      pattern ||= def.pattern;
      for (const m of Object.keys(def.handlers)) allow.add(m);
    }
    return allow.size > 0 ? { kind: 'method', allow: [...allow], pattern } : { kind: 'none' };
  }
}

/** Decodes a path id; `undefined` when the percent-encoding is malformed. */
export function decodeId(raw: string): string | undefined {
  try {
    return decodeURIComponent(raw);
  } catch {
    return undefined;
  }
}
