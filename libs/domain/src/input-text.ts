/**
 * Rules for text that comes from a caller and is stored or compared: instants must be real
 * calendar times, and display text (key names, revoke reasons) must read the same everywhere.
 */

/** ISO-8601 date-time with an explicit offset: a time without one means different instants to different clients. */
export const ISO_INSTANT =
  /^(\d{4})-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])T([01]\d|2[0-3]):[0-5]\d(:[0-5]\d(\.\d{1,9})?)?(Z|[+-]([01]\d|2[0-3]):[0-5]\d)$/;

const daysInMonth = (year: number, month: number): number =>
  month === 2 ? (year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0) ? 29 : 28) : [4, 6, 9, 11].includes(month) ? 30 : 31;

/**
 * The instant an ISO-8601 date-time with an offset names, or null: a malformed text, or a day the
 * month does not have (2027-02-30 would otherwise roll over to March 2).
 */
export function parseIsoInstant(text: unknown): Date | null {
  if (typeof text !== 'string') return null;
  const match = ISO_INSTANT.exec(text);
  if (!match || Number(match[3]) > daysInMonth(Number(match[1]), Number(match[2]))) return null;
  const time = Date.parse(text);
  return Number.isNaN(time) ? null : new Date(time);
}

/**
 * C0 and C1 controls (NUL, newlines, ESC of terminal escape sequences), line and paragraph
 * separators, bidirectional embeddings, overrides and isolates (U+202A–U+202E, U+2066–U+2069:
 * text that displays in another order than it reads), and unpaired UTF-16 surrogates (not Unicode
 * at all: strict JSON parsers refuse a document holding one).
 */
// \p{Cc}: U+0000–U+001F and U+007F–U+009F; with the u flag a valid pair is one code point, so \p{Cs}
// matches only a surrogate that is not part of one.
const UNSAFE_IN_DISPLAY_TEXT = /[\p{Cc}\p{Cs}\u2028\u2029\u202a-\u202e\u2066-\u2069]/u;

/** True if the text may be stored and shown as a key name: none of the characters above. */
export function isDisplaySafe(text: string): boolean {
  return !UNSAFE_IN_DISPLAY_TEXT.test(text);
}

export const DISPLAY_SAFE_RULE =
  'must not contain control characters (such as NUL, newlines or escape sequences), ' +
  'bidirectional formatting characters (U+202A–U+202E, U+2066–U+2069) or unpaired surrogates';

/**
 * The allowed values of a field, for its error message: `"a", "b" or "c"`. Built from the list the
 * check uses, so the message cannot fall behind a new value.
 */
export function quotedChoices(values: readonly string[]): string {
  const quoted = values.map((value) => `"${value}"`);
  return quoted.length <= 1 ? quoted.join('') : `${quoted.slice(0, -1).join(', ')} or ${quoted[quoted.length - 1]}`;
}
