import { decodeKeyCursor, encodeKeyCursor, pageOfKeys, type KeyPageFilter } from './list-keys-page';
import type { KeyView } from '../views';

const keyId = (n: number): string => `key_${String(n).padStart(24, '0')}`;

function view(n: number, overrides: Partial<KeyView> = {}): KeyView {
  return {
    id: keyId(n),
    accountId: 'acct_1',
    kind: 'api',
    name: `key ${n}`,
    start: 'ak_live_abc',
    status: 'active',
    // Two keys per second: ties on createdAt are broken by the key id.
    createdAt: new Date(Date.UTC(2026, 0, 1, 0, 0, Math.floor(n / 2))).toISOString(),
    createdBy: 'user_1',
    updatedAt: '2026-01-01T00:00:00.000Z',
    expiresAt: null,
    previous: null,
    allowedIps: [],
    webhookFormat: 'single',
    permissions: [],
    metadata: {},
    externalId: null,
    version: 0,
    ...overrides,
  };
}

/** Every page of `views` in turn, `views()` read again for each page (as the index is). */
function walk(views: () => KeyView[], filter: Omit<KeyPageFilter, 'after'>): KeyView[][] {
  const pages: KeyView[][] = [];
  let cursor: string | null = null;
  do {
    const after = cursor === null ? undefined : (decodeKeyCursor(cursor) ?? undefined);
    const page = pageOfKeys(views(), { ...filter, after });
    pages.push(page.keys);
    cursor = page.nextCursor;
  } while (cursor !== null && pages.length < 100);
  return pages;
}

describe('the key cursor', () => {
  it('decodes what it encodes', () => {
    const cursor = { createdAt: '2026-01-01T00:00:03.000Z', keyId: keyId(7) };
    const text = encodeKeyCursor(cursor);
    expect(text).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(decodeKeyCursor(text)).toEqual(cursor);
  });

  it.each([
    ['empty', ''],
    ['not base64url', 'a+b/c='],
    ['not JSON', Buffer.from('nope').toString('base64url')],
    ['another version', Buffer.from(JSON.stringify([2, '2026-01-01T00:00:00Z', keyId(1)])).toString('base64url')],
    ['a bad time', Buffer.from(JSON.stringify([1, '2026-02-30T00:00:00Z', keyId(1)])).toString('base64url')],
    ['a bad key id', Buffer.from(JSON.stringify([1, '2026-01-01T00:00:00Z', 'key_x'])).toString('base64url')],
    ['an object', Buffer.from(JSON.stringify({ createdAt: '2026-01-01T00:00:00Z', keyId: keyId(1) })).toString('base64url')],
    ['too long', 'A'.repeat(201)],
  ])('refuses %s (null, not a throw)', (_name, text) => {
    expect(decodeKeyCursor(text)).toBeNull();
  });
});

describe('pageOfKeys', () => {
  const seven = Array.from({ length: 7 }, (_, i) => view(i + 1));

  it('pages 7 keys by 3: every key once, oldest first, then a null cursor', () => {
    const pages = walk(() => [...seven].reverse(), { limit: 3 });
    expect(pages.map((p) => p.length)).toEqual([3, 3, 1]);
    expect(pages.flat().map((k) => k.id)).toEqual(seven.map((k) => k.id));
  });

  it('a page that ends exactly at the end has no next cursor', () => {
    expect(pageOfKeys(seven, { limit: 7 }).nextCursor).toBeNull();
    expect(pageOfKeys(seven, { limit: 6 }).nextCursor).not.toBeNull();
  });

  it('filters by status and kind', () => {
    const mixed = [view(1), view(2, { status: 'revoked' }), view(3, { kind: 'signing' }), view(4, { status: 'expired', kind: 'signing' })];
    expect(pageOfKeys(mixed, { limit: 50, status: 'revoked' }).keys.map((k) => k.id)).toEqual([keyId(2)]);
    expect(pageOfKeys(mixed, { limit: 50, kind: 'signing' }).keys.map((k) => k.id)).toEqual([keyId(3), keyId(4)]);
    expect(pageOfKeys(mixed, { limit: 50, kind: 'signing', status: 'active' }).keys.map((k) => k.id)).toEqual([keyId(3)]);
    expect(pageOfKeys(mixed, { limit: 50, status: 'expired', kind: 'api' }).keys).toEqual([]);
  });

  it('neither repeats nor skips a key that exists throughout, while keys are added and changed between pages', () => {
    let keys = [...seven];
    let calls = 0;
    const pages = walk(
      () => {
        calls += 1;
        // Between pages: a key added (newest), one revoked, one renamed.
        if (calls === 2) keys = [...keys, view(20)].map((k) => (k.id === keyId(2) ? { ...k, status: 'revoked' as const } : k));
        if (calls === 3) keys = keys.map((k) => (k.id === keyId(6) ? { ...k, name: 'renamed', version: 1 } : k));
        return keys;
      },
      { limit: 3 },
    );
    const ids = pages.flat().map((k) => k.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const key of seven) expect(ids).toContain(key.id);
  });
});
