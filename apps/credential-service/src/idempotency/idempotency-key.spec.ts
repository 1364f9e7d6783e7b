import { ProblemException } from '../http/problem';
import { canonicalJson, parseIdempotencyKey, requestFingerprint, storageKey } from './idempotency-key';

describe('the Idempotency-Key header', () => {
  it('is optional, and taken as sent when it is 1 to 255 printable ASCII characters', () => {
    expect(parseIdempotencyKey(undefined)).toBeUndefined();
    expect(parseIdempotencyKey('7f1c2a9e-6a4b-4f39-9a0e-1d2c3b4a5f60')).toBe('7f1c2a9e-6a4b-4f39-9a0e-1d2c3b4a5f60');
    expect(parseIdempotencyKey('order 42/retry:1')).toBe('order 42/retry:1');
    expect(parseIdempotencyKey('x'.repeat(255))).toHaveLength(255);
  });

  it.each([
    ['empty', ''],
    ['longer than 255', 'x'.repeat(256)],
    ['a control character', 'abc\u0007def'],
    ['a newline', 'abc\ndef'],
    ['non-ASCII', 'clé-ak_live_SECRETVALUE'],
    ['blank', '   '],
    ['sent twice (not one text)', ['a', 'b']],
  ])('refuses %s with 400 VALIDATION_FAILED naming the header, never its value', (_name, value) => {
    let thrown: unknown;
    try {
      parseIdempotencyKey(value);
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(ProblemException);
    const problem = thrown as ProblemException;
    expect(problem.status).toBe(400);
    expect(problem.code).toBe('VALIDATION_FAILED');
    expect(problem.extras.errors?.map((e) => e.field)).toEqual(['Idempotency-Key']);
    expect(JSON.stringify(problem.body())).not.toContain('SECRETVALUE');
  });
});

describe('what identifies a request', () => {
  const scope = { accountId: 'acct_1', principal: 'user_1' };

  it('canonical JSON ignores key order and undefined fields', () => {
    expect(canonicalJson({ b: 1, a: { d: [1, 'x'], c: undefined } })).toBe('{"a":{"d":[1,"x"]},"b":1}');
    expect(canonicalJson({ a: 1, b: 2 })).toBe(canonicalJson({ b: 2, a: 1 }));
  });

  it('the same request has the same fingerprint; any difference changes it', () => {
    const base = requestFingerprint(scope, { operation: 'generate', body: { kind: 'api', name: 'n' } });
    expect(requestFingerprint(scope, { operation: 'generate', body: { name: 'n', kind: 'api' } })).toBe(base);
    expect(requestFingerprint(scope, { operation: 'generate', body: { kind: 'api', name: 'm' } })).not.toBe(base);
    expect(requestFingerprint(scope, { operation: 'regenerate', body: { kind: 'api', name: 'n' } })).not.toBe(base);
    expect(requestFingerprint({ ...scope, accountId: 'acct_2' }, { operation: 'generate', body: { kind: 'api', name: 'n' } })).not.toBe(
      base,
    );
    expect(base).toMatch(/^[0-9a-f]{64}$/);
  });

  it('keys are stored per account and caller, as a hash that does not hold the key', () => {
    const at = storageKey(scope, 'my-key');
    expect(at).toMatch(/^[0-9a-f]{64}$/);
    expect(storageKey({ ...scope, principal: 'user_2' }, 'my-key')).not.toBe(at);
    expect(storageKey({ ...scope, accountId: 'acct_2' }, 'my-key')).not.toBe(at);
    expect(storageKey(scope, 'my-key')).toBe(at);
  });
});
