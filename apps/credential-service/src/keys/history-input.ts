/**
 * The account history's query, as both transports take it (HTTP query string, gRPC request): filters,
 * order, limit and the opaque cursor, each checked (a bad one is a 400 / INVALID_ARGUMENT naming the
 * field, never echoing the value). README, "Account history".
 *
 * The cursor is base64url of JSON `{ v, p, o, f }`: the position the page ended at, the order, and a
 * fingerprint of the account and the filters, so that a cursor sent with other filters, another order
 * or another account is refused rather than silently answering something else.
 */
import { createHash } from 'node:crypto';
import { KEY_ID_PATTERN, type AccountHistoryRequest, type HistoryExportFormat } from '@cs/application';
import { KEY_EVENT_TYPES, parseIsoInstant } from '@cs/domain';
import type { HistoryFilter } from '@cs/validity';
import { badRequest } from '../http/problem';
import { ISO_INSTANT_MESSAGE } from './key.dto';
import { DEFAULT_HISTORY_LIMIT, MAX_HISTORY_LIMIT } from './command-input';

/**
 * `latest` (the default, today's answer): the newest events, each page listed oldest first, the next
 * cursor going back in time; `newest`: newest first; `oldest`: from the first event on.
 */
export const HISTORY_ORDERS = ['latest', 'newest', 'oldest'] as const;
export type HistoryOrder = (typeof HISTORY_ORDERS)[number];
export const HISTORY_FORMATS = ['json', 'ndjson', 'csv'] as const;
export type HistoryFormat = (typeof HISTORY_FORMATS)[number];
/** An export's `limit`: a cap on its rows, 1 to this; absent: every matching event. */
export const MAX_EXPORT_LIMIT = 1_000_000_000;
const MAX_ACTOR_LENGTH = 256;

export interface HistoryParams {
  cursor?: string;
  limit?: string | number;
  types?: string | string[];
  keyId?: string;
  actor?: string;
  from?: string;
  to?: string;
  order?: string;
}

export interface HistoryQuery {
  request: AccountHistoryRequest;
  order: HistoryOrder;
  /** What a cursor of this query carries (the account, the filters). */
  fingerprint: string;
}

const invalid = (field: string, message: string) => badRequest(`${field} ${message}`, [{ field, message }]);

const once = (field: string, value: unknown): string | undefined => {
  if (value === undefined) return undefined;
  if (typeof value !== 'string') throw invalid(field, 'must be given once');
  return value;
};

/** The filters of a history query, checked. */
function historyFilter(params: HistoryParams, typesField: string): HistoryFilter {
  const filter: HistoryFilter = {};
  const rawTypes = params.types === undefined ? [] : Array.isArray(params.types) ? params.types : [params.types];
  const types = rawTypes.flatMap((t) => String(t).split(',')).filter((t) => t !== '');
  if (rawTypes.length > 0) {
    if (types.length === 0 || types.some((t) => !(KEY_EVENT_TYPES as readonly string[]).includes(t)))
      throw invalid(typesField, `must be one or more (comma-separated) of ${KEY_EVENT_TYPES.join(', ')}`);
    filter.types = [...new Set(types)].sort();
  }
  const keyId = once('keyId', params.keyId);
  if (keyId !== undefined) {
    if (!KEY_ID_PATTERN.test(keyId)) throw invalid('keyId', 'must be a key id (key_ and 24 letters or digits)');
    filter.keyId = keyId;
  }
  const actor = once('actor', params.actor);
  if (actor !== undefined) {
    // eslint-disable-next-line no-control-regex
    if (actor.length === 0 || actor.length > MAX_ACTOR_LENGTH || /[\u0000-\u001f\u007f]/.test(actor))
      throw invalid(
        'actor',
        `must be a user's sub, user:<sub> or system:<name>, 1 to ${MAX_ACTOR_LENGTH} characters without control characters`,
      );
    filter.actor = actor.startsWith('user:') || actor.startsWith('system:') ? actor : `user:${actor}`;
  }
  for (const field of ['from', 'to'] as const) {
    const text = once(field, params[field]);
    if (text === undefined) continue;
    const instant = parseIsoInstant(text);
    if (instant === null) throw invalid(field, ISO_INSTANT_MESSAGE);
    filter[field] = instant.getTime();
  }
  if (filter.from !== undefined && filter.to !== undefined && filter.from >= filter.to) throw invalid('to', 'must be later than from');
  return filter;
}

function fingerprintOf(accountId: string, filter: HistoryFilter): string {
  const canonical = JSON.stringify([
    accountId,
    filter.types ?? [],
    filter.keyId ?? null,
    filter.actor ?? null,
    filter.from ?? null,
    filter.to ?? null,
  ]);
  return createHash('sha256').update(canonical).digest('base64url').slice(0, 22);
}

export function encodeHistoryCursor(position: bigint, order: HistoryOrder, fingerprint: string): string {
  return Buffer.from(JSON.stringify({ v: 1, p: position.toString(), o: order, f: fingerprint })).toString('base64url');
}

function decodeHistoryCursor(cursor: string): { position: bigint; order: HistoryOrder; fingerprint: string } {
  const refused = () => invalid('cursor', 'is not a cursor this service gave out (use nextCursor of a previous answer, unchanged)');
  if (cursor.length === 0 || cursor.length > 200 || !/^[A-Za-z0-9_-]+$/.test(cursor)) throw refused();
  let parsed: { v?: unknown; p?: unknown; o?: unknown; f?: unknown };
  try {
    parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as typeof parsed;
  } catch {
    throw refused();
  }
  if (
    !parsed ||
    parsed.v !== 1 ||
    typeof parsed.p !== 'string' ||
    !/^\d{1,20}$/.test(parsed.p) ||
    !(HISTORY_ORDERS as readonly unknown[]).includes(parsed.o) ||
    typeof parsed.f !== 'string'
  )
    throw refused();
  return { position: BigInt(parsed.p), order: parsed.o as HistoryOrder, fingerprint: parsed.f };
}

/**
 * The history query of `params` for one account. `exporting`: the query of an export (order `oldest`
 * by default, `latest` refused, `limit` a cap on its rows up to MAX_EXPORT_LIMIT and absent for all).
 */
export function historyQuery(accountId: string, params: HistoryParams, exporting = false, typesField = 'type'): HistoryQuery {
  const filter = historyFilter(params, typesField);
  const fingerprint = fingerprintOf(accountId, filter);
  const orderText = once('order', params.order);
  if (orderText !== undefined && !(HISTORY_ORDERS as readonly string[]).includes(orderText))
    throw invalid('order', `must be one of ${HISTORY_ORDERS.join(', ')}`);
  const cursorText = once('cursor', params.cursor);
  const cursor = cursorText === undefined ? undefined : decodeHistoryCursor(cursorText);
  let order = (orderText as HistoryOrder | undefined) ?? cursor?.order ?? (exporting ? 'oldest' : 'latest');
  if (exporting && order === 'latest') {
    if (orderText !== undefined) throw invalid('order', 'must be oldest or newest for an export');
    order = 'newest';
  }
  if (
    cursor &&
    (cursor.fingerprint !== fingerprint || (cursor.order !== order && !(exporting && cursor.order === 'latest' && order === 'newest')))
  )
    throw invalid('cursor', 'belongs to another query: send it with the same account, filters and order as the answer that gave it');
  const limitText = params.limit;
  let limit: number;
  if (limitText === undefined) limit = exporting ? MAX_EXPORT_LIMIT : DEFAULT_HISTORY_LIMIT;
  else {
    const max = exporting ? MAX_EXPORT_LIMIT : MAX_HISTORY_LIMIT;
    const n = typeof limitText === 'number' ? limitText : /^\d{1,10}$/.test(limitText) ? Number(limitText) : NaN;
    if (!Number.isInteger(n) || n < 1 || n > max) throw invalid('limit', `must be a whole number from 1 to ${max}`);
    limit = n;
  }
  return {
    request: { accountId, filter, direction: order === 'oldest' ? 'oldest' : 'newest', after: cursor?.position, limit },
    order,
    fingerprint,
  };
}

/**
 * The answer's format: `format` when given, else the first of the Accept header's types this route
 * serves (by q-value, then order); JSON when none is named.
 */
export function historyFormat(format: unknown, accept: string | undefined): HistoryFormat {
  const text = once('format', format);
  if (text !== undefined) {
    if (!(HISTORY_FORMATS as readonly string[]).includes(text)) throw invalid('format', `must be one of ${HISTORY_FORMATS.join(', ')}`);
    return text as HistoryFormat;
  }
  if (!accept) return 'json';
  const served: Record<string, HistoryFormat> = {
    'application/json': 'json',
    'application/x-ndjson': 'ndjson',
    'application/ndjson': 'ndjson',
    'text/csv': 'csv',
  };
  const ranked = accept
    .split(',')
    .map((part, index) => {
      const [type, ...parameters] = part.trim().toLowerCase().split(';');
      const q = parameters.map((p) => /^\s*q=([\d.]+)\s*$/.exec(p)).find(Boolean);
      return { type: type.trim(), q: q ? Number(q[1]) : 1, index };
    })
    .filter((entry) => entry.q > 0 && served[entry.type])
    .sort((a, b) => b.q - a.q || a.index - b.index);
  return ranked.length > 0 ? served[ranked[0].type] : 'json';
}

export type { HistoryExportFormat };
