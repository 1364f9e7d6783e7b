import { encodeKeyCursor } from '@cs/application';
import { ProblemException } from '../http/problem';
import { keyPageFilter, type KeyListInput } from './list-input';

function refusal(input: KeyListInput, names?: { limit: string; cursor: string }): ProblemException {
  try {
    keyPageFilter(input, names);
  } catch (error) {
    if (error instanceof ProblemException) return error;
    throw error;
  }
  throw new Error('not refused');
}

describe('the list query (keyPageFilter)', () => {
  it('defaults to 50 keys, any status and kind, from the start', () => {
    expect(keyPageFilter({})).toEqual({ limit: 50 });
    expect(keyPageFilter({ status: '', kind: '', limit: 0, cursor: '' })).toEqual({ limit: 50 });
  });

  it('takes a status, a kind, a limit up to 200 and a cursor', () => {
    const cursor = encodeKeyCursor({ createdAt: '2026-01-01T00:00:00.000Z', keyId: 'key_000000000000000000000001' });
    expect(keyPageFilter({ status: 'revoked', kind: 'signing', limit: '200', cursor })).toEqual({
      status: 'revoked',
      kind: 'signing',
      limit: 200,
      after: { createdAt: '2026-01-01T00:00:00.000Z', keyId: 'key_000000000000000000000001' },
    });
    expect(keyPageFilter({ status: 'expired', limit: 1 }).limit).toBe(1);
  });

  it.each<[string, KeyListInput, string]>([
    ['an unknown status', { status: 'ak_live_SECRETVALUE' }, 'status'],
    ['an unknown kind', { kind: 'ak_live_SECRETVALUE' }, 'kind'],
    ['a limit of 0 over HTTP', { limit: '0' }, 'limit'],
    ['a limit over 200', { limit: '201' }, 'limit'],
    ['a negative limit', { limit: '-1' }, 'limit'],
    ['a fractional limit', { limit: '2.5' }, 'limit'],
    ['a limit that is not a number', { limit: 'ak_live_SECRETVALUE' }, 'limit'],
    ['an empty limit', { limit: '' }, 'limit'],
    ['a repeated status', { status: ['active', 'revoked'] }, 'status'],
    ['a cursor it did not give', { cursor: 'ak_live_SECRETVALUE' }, 'cursor'],
    ['an `at` that is not an instant', { at: 'ak_live_SECRETVALUE' }, 'at'],
    ['an `at` in the future', { at: '2999-01-01T00:00:00Z' }, 'at'],
    ['a repeated `at`', { at: ['2026-01-01T00:00:00Z', '2026-01-02T00:00:00Z'] }, 'at'],
  ])('refuses %s with 400 VALIDATION_FAILED naming the field, not the value', (_name, input, field) => {
    const problem = refusal(input);
    expect(problem.status).toBe(400);
    expect(problem.code).toBe('VALIDATION_FAILED');
    expect(problem.extras.errors?.map((e) => e.field)).toEqual([field]);
    expect(JSON.stringify(problem.body())).not.toContain('SECRETVALUE');
  });

  it('takes `at`, an instant that has passed (up to now itself)', () => {
    const now = Date.parse('2026-06-01T12:00:00Z');
    expect(keyPageFilter({ at: '2026-01-01T00:00:00+01:00' }, undefined, now)).toEqual({ limit: 50, at: new Date('2025-12-31T23:00:00Z') });
    expect(keyPageFilter({ at: '2026-06-01T12:00:00Z' }, undefined, now).at?.getTime()).toBe(now);
    expect(() => keyPageFilter({ at: '2026-06-01T12:00:00.001Z' }, undefined, now)).toThrow(ProblemException);
    expect(keyPageFilter({ at: '' }, undefined, now)).toEqual({ limit: 50 });
  });

  it('names the fields as gRPC spells them', () => {
    expect(refusal({ limit: 500, cursor: 'zz' }, { limit: 'page_size', cursor: 'page_token' }).extras.errors?.map((e) => e.field)).toEqual([
      'page_size',
      'page_token',
    ]);
  });
});
