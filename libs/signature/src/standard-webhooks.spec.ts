// Default import: the node:crypto module object itself, so spying on it intercepts the library's calls.
import crypto, { createHmac, generateKeyPairSync } from 'node:crypto';
import {
  MAX_SIGNATURES,
  SignatureError,
  computeStandardWebhookSignature,
  ed25519Jwk,
  ed25519PublicKeyFromJwk,
  ed25519PublicKeyOf,
  parseWebhookSignatureHeader,
  signStandardWebhook,
  verifyStandardWebhook,
  type VerifyStandardWebhookInput,
} from '@cs/signature';

// The Standard Webhooks spec's own example secret, as its libraries' tests use it.
const SECRET = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
const NEW_SECRET = `whsec_${Buffer.alloc(32, 7).toString('base64')}`;
const ID = 'msg_p5jXN8AQM9LWM0D4loKWxJek';
const T = 1_614_265_330;
const PAYLOAD = '{"test": 2432232314}';

/** An Ed25519 key pair made by node:crypto directly, as whsk_/whpk_ strings. */
function ed25519Pair() {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  const d = Buffer.from(privateKey.export({ format: 'jwk' }).d as string, 'base64url');
  const x = Buffer.from(publicKey.export({ format: 'jwk' }).x as string, 'base64url');
  return { privateKey, publicKey, whsk: `whsk_${d.toString('base64')}`, whpk: `whpk_${x.toString('base64')}` };
}

const headersOf = (signature: string, id = ID, t: number | string = T) => ({
  'webhook-id': id,
  'webhook-timestamp': String(t),
  'webhook-signature': signature,
});
const verify = (overrides: Partial<VerifyStandardWebhookInput> = {}) =>
  verifyStandardWebhook({ payload: PAYLOAD, headers: headersOf(sign()), secrets: SECRET, now: T, ...overrides });
const sign = (secrets: string[] = [SECRET], payload: string | Buffer = PAYLOAD) =>
  signStandardWebhook({ payload, webhookId: ID, timestamp: T, secrets })['webhook-signature'];

describe('Standard Webhooks HMAC (v1)', () => {
  it('signs "<id>.<timestamp>.<payload>" with the base64-decoded whsec_ key (computed independently)', () => {
    const key = Buffer.from(SECRET.slice('whsec_'.length), 'base64');
    const expected = createHmac('sha256', key).update(`${ID}.${T}.${PAYLOAD}`).digest('base64');
    expect(signStandardWebhook({ payload: PAYLOAD, webhookId: ID, timestamp: T, secrets: [SECRET] })).toEqual({
      'webhook-id': ID,
      'webhook-timestamp': String(T),
      'webhook-signature': `v1,${expected}`,
    });
    expect(computeStandardWebhookSignature(SECRET, ID, T, PAYLOAD)).toBe(`v1,${expected}`);
  });

  it('matches the value published with the spec’s example secret', () => {
    // The Standard Webhooks libraries' shared test case (same secret, id, timestamp and payload).
    expect(sign()).toBe('v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=');
  });

  it('signs once per distinct secret, space-separated, in order; each secret alone verifies', () => {
    const header = sign([SECRET, NEW_SECRET, SECRET]);
    expect(header.split(' ')).toHaveLength(2);
    expect(header.split(' ')[0]).toBe(sign([SECRET]));
    expect(verify({ headers: headersOf(header), secrets: NEW_SECRET }).code).toBe('VALID');
    expect(verify({ headers: headersOf(header), secrets: [SECRET] })).toEqual({ valid: true, code: 'VALID', webhookId: ID, timestamp: T });
  });

  it('a changed payload, id or timestamp no longer verifies (all three are signed)', () => {
    const header = sign();
    expect(verify({ payload: `${PAYLOAD} ` }).code).toBe('NO_MATCHING_SIGNATURE');
    expect(verify({ headers: headersOf(header, 'msg_other') }).code).toBe('NO_MATCHING_SIGNATURE');
    expect(verify({ headers: headersOf(header, ID, T + 1), now: T + 1 }).code).toBe('NO_MATCHING_SIGNATURE');
    expect(verify({ secrets: NEW_SECRET }).code).toBe('NO_MATCHING_SIGNATURE');
  });

  it('uses Buffer payloads byte for byte', () => {
    const bytes = Buffer.from([0xff, 0xfe, 0x00, 0x80]);
    const header = sign([SECRET], bytes);
    expect(verify({ payload: bytes, headers: headersOf(header) }).code).toBe('VALID');
    expect(verify({ payload: bytes.toString('utf8'), headers: headersOf(header) }).code).toBe('NO_MATCHING_SIGNATURE');
  });

  it('the tolerance applies both ways and only to authentic requests', () => {
    expect(verify({ now: T + 300 }).code).toBe('VALID');
    expect(verify({ now: T - 300 }).code).toBe('VALID');
    expect(verify({ now: T + 301 }).code).toBe('TIMESTAMP_OUTSIDE_TOLERANCE');
    expect(verify({ now: T + 1000, toleranceSeconds: 1000 }).code).toBe('VALID');
    expect(verify({ now: T + 301, secrets: NEW_SECRET }).code).toBe('NO_MATCHING_SIGNATURE');
  });

  it('reads header names in any case, as Node or a framework may hand them over', () => {
    const header = sign();
    const headers = { 'Webhook-Id': ID, 'WEBHOOK-TIMESTAMP': String(T), 'Webhook-Signature': header };
    expect(verify({ headers }).code).toBe('VALID');
  });

  it('compares every secret with every v1 through timingSafeEqual, without early exit', () => {
    const spy = jest.spyOn(crypto, 'timingSafeEqual');
    try {
      expect(verify({ headers: headersOf(sign([SECRET, NEW_SECRET])), secrets: [SECRET, NEW_SECRET] }).code).toBe('VALID');
      expect(spy).toHaveBeenCalledTimes(4);
      for (const [a, b] of spy.mock.calls) expect([(a as Buffer).length, (b as Buffer).length]).toEqual([32, 32]);
    } finally {
      spy.mockRestore();
    }
  });

  it('no secret and no public key: NO_SIGNING_KEY, before the headers are read', () => {
    expect(verifyStandardWebhook({ payload: PAYLOAD, headers: {}, secrets: [], now: T })).toEqual({ valid: false, code: 'NO_SIGNING_KEY' });
  });
});

describe('Standard Webhooks Ed25519 (v1a)', () => {
  it('signs with the whsk_ seed; node:crypto verifies the signature with the public key', () => {
    const pair = ed25519Pair();
    const header = sign([pair.whsk]);
    expect(header).toMatch(/^v1a,[A-Za-z0-9+/]{86}==$/);
    const signature = Buffer.from(header.slice('v1a,'.length), 'base64');
    expect(crypto.verify(null, Buffer.from(`${ID}.${T}.${PAYLOAD}`), pair.publicKey, signature)).toBe(true);
    expect(crypto.verify(null, Buffer.from(`${ID}.${T}.${PAYLOAD}x`), pair.publicKey, signature)).toBe(false);
  });

  it('verifies a v1a made by node:crypto with the whpk_ key or its JWK; another key does not match', () => {
    const pair = ed25519Pair();
    const signature = crypto.sign(null, Buffer.from(`${ID}.${T}.${PAYLOAD}`), pair.privateKey).toString('base64');
    const headers = headersOf(`v1a,${signature}`);
    expect(verify({ headers, secrets: undefined, publicKeys: pair.whpk }).code).toBe('VALID');
    expect(verify({ headers, secrets: undefined, publicKeys: [ed25519Jwk(pair.whpk, 'k1')] }).code).toBe('VALID');
    expect(verify({ headers, secrets: undefined, publicKeys: ed25519Pair().whpk }).code).toBe('NO_MATCHING_SIGNATURE');
    // A v1a is never checked against an HMAC secret, nor a v1 against a public key.
    expect(verify({ headers, secrets: SECRET }).code).toBe('NO_MATCHING_SIGNATURE');
    expect(verify({ secrets: undefined, publicKeys: pair.whpk }).code).toBe('NO_MATCHING_SIGNATURE');
  });

  it('derives the public key of a private key, and round-trips it through a JWK', () => {
    const pair = ed25519Pair();
    expect(ed25519PublicKeyOf(pair.whsk)).toBe(pair.whpk);
    const jwk = ed25519Jwk(pair.whpk, 'key_1.2');
    expect(jwk).toEqual({
      kty: 'OKP',
      crv: 'Ed25519',
      x: pair.publicKey.export({ format: 'jwk' }).x,
      kid: 'key_1.2',
      use: 'sig',
      alg: 'EdDSA',
    });
    expect(ed25519PublicKeyFromJwk(jwk)).toBe(pair.whpk);
  });

  it('mixes v1 and v1a in one header during a migration; each receiver checks its own kind', () => {
    const pair = ed25519Pair();
    const header = sign([SECRET, pair.whsk]);
    expect(header).toMatch(/^v1,\S+ v1a,\S+$/);
    expect(verify({ headers: headersOf(header) }).code).toBe('VALID');
    expect(verify({ headers: headersOf(header), secrets: undefined, publicKeys: pair.whpk }).code).toBe('VALID');
  });
});

describe('parseWebhookSignatureHeader and malformed requests', () => {
  const good = sign();
  it.each([
    ['no signature header', headersOf(good), { 'webhook-signature': undefined }, 'EMPTY'],
    ['no id', headersOf(good), { 'webhook-id': undefined }, 'MISSING_ID'],
    ['an id with a dot', headersOf(good), { 'webhook-id': 'msg.1' }, 'INVALID_ID'],
    ['a repeated id header', headersOf(good), { 'webhook-id': [ID, ID] }, 'INVALID_ID'],
    ['no timestamp', headersOf(good), { 'webhook-timestamp': undefined }, 'MISSING_TIMESTAMP'],
    ['a millisecond timestamp', headersOf(good), { 'webhook-timestamp': String(T * 1000) }, 'INVALID_TIMESTAMP'],
    ['a negative timestamp', headersOf(good), { 'webhook-timestamp': '-1' }, 'INVALID_TIMESTAMP'],
    ['an entry without a comma', headersOf(good), { 'webhook-signature': 'v1' }, 'MISSING_COMMA'],
    ['a v1 that is not 32 bytes', headersOf(good), { 'webhook-signature': 'v1,AAAA' }, 'INVALID_SIGNATURE'],
    ['a v1 that is not base64', headersOf(good), { 'webhook-signature': `v1,${'!'.repeat(44)}` }, 'INVALID_SIGNATURE'],
    ['only unknown versions', headersOf(good), { 'webhook-signature': 'v2,abc' }, 'NO_SIGNATURE'],
    [
      '17 signatures',
      headersOf(good),
      {
        'webhook-signature': Array(MAX_SIGNATURES + 1)
          .fill(good)
          .join(' '),
      },
      'TOO_MANY_SIGNATURES',
    ],
    ['an oversized header', headersOf(good), { 'webhook-signature': `${good} ${'v2,x '.repeat(2000)}` }, 'TOO_LONG'],
  ])('%s: MALFORMED_HEADER', (_name, base, change, reason) => {
    const headers = { ...base, ...change } as VerifyStandardWebhookInput['headers'];
    expect(verify({ headers })).toEqual({ valid: false, code: 'MALFORMED_HEADER', reason });
  });

  it('ignores unknown versions next to a good signature and tolerates extra spaces', () => {
    expect(verify({ headers: headersOf(`v2,whatever  ${good} `) }).code).toBe('VALID');
    const parsed = parseWebhookSignatureHeader(`v0,x ${good}`);
    expect(parsed).toMatchObject({ ok: true, signatures: [{ version: 'v1' }] });
  });
});

describe('caller mistakes throw SignatureError', () => {
  const code = (fn: () => unknown) => {
    try {
      fn();
    } catch (error) {
      expect(error).toBeInstanceOf(SignatureError);
      return (error as SignatureError).code;
    }
    throw new Error('did not throw');
  };
  it.each([
    ['no secrets', () => signStandardWebhook({ payload: '', webhookId: ID, timestamp: T, secrets: [] }), 'NO_SECRETS'],
    ['a secret without a prefix', () => sign(['MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw']), 'INVALID_SECRET'],
    ['a Stripe-style secret', () => sign(['sig_test_secret']), 'INVALID_SECRET'],
    ['a whsec_ of 8 bytes', () => sign([`whsec_${Buffer.alloc(8).toString('base64')}`]), 'INVALID_SECRET'],
    ['a whsk_ that is not 32 bytes', () => sign([`whsk_${Buffer.alloc(31).toString('base64')}`]), 'INVALID_SECRET'],
    [
      'an id with a dot',
      () => signStandardWebhook({ payload: '', webhookId: 'a.b', timestamp: T, secrets: [SECRET] }),
      'INVALID_WEBHOOK_ID',
    ],
    [
      'milliseconds',
      () => signStandardWebhook({ payload: '', webhookId: ID, timestamp: T * 1000, secrets: [SECRET] }),
      'INVALID_TIMESTAMP',
    ],
    ['a parsed payload', () => verify({ payload: { test: 1 } as never }), 'INVALID_PAYLOAD'],
    ['a public key without whpk_', () => verify({ publicKeys: 'abc' }), 'INVALID_SECRET'],
    ['a JWK of another curve', () => verify({ publicKeys: { kty: 'OKP', crv: 'X25519', x: 'AA' } as never }), 'INVALID_SECRET'],
    ['a negative tolerance', () => verify({ toleranceSeconds: -1 }), 'INVALID_TOLERANCE'],
    ['now in milliseconds', () => verify({ now: Date.now() }), 'INVALID_NOW'],
  ])('%s', (_name, fn, expected) => {
    expect(code(fn)).toBe(expected);
  });

  it('never quotes a secret in an error message', () => {
    const secret = `whsec_${Buffer.alloc(8, 1).toString('base64')}`;
    try {
      sign([secret]);
    } catch (error) {
      expect((error as Error).message).not.toContain(secret.slice(6));
    }
    expect.assertions(1);
  });
});
