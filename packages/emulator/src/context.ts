/** What a route handler receives, and its signature. */
import type { Answer } from './http-error.js';
import type { EmulatorState } from './state.js';

export interface RequestContext {
  state: EmulatorState;
  /** The decoded `{id}` path segment, when the route has one. */
  id: string | undefined;
  query: URLSearchParams;
  /** The request body as text (routes that take one). */
  body: string | undefined;
}

export type Handler = (ctx: RequestContext) => Answer;
