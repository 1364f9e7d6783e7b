import { ProblemException } from '../http/problem';
import { encodeHistoryCursor, historyFormat, historyQuery } from './history-input';

const KEY = 'key_AAAAAAAAAAAAAAAAAAAAAAAA';

function refused(run: () => unknown): { field: string; text: string } {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(ProblemException);
    const problem = error as ProblemException;
    expect([problem.status, problem.code]).toEqual([400, 'VALIDATION_FAILED']);
    return { field: problem.extras.errors?.[0]?.field ?? '', text: JSON.stringify(problem.body()) };
  }
  throw new Error('not refused');
}

describe('account history query input', () => {
  it('defaults: the latest 1000 for a page; every event, oldest first, for an export', () => {
    expect(historyQuery('acct_1', {})).toMatchObject({ order: 'latest', request: { direction: 'newest', limit: 1000, filter: {} } });
    const exported = historyQuery('acct_1', {}, true);
    expect(exported.order).toBe('oldest');
    expect(exported.request).toMatchObject({ direction: 'oldest', limit: 1_000_000_000 });
  });

  it('reads the filters: types (comma-separated or repeated, sorted), key, actor (bare sub is a user), time window', () => {
    const { request } = historyQuery('acct_1', {
      types: ['KeyRevoked,KeyGenerated', 'KeyRevoked'],
      keyId: KEY,
      actor: 'alice',
      from: '2026-01-01T00:00:00Z',
      to: '2026-01-02T00:00:00+01:00',
    });
    expect(request.filter).toEqual({
      types: ['KeyGenerated', 'KeyRevoked'],
      keyId: KEY,
      actor: 'user:alice',
      from: Date.parse('2026-01-01T00:00:00Z'),
      to: Date.parse('2026-01-01T23:00:00Z'),
    });
    expect(historyQuery('acct_1', { actor: 'system:expiry-scheduler' }).request.filter.actor).toBe('system:expiry-scheduler');
  });

  it('a cursor continues its own query only: same account, filters and order', () => {
    const first = historyQuery('acct_1', { types: 'KeyRevoked', order: 'newest' });
    const cursor = encodeHistoryCursor(42n, first.order, first.fingerprint);
    expect(historyQuery('acct_1', { types: 'KeyRevoked', order: 'newest', cursor }).request.after).toBe(42n);
    // The order may be left out: the cursor's is taken.
    expect(historyQuery('acct_1', { types: 'KeyRevoked', cursor }).order).toBe('newest');
    expect(refused(() => historyQuery('acct_1', { types: 'KeyUpdated', order: 'newest', cursor })).field).toBe('cursor');
    expect(refused(() => historyQuery('acct_1', { order: 'newest', cursor })).field).toBe('cursor');
    expect(refused(() => historyQuery('acct_1', { types: 'KeyRevoked', order: 'oldest', cursor })).field).toBe('cursor');
    expect(refused(() => historyQuery('acct_2', { types: 'KeyRevoked', order: 'newest', cursor })).field).toBe('cursor');
    const forged = Buffer.from(JSON.stringify({ v: 1, p: '-1', o: 'newest', f: first.fingerprint })).toString('base64url');
    expect(refused(() => historyQuery('acct_1', { types: 'KeyRevoked', cursor: forged })).field).toBe('cursor');
  });

  it.each([
    [{ limit: '0' }, 'limit'],
    [{ limit: '10001' }, 'limit'],
    [{ limit: '1.5' }, 'limit'],
    [{ order: 'up<x>' }, 'order'],
    [{ types: 'KeyGenerated,Bogus<x>' }, 'type'],
    [{ keyId: 'key_<x>' }, 'keyId'],
    [{ actor: 'a\u0007<x>' }, 'actor'],
    [{ actor: 'x'.repeat(257) }, 'actor'],
    [{ from: '2026-02-30T00:00:00Z<x>' }, 'from'],
    [{ to: 'soon<x>' }, 'to'],
    [{ from: '2026-01-02T00:00:00Z', to: '2026-01-01T00:00:00Z' }, 'to'],
    [{ cursor: 'not base64 <x>' }, 'cursor'],
  ])('refuses %j naming %s, without echoing the value', (params, field) => {
    const result = refused(() => historyQuery('acct_1', params));
    expect(result.field).toBe(field);
    expect(result.text).not.toContain('<x>');
    expect(result.text).not.toContain('xxxxxxxx');
  });

  it('an export refuses order=latest and takes limit up to a billion', () => {
    expect(refused(() => historyQuery('acct_1', { order: 'latest' }, true)).field).toBe('order');
    expect(historyQuery('acct_1', { limit: '50000' }, true).request.limit).toBe(50_000);
    expect(refused(() => historyQuery('acct_1', { limit: '50000' })).field).toBe('limit');
  });

  it('format: the parameter wins, else Accept by q-value and order, else JSON', () => {
    expect(historyFormat(undefined, undefined)).toBe('json');
    expect(historyFormat('csv', 'application/x-ndjson')).toBe('csv');
    expect(historyFormat(undefined, 'application/x-ndjson')).toBe('ndjson');
    expect(historyFormat(undefined, 'text/csv;q=0.5, application/x-ndjson;q=0.9')).toBe('ndjson');
    expect(historyFormat(undefined, 'text/csv, application/json')).toBe('csv');
    expect(historyFormat(undefined, 'text/html, */*')).toBe('json');
    expect(historyFormat(undefined, 'text/csv;q=0')).toBe('json');
    expect(refused(() => historyFormat('xml<x>', undefined)).field).toBe('format');
  });
});
