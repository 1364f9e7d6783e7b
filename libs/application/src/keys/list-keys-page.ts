/**
 * One page of an account's keys, filtered by status and kind, in a stable order (createdAt, then
 * key id: neither ever changes), resumed after an opaque cursor. A key that exists for the whole of
 * a walk through the pages is listed exactly once, however keys are added or changed meanwhile: the
 * cursor is the position (createdAt, id) of the last key given, not an offset.
 *
 * With `at` (the auditor's "the account's keys as they were at T"), each key is its events up to T
 * replayed through the same projection as validity-at (validity-at.ts) and viewed as of T: keys
 * made later are left out, statuses, expiries, IPs and names are those of T, and there is no
 * lastUsedAt. The account's key ids come from the index; their state at T from the event store.
 */
import { Inject, Optional } from '@nestjs/common';
import { Query, QueryHandler, type IQueryHandler } from '@nestjs/cqrs';
import { keyStreamId, parseIsoInstant, type KeyKind } from '@cs/domain';
import { EVENT_STORE, type EventStore } from '@cs/event-store';
import { KEY_STATUSES, VALIDITY_INDEX, type KeyStatus, type ValidityIndex } from '@cs/validity';
import { recordAt } from '../validity-at';
import { KEY_ID_PATTERN } from '../secret-issuer';
import { UsageReads, withLastUsed } from '../usage/usage-queries';
import { toKeyView, type KeyView } from '../views';

/** The statuses a key view can show, the values of the list's `status` filter: every status. */
export const KEY_VIEW_STATUSES: readonly KeyStatus[] = KEY_STATUSES;
export const DEFAULT_KEY_PAGE_LIMIT = 50;
export const MAX_KEY_PAGE_LIMIT = 200;

/** Where a page starts: after the key at this position. */
export interface KeyCursor {
  createdAt: string;
  keyId: string;
}

/** The cursor as clients see it: base64url of a small JSON document (its contents are not a contract). */
export function encodeKeyCursor(cursor: KeyCursor): string {
  return Buffer.from(JSON.stringify([1, cursor.createdAt, cursor.keyId]), 'utf8').toString('base64url');
}

/** The cursor a page gave, or null when the text is not one (never throws). */
export function decodeKeyCursor(text: string): KeyCursor | null {
  if (text.length === 0 || text.length > 200 || !/^[A-Za-z0-9_-]+$/.test(text)) return null;
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(text, 'base64url').toString('utf8'));
  } catch {
    return null;
  }
  if (!Array.isArray(parsed) || parsed.length !== 3 || parsed[0] !== 1) return null;
  const [, createdAt, keyId] = parsed as unknown[];
  if (typeof createdAt !== 'string' || typeof keyId !== 'string') return null;
  if (parseIsoInstant(createdAt) === null || !KEY_ID_PATTERN.test(keyId)) return null;
  return { createdAt, keyId };
}

export interface KeyPageFilter {
  status?: KeyStatus;
  kind?: KeyKind;
  /** 1 to MAX_KEY_PAGE_LIMIT. */
  limit: number;
  after?: KeyCursor;
  /** The keys as they were at this instant (not in the future), instead of now. */
  at?: Date;
}

export interface KeyPage {
  keys: KeyView[];
  /** The cursor of the next page, or null when this page is the last. */
  nextCursor: string | null;
}

export class ListKeysPage extends Query<KeyPage> {
  constructor(
    readonly accountId: string,
    readonly filter: KeyPageFilter,
  ) {
    super();
  }
}

const byPosition = (a: KeyCursor, b: KeyCursor): number =>
  a.createdAt < b.createdAt ? -1 : a.createdAt > b.createdAt ? 1 : a.keyId < b.keyId ? -1 : a.keyId > b.keyId ? 1 : 0;

const positionOf = (view: KeyView): KeyCursor => ({ createdAt: view.createdAt, keyId: view.id });

/** The page of `views` the filter asks for (pure: the handler's rule, unit-tested on its own). */
export function pageOfKeys(views: KeyView[], filter: KeyPageFilter): KeyPage {
  const after = filter.after;
  const matching = views
    .filter((v) => (filter.status === undefined || v.status === filter.status) && (filter.kind === undefined || v.kind === filter.kind))
    .filter((v) => after === undefined || byPosition(positionOf(v), after) > 0)
    .sort((a, b) => byPosition(positionOf(a), positionOf(b)));
  const keys = matching.slice(0, filter.limit);
  const more = matching.length > keys.length;
  return { keys, nextCursor: more ? encodeKeyCursor(positionOf(keys[keys.length - 1])) : null };
}

/** Key streams read at once for a list at an instant. */
const STREAMS_IN_FLIGHT = 16;

@QueryHandler(ListKeysPage)
export class ListKeysPageHandler implements IQueryHandler<ListKeysPage> {
  constructor(
    @Inject(VALIDITY_INDEX) private readonly index: ValidityIndex,
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Optional() @Inject(UsageReads) private readonly usage?: UsageReads,
  ) {}
  async execute({ accountId, filter }: ListKeysPage): Promise<KeyPage> {
    if (filter.at) return pageOfKeys(await this.viewsAt(accountId, filter.at), filter);
    const now = Date.now();
    const views = (await this.index.listKeys(accountId)).map((r) => toKeyView(r, now));
    const page = pageOfKeys(views, filter);
    // Usage is read for the page's keys only (key-queries.ts GetKey does the same for one).
    return { ...page, keys: await withLastUsed(page.keys, this.usage) };
  }

  /** Every key of the account that existed at `at`, as it was then. */
  private async viewsAt(accountId: string, at: Date): Promise<KeyView[]> {
    const ids = (await this.index.listKeys(accountId)).map((record) => record.keyId);
    const views: KeyView[] = [];
    for (let from = 0; from < ids.length; from += STREAMS_IN_FLIGHT) {
      const streams = await Promise.all(ids.slice(from, from + STREAMS_IN_FLIGHT).map((id) => this.store.readStream(keyStreamId(id))));
      for (const events of streams) {
        if (events.length === 0 || events[0].data.accountId !== accountId) continue;
        const record = recordAt(events, at);
        if (record) views.push(toKeyView(record, at.getTime()));
      }
    }
    return views;
  }
}
