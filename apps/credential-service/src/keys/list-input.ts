/**
 * The list's filters and page, as both transports receive them (HTTP `status`, `kind`, `limit`,
 * `cursor`, `at`; gRPC `status`, `kind`, `page_size`, `page_token`, `at`), checked into a KeyPageFilter or
 * refused with 400 VALIDATION_FAILED naming the field — never echoing the value sent.
 */
import { decodeKeyCursor, DEFAULT_KEY_PAGE_LIMIT, KEY_VIEW_STATUSES, MAX_KEY_PAGE_LIMIT, type KeyPageFilter } from '@cs/application';
import { KEY_KINDS, parseIsoInstant, type KeyKind } from '@cs/domain';
import type { KeyStatus } from '@cs/validity';
import { badRequest, type FieldError } from '../http/problem';
import { ISO_INSTANT_MESSAGE } from './key.dto';

/** As received: an HTTP query value may be an array (a repeated parameter), which is refused. */
export interface KeyListInput {
  status?: unknown;
  kind?: unknown;
  /** HTTP: the query text; gRPC: page_size (0 or absent: the default). */
  limit?: unknown;
  cursor?: unknown;
  /** The keys as they were at this instant (ISO 8601, not in the future). */
  at?: unknown;
}

/** The field names as each transport spells them. */
export interface KeyListFieldNames {
  limit: string;
  cursor: string;
}

const HTTP_NAMES: KeyListFieldNames = { limit: 'limit', cursor: 'cursor' };

export function keyPageFilter(input: KeyListInput, names: KeyListFieldNames = HTTP_NAMES, now = Date.now()): KeyPageFilter {
  const errors: FieldError[] = [];
  const filter: KeyPageFilter = { limit: DEFAULT_KEY_PAGE_LIMIT };
  if (input.status !== undefined && input.status !== '') {
    if (typeof input.status === 'string' && (KEY_VIEW_STATUSES as readonly string[]).includes(input.status))
      filter.status = input.status as KeyStatus;
    else errors.push({ field: 'status', message: `must be one of ${KEY_VIEW_STATUSES.join(', ')}` });
  }
  if (input.kind !== undefined && input.kind !== '') {
    if (typeof input.kind === 'string' && (KEY_KINDS as readonly string[]).includes(input.kind)) filter.kind = input.kind as KeyKind;
    else errors.push({ field: 'kind', message: `must be one of ${KEY_KINDS.join(', ')}` });
  }
  if (input.limit !== undefined && input.limit !== 0) {
    const text = typeof input.limit === 'string' || typeof input.limit === 'number' ? String(input.limit) : '';
    const limit = /^[0-9]{1,4}$/.test(text) ? Number(text) : NaN;
    if (Number.isInteger(limit) && limit >= 1 && limit <= MAX_KEY_PAGE_LIMIT) filter.limit = limit;
    else errors.push({ field: names.limit, message: `must be a whole number from 1 to ${MAX_KEY_PAGE_LIMIT}` });
  }
  if (input.cursor !== undefined && input.cursor !== '') {
    const after = typeof input.cursor === 'string' ? decodeKeyCursor(input.cursor) : null;
    if (after) filter.after = after;
    else errors.push({ field: names.cursor, message: 'is not a cursor this list gave (pass nextCursor back unchanged)' });
  }
  if (input.at !== undefined && input.at !== '') {
    const at = typeof input.at === 'string' ? parseIsoInstant(input.at) : null;
    if (at === null) errors.push({ field: 'at', message: ISO_INSTANT_MESSAGE });
    else if (at.getTime() > now)
      errors.push({ field: 'at', message: 'must not be in the future (the keys as they were at an instant that has passed)' });
    else filter.at = at;
  }
  if (errors.length > 0) throw badRequest(errors.map((e) => `${e.field} ${e.message}`).join('; '), errors);
  return filter;
}
