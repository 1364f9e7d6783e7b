/**
 * Ed25519 signing keys (issue #14): standard-webhooks `v1a` signatures whose private key never leaves
 * the service, and the account's public keys as a JWKS. Signatures are checked with node:crypto
 * directly (and with libs/signature, the receiver kit), never with the service's own code.
 */
import { createPublicKey, verify as edVerify } from 'node:crypto';
import { verifyStandardWebhook, type Ed25519Jwk } from '@cs/signature';
import { Client, request, startTestApp, uniqueAccount, type TestApp } from '../support';

const WHPK = /^whpk_[A-Za-z0-9+/]{43}=$/;
const nowSeconds = (): number => Math.floor(Date.now() / 1000);

/** Verifies one `v1a,<base64>` entry with node:crypto and the JWK's public key. */
function edVerifies(jwk: Ed25519Jwk, headers: Record<string, string>, payload: string, entry: string): boolean {
  const key = createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x: jwk.x }, format: 'jwk' });
  const content = Buffer.from(`${headers['webhook-id']}.${headers['webhook-timestamp']}.${payload}`);
  return edVerify(null, content, key, Buffer.from(entry.slice('v1a,'.length), 'base64'));
}

describe('ed25519 signing keys and the account JWKS', () => {
  let app: TestApp;
  let service: Client;
  beforeAll(async () => {
    app = await startTestApp();
    service = Client.service(app.url);
  });
  afterAll(async () => {
    await app?.close();
  });

  async function ed25519Account() {
    const acct = uniqueAccount();
    const owner = await Client.actor(app.url, { acct });
    const gen = await owner.generate(acct, { kind: 'signing', scheme: 'standard-webhooks', algorithm: 'ed25519' });
    expect(gen.status).toBe(201);
    return { acct, owner, keyId: gen.body.key.id as string, gen };
  }
  const jwks = (acct: string) => request(app.url, 'GET', `/v1/accounts/${acct}/jwks.json`);

  it('generates a key whose answer and view carry only the public key; reveal is 409 KEY_NOT_REVEALABLE', async () => {
    const { acct, owner, keyId, gen } = await ed25519Account();
    expect(gen.body.secret).toMatch(WHPK);
    expect(gen.body.key).toMatchObject({ scheme: 'standard-webhooks', algorithm: 'ed25519', publicKey: gen.body.secret });
    expect(gen.body.key.start).toBe(gen.body.secret.slice(0, 11));
    expect(gen.text).not.toContain('whsk_');
    const revealed = await owner.reveal(acct, keyId);
    expect([revealed.status, revealed.body.code]).toEqual([409, 'KEY_NOT_REVEALABLE']);
    const history = await owner.history(acct, keyId);
    expect(history.text).not.toContain('whsk_');
    expect(JSON.stringify(history.body)).toContain(gen.body.secret.slice('whpk_'.length));
  });

  it('publishes the public key as an RFC 8037 JWK, without a credential and cacheable', async () => {
    const { acct, keyId, gen } = await ed25519Account();
    const res = await jwks(acct);
    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toBe('public, max-age=300');
    expect(res.contentType).toMatch(/^application\/jwk-set\+json/);
    const raw = Buffer.from(gen.body.secret.slice('whpk_'.length), 'base64');
    expect(res.body).toEqual({
      keys: [{ kty: 'OKP', crv: 'Ed25519', x: raw.toString('base64url'), kid: `${keyId}.1`, use: 'sig', alg: 'EdDSA' }],
    });
    // Another account's JWKS is its own (empty here); a malformed account id is refused.
    expect((await jwks(uniqueAccount())).body).toEqual({ keys: [] });
    const bad = await jwks('not an id!');
    expect([bad.status, bad.body.code]).toEqual([400, 'INVALID_ID']);
  });

  it('signs v1a entries that node:crypto verifies with the published key; the service verifies them too', async () => {
    const { acct, keyId } = await ed25519Account();
    const payload = JSON.stringify({ type: 'payment.succeeded', amount: 1250 });
    const signed = await service.sign(acct, { payload, scheme: 'standard-webhooks' });
    expect(signed.status).toBe(200);
    expect(signed.body).toMatchObject({ keyIds: [keyId], signatures: 1 });
    expect(signed.body.header).toMatch(/^v1a,[A-Za-z0-9+/]{86}==$/);
    const [jwk] = (await jwks(acct)).body.keys as Ed25519Jwk[];
    expect(edVerifies(jwk, signed.body.headers, payload, signed.body.header)).toBe(true);
    expect(edVerifies(jwk, signed.body.headers, `${payload} `, signed.body.header)).toBe(false);
    // The receiver kit, given the JWKS.
    const kit = verifyStandardWebhook({ payload, headers: signed.body.headers, publicKeys: [jwk], now: nowSeconds() });
    expect(kit).toMatchObject({ valid: true, webhookId: signed.body.webhookId });

    const body = {
      payload,
      scheme: 'standard-webhooks',
      webhookId: signed.body.webhookId,
      webhookTimestamp: String(signed.body.timestamp),
    };
    expect((await service.verifySignature(acct, { ...body, header: signed.body.header })).body).toEqual({ valid: true, code: 'VALID' });
    expect((await service.verifySignature(acct, { ...body, payload: 'other', header: signed.body.header })).body.code).toBe(
      'NO_MATCHING_SIGNATURE',
    );
  });

  it('during a rotation lists and signs with both keys; afterwards only the new one; a revoked key is gone', async () => {
    const { acct, owner, keyId, gen } = await ed25519Account();
    const rotated = await owner.regenerate(acct, keyId, { oldKeyExpiresIn: 'PT1H' });
    expect(rotated.status).toBe(201);
    expect(rotated.body.secret).toMatch(WHPK);
    expect(rotated.body.secret).not.toBe(gen.body.secret);
    expect(rotated.body.key).toMatchObject({ algorithm: 'ed25519', publicKey: rotated.body.secret });
    const during = (await jwks(acct)).body.keys as Ed25519Jwk[];
    expect(during.map((k) => k.kid).sort()).toEqual([`${keyId}.1`, `${keyId}.2`]);

    const payload = 'rotating';
    const signed = await service.sign(acct, { payload, scheme: 'standard-webhooks' });
    const entries = (signed.body.header as string).split(' ');
    expect(entries).toHaveLength(2);
    // Each published key verifies exactly one of the two entries.
    for (const jwk of during) expect(entries.filter((e) => edVerifies(jwk, signed.body.headers, payload, e))).toHaveLength(1);

    await owner.regenerate(acct, keyId, { oldKeyExpiresIn: 'now' });
    expect(((await jwks(acct)).body.keys as Ed25519Jwk[]).map((k) => k.kid)).toEqual([`${keyId}.3`]);
    expect((await owner.revoke(acct, keyId)).status).toBe(200);
    expect((await jwks(acct)).body).toEqual({ keys: [] });
    const none = await service.sign(acct, { payload, scheme: 'standard-webhooks' });
    expect([none.status, none.body.code]).toEqual([409, 'NO_SIGNING_KEY']);
  });

  it('an account with an HMAC and an ed25519 standard-webhooks key signs v1 and v1a in one header; the JWKS lists only the ed25519 key', async () => {
    const { acct, owner, keyId } = await ed25519Account();
    const hmac = await owner.generate(acct, { kind: 'signing', scheme: 'standard-webhooks' });
    const signed = await service.sign(acct, { payload: 'both', scheme: 'standard-webhooks' });
    expect(signed.body.signatures).toBe(2);
    expect(
      (signed.body.header as string)
        .split(' ')
        .map((e) => e.split(',')[0])
        .sort(),
    ).toEqual(['v1', 'v1a']);
    const kit = verifyStandardWebhook({ payload: 'both', headers: signed.body.headers, secrets: hmac.body.secret, now: nowSeconds() });
    expect(kit.valid).toBe(true);
    expect(((await jwks(acct)).body.keys as Ed25519Jwk[]).map((k) => k.kid)).toEqual([`${keyId}.1`]);
  });
});
