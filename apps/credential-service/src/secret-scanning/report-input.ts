/**
 * The body of a leak report, as GitHub's secret scanning partner program sends it: a JSON array of
 * `{ token, type, url, source }` (`source` optional; fields the program adds later are ignored).
 * Checked whole before anything is recorded: a malformed item is 400 VALIDATION_FAILED naming the
 * item and field, never quoting a value (a token least of all).
 */
import { hashKey, isDisplaySafe, DISPLAY_SAFE_RULE } from '@cs/domain';
import type { ReportedToken } from '@cs/application';
import { badRequest, type FieldError } from '../http/problem';

/** Tokens per report; a report of more is refused whole (the partner splits its findings). */
export const MAX_REPORT_TOKENS = 1000;
export const MAX_TOKEN_LENGTH = 1024;
export const MAX_TOKEN_TYPE_LENGTH = 200;
export const MAX_URL_LENGTH = 2048;
export const MAX_SOURCE_LENGTH = 100;

const text = (
  item: Record<string, unknown>,
  field: string,
  at: string,
  max: number,
  errors: FieldError[],
  { displayed = true, required = true } = {},
): string | null => {
  const value = item[field];
  if (value === undefined && !required) return null;
  if (typeof value !== 'string' || value.length === 0 || value.length > max) {
    errors.push({ field: `${at}.${field}`, message: `must be a string of 1 to ${max} characters` });
    return null;
  }
  // What is recorded and notified must be safe to show; the token is only hashed.
  if (displayed && !isDisplaySafe(value)) {
    errors.push({ field: `${at}.${field}`, message: DISPLAY_SAFE_RULE });
    return null;
  }
  return value;
};

/** The reported tokens, hashed (the token itself goes no further than this function). */
export function parseReport(body: unknown): ReportedToken[] {
  if (!Array.isArray(body)) throw badRequest('the body must be a JSON array of {token, type, url, source}');
  if (body.length === 0) throw badRequest('the report holds no token');
  if (body.length > MAX_REPORT_TOKENS) throw badRequest(`a report may hold at most ${MAX_REPORT_TOKENS} tokens; send more in several`);
  const errors: FieldError[] = [];
  const tokens: ReportedToken[] = [];
  body.forEach((item: unknown, index) => {
    const at = `[${index}]`;
    if (typeof item !== 'object' || item === null || Array.isArray(item)) {
      errors.push({ field: at, message: 'must be an object {token, type, url, source}' });
      return;
    }
    const record = item as Record<string, unknown>;
    const token = text(record, 'token', at, MAX_TOKEN_LENGTH, errors, { displayed: false });
    const tokenType = text(record, 'type', at, MAX_TOKEN_TYPE_LENGTH, errors);
    const url = text(record, 'url', at, MAX_URL_LENGTH, errors);
    const source = text(record, 'source', at, MAX_SOURCE_LENGTH, errors, { required: false });
    if (token !== null && tokenType !== null && url !== null && (source !== null || record.source === undefined)) {
      tokens.push({ tokenHash: hashKey(token), tokenType, url, source });
    }
  });
  if (errors.length > 0) throw badRequest('the report has malformed items', errors);
  return tokens;
}
