/**
 * List filters, as px-api.md "Reading records back" describes them: terms
 * `{field}{op}{value}` with op one of `== != < <= > >= ~ !~`, `;` joining terms with AND, and
 * separate `filter` parameters ORed. Fields are dotted paths into the record
 * (`customAttributes.plan`, `location.city`), matched exactly; values are not case-sensitive.
 *
 * - `==` / `!=`: a number compares by value when the term's value is a number (`score==5.0`
 *   matches 5); anything else as text, ignoring case. An array field (`propertyKeys`) matches
 *   when any element does. A missing field is never equal, so `!=` and `!~` match it.
 * - `< <= > >=`: numbers by value (dates are epoch ms), else text ignoring case; a missing
 *   field never matches.
 * - `~` / `!~`: the whole value against a pattern where `*` is any run of characters and `?`
 *   one character, ignoring case.
 * A term with no operator, an empty field or an empty path segment is a 400.
 */
import { AnswerError, badRequest } from './http-error.js';
import type { JsonRecord } from './validate.js';

type Op = '==' | '!=' | '<' | '<=' | '>' | '>=' | '~' | '!~';

/** Longest first, so `<=` is not read as `<` followed by `=`. */
const OPS: readonly Op[] = ['==', '!=', '<=', '>=', '!~', '<', '>', '~'];
const OP_CHARS = new Set(['=', '!', '<', '>', '~']);

interface Term {
  path: string[];
  op: Op;
  /** The value, lower-cased. */
  text: string;
  /** The value as a number, when it is one. */
  number: number | undefined;
  /** For `~` and `!~`. */
  pattern: RegExp | undefined;
}

/** One `filter` parameter: its terms, all of which must match. */
export type Filter = Term[];

function invalid(term: string, why: string): AnswerError {
  return new AnswerError(badRequest(`Invalid filter ${JSON.stringify(term)}: ${why}`));
}

function wildcard(value: string): RegExp {
  const body = value.replace(/[.+^${}()|[\]\\*?]/g, (c) => (c === '*' ? '.*' : c === '?' ? '.' : `\\${c}`));
  return new RegExp(`^${body}$`, 'is');
}

function parseTerm(term: string): Term {
  let at = 0;
  while (at < term.length && !OP_CHARS.has(term[at]!)) at++;
  const op = OPS.find((candidate) => term.startsWith(candidate, at));
  if (at === term.length || op === undefined)
    throw invalid(term, 'expected field, an operator (== != < <= > >= ~ !~) and a value');
  const field = term.slice(0, at).trim();
  const path = field.split('.');
  if (field === '' || path.some((part) => part === '')) throw invalid(term, 'no field name');
  const value = term.slice(at + op.length);
  const trimmed = value.trim();
  const number = trimmed !== '' && Number.isFinite(Number(trimmed)) ? Number(trimmed) : undefined;
  const pattern = op === '~' || op === '!~' ? wildcard(value) : undefined;
  return { path, op, text: value.toLowerCase(), number, pattern };
}

/** Parses every `filter` parameter; empty ones are ignored. */
export function parseFilters(params: string[]): Filter[] {
  return params
    .filter((param) => param.trim() !== '')
    .map((param) =>
      param
        .split(';')
        .filter((term) => term.trim() !== '')
        .map(parseTerm),
    );
}

export function pathValue(record: JsonRecord, path: readonly string[]): unknown {
  let value: unknown = record;
  for (const part of path) {
    if (typeof value !== 'object' || value === null) return undefined;
    value = (value as JsonRecord)[part];
  }
  return value;
}

const isScalar = (value: unknown): value is string | number | boolean =>
  typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean';

/** Compares a scalar with the term's value: <0, 0 or >0. */
function compare(value: string | number | boolean, term: Term): number {
  if (typeof value === 'number' && term.number !== undefined) return value - term.number;
  const text = String(value).toLowerCase();
  return text < term.text ? -1 : text > term.text ? 1 : 0;
}

function scalarMatches(value: string | number | boolean, term: Term): boolean {
  switch (term.op) {
    case '==':
    case '!=':
      return compare(value, term) === 0;
    case '~':
    case '!~':
      return term.pattern!.test(String(value));
    case '<':
      return compare(value, term) < 0;
    case '<=':
      return compare(value, term) <= 0;
    case '>':
      return compare(value, term) > 0;
    default:
      return compare(value, term) >= 0;
  }
}

function termMatches(record: JsonRecord, term: Term): boolean {
  const value = pathValue(record, term.path);
  // A scalar is tested as is: no array made per record (a first page of a filter over 1M records
  // tests each once; a partitioned read counts with several of them).
  const any = Array.isArray(value)
    ? value.some((one) => isScalar(one) && scalarMatches(one, term))
    : isScalar(value) && scalarMatches(value, term);
  return term.op === '!=' || term.op === '!~' ? !any : any;
}

/** True when no filter is given, or when every term of one of them matches. */
export function matchesAny(record: JsonRecord, filters: readonly Filter[]): boolean {
  if (filters.length === 0) return true;
  return filters.some((terms) => terms.every((term) => termMatches(record, term)));
}
