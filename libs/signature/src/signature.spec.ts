// Default import: with CommonJS interop this is the node:crypto module object itself (a namespace
// import would be a copy), so spying on it intercepts the library's calls.
import crypto from 'node:crypto';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import {
  DEFAULT_TOLERANCE_SECONDS,
  MAX_SIGNATURES,
  SIGNATURE_SCHEME,
  SignatureError,
  computeSignature,
  signPayload,
  verifySignatureHeader,
} from '@cs/signature';

// Known vectors, computed independently with OpenSSL 3.0 (bash, LANG=C.UTF-8, so the literal
// non-ASCII characters are passed to openssl as their UTF-8 bytes). Output is "SHA2-256(stdin)= <hex>".
const SECRET = 'sig_test_secret';
const NEW_SECRET = 'sig_test_secret_new';
const T = 1_700_000_000;
const JSON_PAYLOAD = '{"id":"evt_1","amount":1000}';
const UTF8_PAYLOAD = 'café ₹100'; // bytes 63 61 66 c3 a9 20 e2 82 b9 31 30 30
const BINARY_PAYLOAD = Buffer.from([0xff, 0xfe, 0x00, 0x80]); // not valid UTF-8

// printf '%s' '1700000000.{"id":"evt_1","amount":1000}' | openssl dgst -sha256 -hmac 'sig_test_secret'
const V_JSON = 'cd3d2e8f6d9ac575f456af8416abac87d55d7659e4405b40883086008d3c27f5';
// printf '%s' '1700000000.café ₹100' | openssl dgst -sha256 -hmac 'sig_test_secret'
const V_UTF8 = '23c5b745d9e4fb47132f1c8277b712d105ea46fb15b6ae3de2e9153c7a3511ad';
// printf '%s' '1700000000.' | openssl dgst -sha256 -hmac 'sig_test_secret'
const V_EMPTY = 'e044b59b1520ce7a34c13804208a22fcc22b330564240314b5eb91f405ceb5f4';
// printf '1700000000.\xff\xfe\x00\x80' | openssl dgst -sha256 -hmac 'sig_test_secret'
const V_BINARY = '86027e3c72e4839016869c214d21927ca8b29419eb2ffd0c15a593a0018ed5e8';
// printf '%s' '1700000000.{"id":"evt_1","amount":1000}' | openssl dgst -sha256 -hmac 'sig_test_secret_new'
const V_JSON_NEW = '722b956a1d097649b75245d64603ea9ca76685425461748843641a18051165ae';
// printf '%s' '1700000300.{"id":"evt_1","amount":1000}' | openssl dgst -sha256 -hmac 'sig_test_secret'
const V_JSON_T300 = '7eab4337e6f6331d72b21960fa98e7eb8605260b2cd76c09310adc55ff6de970';

const header = (t: number, ...sigs: string[]) => [`t=${t}`, ...sigs.map((s) => `v1=${s}`)].join(',');

describe('constants', () => {
  it('exports the scheme and the default tolerance', () => {
    expect(SIGNATURE_SCHEME).toBe('v1');
    expect(DEFAULT_TOLERANCE_SECONDS).toBe(300);
  });
});

describe('computeSignature: known vectors (openssl)', () => {
  it.each([
    ['ASCII JSON', JSON_PAYLOAD, V_JSON],
    ['UTF-8 with non-ASCII characters', UTF8_PAYLOAD, V_UTF8],
    ['empty payload', '', V_EMPTY],
  ])('%s (string payload, encoded as UTF-8)', (_name, payload, expected) => {
    expect(computeSignature(SECRET, T, payload)).toBe(expected);
  });

  it('uses a Buffer payload as is, byte for byte (non-UTF-8 bytes)', () => {
    expect(computeSignature(SECRET, T, BINARY_PAYLOAD)).toBe(V_BINARY);
  });

  it('gives the same result for a string and its UTF-8 Buffer', () => {
    expect(computeSignature(SECRET, T, Buffer.from(UTF8_PAYLOAD, 'utf8'))).toBe(V_UTF8);
    expect(computeSignature(SECRET, T, Buffer.alloc(0))).toBe(V_EMPTY);
  });

  it('accepts a Uint8Array view into a larger buffer', () => {
    const backing = new Uint8Array([0x01, 0xff, 0xfe, 0x00, 0x80, 0x02]);
    expect(computeSignature(SECRET, T, backing.subarray(1, 5))).toBe(V_BINARY);
  });

  it('binds the timestamp and the secret', () => {
    expect(computeSignature(SECRET, T + 300, JSON_PAYLOAD)).toBe(V_JSON_T300);
    expect(computeSignature(NEW_SECRET, T, JSON_PAYLOAD)).toBe(V_JSON_NEW);
  });

  it('rejects bad inputs with SignatureError', () => {
    expect(() => computeSignature('', T, 'x')).toThrow(SignatureError);
    expect(() => computeSignature(SECRET, 1.5, 'x')).toThrow(SignatureError);
    expect(() => computeSignature(SECRET, T, { id: 1 } as never)).toThrow(SignatureError);
  });
});

describe('signPayload', () => {
  it('produces t=<t>,v1=<hex> for one secret', () => {
    expect(signPayload({ payload: JSON_PAYLOAD, secrets: [SECRET], timestamp: T })).toBe(`t=1700000000,v1=${V_JSON}`);
  });

  it('produces one v1 per secret, in order, during a rotation', () => {
    expect(signPayload({ payload: JSON_PAYLOAD, secrets: [SECRET, NEW_SECRET], timestamp: T })).toBe(
      `t=1700000000,v1=${V_JSON},v1=${V_JSON_NEW}`,
    );
  });

  it('signs a duplicated secret once', () => {
    expect(signPayload({ payload: JSON_PAYLOAD, secrets: [SECRET, SECRET], timestamp: T })).toBe(`t=1700000000,v1=${V_JSON}`);
  });

  it.each([
    ['no secrets', { secrets: [] }, 'NO_SECRETS'],
    ['an empty secret', { secrets: [SECRET, ''] }, 'INVALID_SECRET'],
    ['a non-string secret', { secrets: [42] }, 'INVALID_SECRET'],
    ['secrets not an array', { secrets: SECRET }, 'NO_SECRETS'],
    ['too many secrets', { secrets: Array.from({ length: MAX_SIGNATURES + 1 }, (_, i) => `s${i}`) }, 'TOO_MANY_SECRETS'],
    ['a fractional timestamp', { timestamp: T + 0.5 }, 'INVALID_TIMESTAMP'],
    ['a negative timestamp', { timestamp: -1 }, 'INVALID_TIMESTAMP'],
    ['a NaN timestamp', { timestamp: Number.NaN }, 'INVALID_TIMESTAMP'],
    ['a string timestamp', { timestamp: '1700000000' }, 'INVALID_TIMESTAMP'],
    ['a timestamp in milliseconds', { timestamp: T * 1000 }, 'INVALID_TIMESTAMP'],
    ['a parsed-object payload', { payload: { id: 'evt_1' } }, 'INVALID_PAYLOAD'],
  ])('throws a typed error for %s', (_name, override, code) => {
    const input = { payload: JSON_PAYLOAD, secrets: [SECRET], timestamp: T, ...override } as never;
    expect(() => signPayload(input)).toThrow(SignatureError);
    try {
      signPayload(input);
    } catch (e) {
      expect((e as SignatureError).code).toBe(code);
      expect((e as SignatureError).name).toBe('SignatureError');
    }
  });

  it('allows exactly MAX_SIGNATURES secrets, and the header still verifies', () => {
    const secrets = Array.from({ length: MAX_SIGNATURES }, (_, i) => `secret_${i}`);
    const h = signPayload({ payload: JSON_PAYLOAD, secrets, timestamp: T });
    expect(h.split(',')).toHaveLength(MAX_SIGNATURES + 1);
    expect(verifySignatureHeader({ payload: JSON_PAYLOAD, header: h, secrets: secrets[15], now: T }).valid).toBe(true);
  });
});

describe('verifySignatureHeader', () => {
  const valid = header(T, V_JSON);
  const verify = (over: Partial<Parameters<typeof verifySignatureHeader>[0]> = {}) =>
    verifySignatureHeader({ payload: JSON_PAYLOAD, header: valid, secrets: SECRET, now: T, ...over });

  it('accepts the known vectors', () => {
    expect(verify()).toEqual({ valid: true, code: 'VALID', timestamp: T });
    expect(verify({ payload: UTF8_PAYLOAD, header: header(T, V_UTF8) }).code).toBe('VALID');
    expect(verify({ payload: '', header: header(T, V_EMPTY) }).code).toBe('VALID');
    expect(verify({ payload: BINARY_PAYLOAD, header: header(T, V_BINARY) }).code).toBe('VALID');
  });

  it('round-trips signPayload', () => {
    const h = signPayload({ payload: UTF8_PAYLOAD, secrets: [SECRET], timestamp: T });
    expect(verify({ payload: UTF8_PAYLOAD, header: h }).code).toBe('VALID');
  });

  it('accepts uppercase hex (compares bytes, not strings)', () => {
    expect(verify({ header: header(T, V_JSON.toUpperCase()) }).code).toBe('VALID');
  });

  describe('tolerance', () => {
    it('accepts a header exactly 300 s old and exactly 300 s in the future', () => {
      expect(verify({ now: T + 300 }).code).toBe('VALID');
      expect(verify({ now: T - 300 }).code).toBe('VALID');
    });

    it('rejects 301 s old and 301 s in the future', () => {
      expect(verify({ now: T + 301 })).toEqual({ valid: false, code: 'TIMESTAMP_OUTSIDE_TOLERANCE' });
      expect(verify({ now: T - 301 })).toEqual({ valid: false, code: 'TIMESTAMP_OUTSIDE_TOLERANCE' });
    });

    it('compares fractional now exactly', () => {
      expect(verify({ now: T + 300.001 }).code).toBe('TIMESTAMP_OUTSIDE_TOLERANCE');
      expect(verify({ now: T + 299.999 }).code).toBe('VALID');
    });

    it('custom tolerance 0 accepts only the same second', () => {
      expect(verify({ toleranceSeconds: 0 }).code).toBe('VALID');
      expect(verify({ toleranceSeconds: 0, now: T + 1 }).code).toBe('TIMESTAMP_OUTSIDE_TOLERANCE');
      expect(verify({ toleranceSeconds: 0, now: T - 1 }).code).toBe('TIMESTAMP_OUTSIDE_TOLERANCE');
    });

    it('custom larger tolerance', () => {
      expect(verify({ toleranceSeconds: 600, now: T + 600 }).code).toBe('VALID');
      expect(verify({ toleranceSeconds: 600, now: T + 601 }).code).toBe('TIMESTAMP_OUTSIDE_TOLERANCE');
    });

    it.each([-1, Number.NaN, Number.POSITIVE_INFINITY, '300'])('throws INVALID_TOLERANCE for %p', (tol) => {
      expect(() => verify({ toleranceSeconds: tol as number })).toThrow(
        expect.objectContaining({ name: 'SignatureError', code: 'INVALID_TOLERANCE' }),
      );
    });

    it.each([Number.NaN, -1, T * 1000])('throws INVALID_NOW for now=%p', (now) => {
      expect(() => verify({ now })).toThrow(expect.objectContaining({ code: 'INVALID_NOW' }));
    });

    it('reports a forged header as NO_MATCHING_SIGNATURE even when its timestamp is also stale', () => {
      expect(verify({ header: header(T, '0'.repeat(64)), now: T + 10_000 }).code).toBe('NO_MATCHING_SIGNATURE');
    });
  });

  describe('rotation', () => {
    const both = header(T, V_JSON, V_JSON_NEW);

    it('a header with two v1 values verifies with each receiver secret alone', () => {
      expect(verify({ header: both, secrets: SECRET }).code).toBe('VALID');
      expect(verify({ header: both, secrets: NEW_SECRET }).code).toBe('VALID');
      expect(verify({ header: both, secrets: [NEW_SECRET, SECRET] }).code).toBe('VALID');
    });

    it('an old-only header fails with the new secret alone', () => {
      expect(verify({ header: header(T, V_JSON), secrets: [NEW_SECRET] }).code).toBe('NO_MATCHING_SIGNATURE');
    });

    it('an old-only header verifies with a receiver holding both secrets', () => {
      expect(verify({ header: header(T, V_JSON), secrets: [NEW_SECRET, SECRET] }).code).toBe('VALID');
    });

    it('the signature order in the header does not matter', () => {
      expect(verify({ header: header(T, V_JSON_NEW, V_JSON), secrets: SECRET }).code).toBe('VALID');
    });
  });

  describe('tampering', () => {
    it('rejects a tampered payload', () => {
      expect(verify({ payload: '{"id":"evt_1","amount":9000}' })).toEqual({
        valid: false,
        code: 'NO_MATCHING_SIGNATURE',
      });
    });

    it('rejects re-serialized JSON (whitespace differs from the raw body)', () => {
      const reserialized = JSON.stringify(JSON.parse(JSON_PAYLOAD), null, 2);
      expect(verify({ payload: reserialized }).code).toBe('NO_MATCHING_SIGNATURE');
    });

    it('rejects a tampered signature (one hex digit changed)', () => {
      const flipped = (V_JSON[0] === 'c' ? 'd' : 'c') + V_JSON.slice(1);
      expect(verify({ header: header(T, flipped) }).code).toBe('NO_MATCHING_SIGNATURE');
    });

    it('rejects a tampered timestamp (the signature binds it)', () => {
      expect(verify({ header: header(T + 1, V_JSON), now: T + 1 }).code).toBe('NO_MATCHING_SIGNATURE');
    });

    it('rejects the wrong secret', () => {
      expect(verify({ secrets: 'someone_elses_secret' }).code).toBe('NO_MATCHING_SIGNATURE');
    });
  });

  describe('header tolerance for whitespace and unknown schemes', () => {
    it('trims whitespace around elements, keys and values', () => {
      expect(verify({ header: `  t = ${T} ,  v1= ${V_JSON}  ` }).code).toBe('VALID');
      expect(verify({ header: `t=${T},\tv1=${V_JSON}\n` }).code).toBe('VALID');
    });

    it('ignores unknown schemes such as v0', () => {
      expect(verify({ header: `t=${T},v0=${'a'.repeat(64)},v1=${V_JSON},v2=whatever` }).code).toBe('VALID');
    });

    it('a header with only unknown schemes is malformed', () => {
      expect(verify({ header: `t=${T},v0=${V_JSON}` })).toEqual({
        valid: false,
        code: 'MALFORMED_HEADER',
        reason: 'NO_SIGNATURE',
      });
    });
  });

  describe('malformed headers', () => {
    it.each([
      ['missing (undefined)', undefined, 'EMPTY'],
      ['null', null, 'EMPTY'],
      ['empty', '', 'EMPTY'],
      ['blank', '   ', 'EMPTY'],
      ['missing t', `v1=${V_JSON}`, 'MISSING_TIMESTAMP'],
      ['non-numeric t', `t=abc,v1=${V_JSON}`, 'INVALID_TIMESTAMP'],
      ['empty t', `t=,v1=${V_JSON}`, 'INVALID_TIMESTAMP'],
      ['no v1', `t=${T}`, 'NO_SIGNATURE'],
      ['non-hex v1', `t=${T},v1=${'z'.repeat(64)}`, 'INVALID_SIGNATURE'],
      ['short v1', `t=${T},v1=${V_JSON.slice(0, 63)}`, 'INVALID_SIGNATURE'],
      ['too many signatures', header(T, ...Array(MAX_SIGNATURES + 1).fill(V_JSON)), 'TOO_MANY_SIGNATURES'],
      ['over 8 KiB', `t=${T},v1=${V_JSON},v0=${'a'.repeat(8 * 1024)}`, 'TOO_LONG'],
    ])('%s → MALFORMED_HEADER', (_name, h, reason) => {
      expect(verify({ header: h })).toEqual({ valid: false, code: 'MALFORMED_HEADER', reason });
    });
  });

  describe('secrets', () => {
    it('an empty secrets list → NO_SIGNING_KEY', () => {
      expect(verify({ secrets: [] })).toEqual({ valid: false, code: 'NO_SIGNING_KEY' });
    });

    it('NO_SIGNING_KEY takes precedence over a malformed header', () => {
      expect(verify({ secrets: [], header: 'garbage' }).code).toBe('NO_SIGNING_KEY');
    });

    it('an empty-string secret is a configuration error', () => {
      expect(() => verify({ secrets: [''] })).toThrow(expect.objectContaining({ code: 'INVALID_SECRET' }));
      expect(() => verify({ secrets: '' })).toThrow(expect.objectContaining({ code: 'INVALID_SECRET' }));
    });

    it('a parsed-object payload is a programming error', () => {
      expect(() => verify({ payload: JSON.parse(JSON_PAYLOAD) })).toThrow(expect.objectContaining({ code: 'INVALID_PAYLOAD' }));
    });
  });

  describe('constant-time comparison', () => {
    afterEach(() => jest.restoreAllMocks());

    it('compares every secret with every v1 through crypto.timingSafeEqual, without early exit', () => {
      const spy = jest.spyOn(crypto, 'timingSafeEqual');
      // The first pair (SECRET, V_JSON) matches; all four pairs must still be compared.
      const result = verify({ header: header(T, V_JSON, V_JSON_NEW), secrets: [SECRET, NEW_SECRET] });
      expect(result.code).toBe('VALID');
      expect(spy).toHaveBeenCalledTimes(4);
      for (const [a, b] of spy.mock.calls) {
        expect(Buffer.isBuffer(a) && Buffer.isBuffer(b)).toBe(true);
        expect((a as Buffer).length).toBe(32);
        expect((b as Buffer).length).toBe(32);
      }
    });

    it('also compares every pair when nothing matches', () => {
      const spy = jest.spyOn(crypto, 'timingSafeEqual');
      expect(verify({ header: header(T, '0'.repeat(64), '1'.repeat(64), '2'.repeat(64)), secrets: [SECRET, NEW_SECRET] }).code).toBe(
        'NO_MATCHING_SIGNATURE',
      );
      expect(spy).toHaveBeenCalledTimes(6);
    });
  });
});

describe('dependency-free', () => {
  it('source files import only node:crypto and each other', () => {
    const dir = __dirname;
    const specifiers = readdirSync(dir)
      .filter((f) => f.endsWith('.ts') && !f.endsWith('.spec.ts'))
      .flatMap((f) => [...readFileSync(join(dir, f), 'utf8').matchAll(/from\s+'([^']+)'|require\(\s*'([^']+)'\s*\)/g)])
      .map((m) => m[1] ?? m[2]);
    expect(specifiers.length).toBeGreaterThan(0);
    for (const s of specifiers) expect(s === 'node:crypto' || s.startsWith('./')).toBe(true);
  });
});
