import { createHash } from 'node:crypto';
import { crc32 } from 'node:zlib';
import { KEY_ENVS, MAX_KEY_LENGTH, formatKey, hashKey, keyStart, parseKey, secretsEqual } from './key-format';
import { KEY_KINDS } from './events';
import { seededBytes } from './testing/decider-specification';

const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
const PREFIX = { api: 'ak', signing: 'sig', publishable: 'pk' } as const;

/** Splits a key into `<prefix>_<env>_`, the 43-char body and the 6-char checksum. */
function parts(key: string): { head: string; body: string; sum: string } {
  const m = /^([a-z]+_[a-z]+_)([0-9A-Za-z]{43})([0-9A-Za-z]{6})$/.exec(key);
  if (!m) throw new Error(`not a key: ${key}`);
  return { head: m[1], body: m[2], sum: m[3] };
}

function base62ToBytes(text: string): Buffer {
  let value = 0n;
  for (const ch of text) value = value * 62n + BigInt(BASE62.indexOf(ch));
  return Buffer.from(value.toString(16).padStart(64, '0'), 'hex');
}

const KEY = formatKey('api', 'live', seededBytes(42));

describe('key format', () => {
  describe.each(KEY_KINDS.flatMap((kind) => KEY_ENVS.map((env) => [kind, env] as const)))('%s / %s', (kind, env) => {
    const key = formatKey(kind, env, seededBytes(7));

    it('has the recognisable prefix and round-trips through parseKey', () => {
      expect(key.startsWith(`${PREFIX[kind]}_${env}_`)).toBe(true);
      expect(parseKey(key)).toEqual({ kind, env, start: keyStart(key) });
    });

    it('stays within the maximum key length', () => {
      expect(key.length).toBeLessThanOrEqual(MAX_KEY_LENGTH);
    });
  });

  it('carries all 256 random bits: a 43-char base62 body that decodes back to the 32 bytes', () => {
    for (const bytes of [seededBytes(1), seededBytes(2), new Uint8Array(32), new Uint8Array(32).fill(0xff)]) {
      const { body } = parts(formatKey('api', 'live', bytes));
      expect(body).toHaveLength(43);
      expect(base62ToBytes(body).equals(Buffer.from(bytes))).toBe(true);
    }
  });

  it('different random bytes give different keys, even one bit apart', () => {
    const a = seededBytes(3);
    const b = Uint8Array.from(a);
    b[31] ^= 1;
    expect(formatKey('api', 'live', a)).not.toBe(formatKey('api', 'live', b));
  });

  it('refuses anything but exactly 32 random bytes', () => {
    expect(() => formatKey('api', 'live', new Uint8Array(31))).toThrow(RangeError);
    expect(() => formatKey('api', 'live', new Uint8Array(33))).toThrow(RangeError);
  });

  describe('checksum', () => {
    const positions = [0, 1, 3, 8, 20, KEY.length - 7, KEY.length - 1];

    it.each(positions)('rejects every single-character substitution at position %i', (position) => {
      for (const ch of BASE62 + '_-') {
        if (ch === KEY[position]) continue;
        const typo = KEY.slice(0, position) + ch + KEY.slice(position + 1);
        expect(parseKey(typo)).toBeNull();
      }
    });

    it('rejects two swapped adjacent body characters', () => {
      const i = KEY.indexOf('_', 3) + 10;
      const chars = [...KEY];
      const swapIndex = chars[i] === chars[i + 1] ? i + 2 : i;
      [chars[swapIndex], chars[swapIndex + 1]] = [chars[swapIndex + 1], chars[swapIndex]];
      expect(parseKey(chars.join(''))).toBeNull();
    });

    it('rejects a truncated or extended key', () => {
      expect(parseKey(KEY.slice(0, -1))).toBeNull();
      expect(parseKey(KEY.slice(1))).toBeNull();
      expect(parseKey(`${KEY}0`)).toBeNull();
      expect(parseKey(`${KEY} `)).toBeNull();
      expect(parseKey(` ${KEY}`)).toBeNull();
    });

    it('is the CRC32 of prefix and body in 6 base62 digits, so every key issued before stays valid', () => {
      for (let seed = 1; seed <= 200; seed++) {
        const key = formatKey(seed % 2 ? 'api' : 'signing', 'live', seededBytes(seed));
        const { head, body, sum } = parts(key);
        let value = BigInt(crc32(head + body) >>> 0);
        let expected = '';
        for (let i = 0; i < 6; i++, value /= 62n) expected = BASE62[Number(value % 62n)] + expected;
        expect(sum).toBe(expected);
      }
    });

    it('rejects an invented key with a made-up checksum', () => {
      const { head, body } = parts(KEY);
      expect(parseKey(`${head}${body}000000`)).toBeNull();
    });
  });

  it('rejects a wrong or unknown prefix or environment', () => {
    const { body, sum } = parts(KEY);
    for (const head of ['sk_live_', 'AK_live_', 'ak_prod_', 'ak_LIVE_', 'ak-live-', 'aklive_', 'sig_live_']) {
      expect(parseKey(`${head}${body}${sum}`)).toBeNull();
    }
    // the kind is part of the checksum: relabelling an API key as a signing key fails
    expect(parseKey(KEY.replace(/^ak_/, 'sig_'))).toBeNull();
    expect(parseKey(KEY.replace('_live_', '_test_'))).toBeNull();
  });

  it('rejects empty and non-string input', () => {
    expect(parseKey('')).toBeNull();
    expect(parseKey(undefined as unknown as string)).toBeNull();
    expect(parseKey(42 as unknown as string)).toBeNull();
  });

  it(`rejects anything over ${MAX_KEY_LENGTH} characters quickly`, () => {
    expect(parseKey(KEY.padEnd(MAX_KEY_LENGTH + 1, 'a'))).toBeNull();
    // 10 MB of otherwise plausible key characters: refused on length alone, without scanning it
    const huge = `ak_live_${'A'.repeat(10_000_000)}`;
    let accepted = 0;
    const started = process.hrtime.bigint();
    for (let i = 0; i < 1000; i++) if (parseKey(huge) !== null) accepted++;
    const elapsedMs = Number(process.hrtime.bigint() - started) / 1e6;
    expect(accepted).toBe(0);
    expect(elapsedMs).toBeLessThan(100);
  });

  describe('start', () => {
    it('is the prefix and environment plus the first 6 body characters', () => {
      const { head, body } = parts(KEY);
      expect(keyStart(KEY)).toBe(head + body.slice(0, 6));
      expect(keyStart(KEY)).toHaveLength('ak_live_'.length + 6);
      expect(keyStart(formatKey('signing', 'test', seededBytes(5)))).toMatch(/^sig_test_[0-9A-Za-z]{6}$/);
    });

    it('reveals no more than 6 characters of any input, key or not', () => {
      expect(keyStart('no-underscores-here-at-all')).toHaveLength(6);
      expect(keyStart('ak_onlyoneunderscore')).toHaveLength(6);
    });

    it('is what parseKey reports', () => {
      expect(parseKey(KEY)?.start).toBe(keyStart(KEY));
    });
  });

  it('hashKey is the hex SHA-256 of the whole key', () => {
    expect(hashKey(KEY)).toBe(createHash('sha256').update(KEY).digest('hex'));
    expect(hashKey(KEY)).toMatch(/^[0-9a-f]{64}$/);
    expect(hashKey(KEY)).not.toBe(hashKey(formatKey('api', 'live', seededBytes(43))));
  });

  it('secretsEqual compares exactly, including different lengths', () => {
    const h = hashKey(KEY);
    expect(secretsEqual(h, `${h}`)).toBe(true);
    expect(secretsEqual(h, h.replace(/.$/, h.endsWith('0') ? '1' : '0'))).toBe(false);
    expect(secretsEqual(h, h.slice(0, -1))).toBe(false);
    expect(secretsEqual(h, '')).toBe(false);
    expect(secretsEqual('', '')).toBe(true);
  });
});
