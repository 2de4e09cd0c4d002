/**
 * Secret hygiene: every text pxstream prints or writes (logs, reports, rejects, errors) can
 * be passed through a redactor built from the secrets of the run (the API key).
 */
export const REDACTED = '[REDACTED]';

export type Redactor = (text: string) => string;

/** Builds a redactor that replaces every occurrence of each secret (4+ chars) by `[REDACTED]`. */
export function createRedactor(secrets: Iterable<string | undefined>): Redactor {
  const list = [...secrets].filter((s): s is string => typeof s === 'string' && s.length >= 4);
  if (list.length === 0) return (text) => text;
  // Longest first, so a secret that contains another is replaced whole.
  list.sort((a, b) => b.length - a.length);
  const pattern = new RegExp(list.map(escapeRegExp).join('|'), 'g');
  return (text) => text.replace(pattern, REDACTED);
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
