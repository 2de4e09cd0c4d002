import { jsonVerifier } from 'stream-json/core/utils/verifier.js';
import { GAP_TEXT, NONE } from './elements.js';
import type { HeldInput } from './held.js';
import type { Gap } from './scanner.js';

export interface SyntaxFault {
  /** Characters of `text` before the fault. */
  at: number;
  /** The verifier's reason, e.g. `expected ','`. */
  reason: string;
}

/**
 * Finds where `text` stops being valid JSON, `text` starting at a point of the array where
 * the parser state is known (`gap`). Runs stream-json's verifier, which reports exact
 * positions (the parser does not): only ever run once, on a failure.
 */
export function findSyntaxFault(text: string, gap: Gap, final: boolean): SyntaxFault | undefined {
  const prefix = GAP_TEXT[gap];
  const verify = jsonVerifier();
  try {
    verify(prefix + text);
    if (final) verify(NONE as unknown as string);
  } catch (error) {
    const offset = (error as { offset?: unknown }).offset;
    if (typeof offset !== 'number') throw error;
    return { at: Math.max(0, offset - prefix.length), reason: reasonOf(error as Error) };
  }
  return undefined;
}

function reasonOf(error: Error): string {
  const reason = error.message
    .replace(/^ERROR at \d+ \(\d+, \d+\): /, '')
    .replace(/^Verifier (cannot parse input: |has )/, '');
  switch (reason) {
    case 'escaped characters':
      return 'invalid character in a string (a raw control character such as a line break, or a bad escape)';
    case 'unexpected characters':
      return "unexpected text after the array's closing ']'";
    default:
      return reason;
  }
}

/** A syntax error placed in the input. */
export interface PlacedFault {
  /** 1-based line and input byte offset of the fault. */
  line: number;
  offset: number;
  reason: string;
  /** The text from the checkpoint up to the fault: valid JSON, whole elements included. */
  before: string;
}

/** Places the first syntax error in the held input up to input offset `end`. */
export function placeSyntaxFault(held: HeldInput, end: number, final: boolean): PlacedFault | undefined {
  const text = held.text(end);
  const fault = findSyntaxFault(text, held.gap, final);
  if (fault === undefined) return undefined;
  const before = text.slice(0, fault.at);
  return {
    line: held.line + countLineBreaks(before),
    offset: held.offset + Buffer.byteLength(before),
    reason: fault.reason,
    before,
  };
}

function countLineBreaks(text: string): number {
  let count = 0;
  for (let at = text.indexOf('\n'); at >= 0; at = text.indexOf('\n', at + 1)) count++;
  return count;
}
