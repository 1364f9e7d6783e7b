/**
 * Signing over HTTP (issue 3): the service signs with every valid signing secret of the account,
 * so a rotation's grace period has no gap for receivers, and verifies headers with a code.
 * Receivers' side is checked with @cs/signature, the code merchants use, and the revealed secret.
 */
import { randomBytes } from 'node:crypto';
import { parseSignatureHeader, signPayload, verifySignatureHeader } from '@cs/signature';
import { bearer, Client, eventually, request, startTestApp, uniqueAccount, actorToken, type TestApp } from '../support';

const now = (): number => Math.floor(Date.now() / 1000);

describe('signatures over HTTP', () => {
  let app: TestApp;
  let service: Client;
  beforeAll(async () => {
    app = await startTestApp();
    service = Client.service(app.url);
  });
  afterAll(async () => {
    await app?.close();
  });

  async function signingAccount() {
    const acct = uniqueAccount();
    const owner = await Client.actor(app.url, { acct });
    const gen = await owner.generate(acct, { kind: 'signing' });
    expect(gen.status).toBe(201);
    const keyId = gen.body.key.id as string;
    const revealed = (await owner.reveal(acct, keyId)).body.secret as string;
    expect(revealed).toBe(gen.body.secret);
    return { acct, owner, keyId, secret: revealed };
  }
  const v1Count = (header: string): number => {
    const parsed = parseSignatureHeader(header);
    if (!parsed.ok) throw new Error(`malformed header ${header}`);
    return parsed.signatures.length;
  };
  const receiverVerifies = (payload: string | Buffer, header: string, secret: string) =>
    verifySignatureHeader({ payload, header, secrets: secret, now: now() }).code;

  describe('POST /v1/accounts/{a}/signatures', () => {
    it('signs a JSON { payload } so the receiver verifies it with the revealed secret', async () => {
      const { acct, keyId, secret } = await signingAccount();
      const payload = JSON.stringify({ amount: 1250, currency: 'EUR', note: 'café ✓' });
      const res = await service.sign(acct, { payload });
      expect(res.status).toBe(200);
      expect(res.body.header).toMatch(/^t=\d+,v1=[0-9a-f]{64}$/);
      expect(res.body).toMatchObject({ keyIds: [keyId], signatures: 1 });
      expect(Math.abs(res.body.timestamp - now())).toBeLessThanOrEqual(2);
      expect(res.body.header.startsWith(`t=${res.body.timestamp},`)).toBe(true);
      expect(receiverVerifies(payload, res.body.header, secret)).toBe('VALID');
      expect(receiverVerifies(payload + ' ', res.body.header, secret)).toBe('NO_MATCHING_SIGNATURE');
      expect(res.text).not.toContain(secret);
    });

    it('signs raw application/octet-stream bytes exactly (not valid UTF-8)', async () => {
      const { acct, secret } = await signingAccount();
      const bytes = Buffer.concat([Buffer.from([0xff, 0xfe, 0x00, 0x80]), randomBytes(512)]);
      const res = await service.signRaw(acct, bytes);
      expect(res.status).toBe(200);
      expect(res.body.header).toMatch(/^t=\d+,v1=[0-9a-f]{64}$/);
      expect(receiverVerifies(bytes, res.body.header, secret)).toBe('VALID');
      expect(receiverVerifies(Buffer.from(bytes.toString('utf8'), 'utf8'), res.body.header, secret)).toBe('NO_MATCHING_SIGNATURE');
    });

    it('signs a base64 payload as its decoded bytes', async () => {
      const { acct, secret } = await signingAccount();
      const bytes = randomBytes(64);
      const res = await service.sign(acct, { payload: bytes.toString('base64'), payloadEncoding: 'base64' });
      expect(res.status).toBe(200);
      expect(receiverVerifies(bytes, res.body.header, secret)).toBe('VALID');
      const bad = await service.sign(acct, { payload: 'not base64 !!', payloadEncoding: 'base64' });
      expect(bad.status).toBe(400);
    });

    it('rotation with PT1H: two v1 values, each secret alone verifies; after "now" only the new one', async () => {
      const { acct, owner, keyId, secret: oldSecret } = await signingAccount();
      const rotated = await owner.regenerate(acct, keyId, { oldKeyExpiresIn: 'PT1H' });
      expect(rotated.status).toBe(201);
      const newSecret = rotated.body.secret as string;
      const payload = '{"event":"payment.succeeded"}';
      const during = await service.sign(acct, { payload });
      expect(during.body.signatures).toBe(2);
      expect(v1Count(during.body.header)).toBe(2);
      expect(receiverVerifies(payload, during.body.header, oldSecret)).toBe('VALID');
      expect(receiverVerifies(payload, during.body.header, newSecret)).toBe('VALID');
      expect((await service.verifySignature(acct, { payload, header: during.body.header })).body).toEqual({ valid: true, code: 'VALID' });

      const ended = await owner.regenerate(acct, keyId, { oldKeyExpiresIn: 'now' });
      const newest = ended.body.secret as string;
      const after = await service.sign(acct, { payload });
      expect(after.body.signatures).toBe(1);
      expect(v1Count(after.body.header)).toBe(1);
      expect(receiverVerifies(payload, after.body.header, newest)).toBe('VALID');
      expect(receiverVerifies(payload, after.body.header, newSecret)).toBe('NO_MATCHING_SIGNATURE');
      expect(receiverVerifies(payload, after.body.header, oldSecret)).toBe('NO_MATCHING_SIGNATURE');
      // A header made with a secret that is no longer valid is refused by the service too.
      const stale = signPayload({ payload, secrets: [newSecret], timestamp: now() });
      expect((await service.verifySignature(acct, { payload, header: stale })).body).toEqual({
        valid: false,
        code: 'NO_MATCHING_SIGNATURE',
      });
    });

    it('signs with every active signing key of the account, never with an API key or a revoked key', async () => {
      const { acct, owner, keyId, secret } = await signingAccount();
      const second = await owner.generate(acct, { kind: 'signing' });
      await owner.generate(acct, { kind: 'api' });
      const both = await service.sign(acct, { payload: 'x' });
      expect(both.body.signatures).toBe(2);
      expect([...both.body.keyIds].sort()).toEqual([keyId, second.body.key.id].sort());
      await owner.revoke(acct, second.body.key.id);
      const one = await service.sign(acct, { payload: 'x' });
      expect(one.body.keyIds).toEqual([keyId]);
      expect(receiverVerifies('x', one.body.header, secret)).toBe('VALID');
      expect(receiverVerifies('x', one.body.header, second.body.secret)).toBe('NO_MATCHING_SIGNATURE');
    });

    it('without a signing key: 409 NO_SIGNING_KEY (none, only API keys, only revoked or expired ones)', async () => {
      const empty = uniqueAccount();
      const none = await service.sign(empty, { payload: 'x' });
      expect(none.status).toBe(409);
      expect(none.body.code).toBe('NO_SIGNING_KEY');

      const acct = uniqueAccount();
      const owner = await Client.actor(app.url, { acct });
      await owner.generate(acct, { kind: 'api' });
      expect((await service.sign(acct, { payload: 'x' })).body.code).toBe('NO_SIGNING_KEY');
      const revoked = await owner.generate(acct, { kind: 'signing' });
      await owner.revoke(acct, revoked.body.key.id);
      const expired = await owner.generate(acct, { kind: 'signing' });
      await owner.setExpiry(acct, expired.body.key.id, { expiresAt: '2001-01-01T00:00:00Z' });
      const res = await service.signRaw(acct, Buffer.from('x'));
      expect(res.status).toBe(409);
      expect(res.body.code).toBe('NO_SIGNING_KEY');
    });

    it('bad bodies are 400', async () => {
      const { acct } = await signingAccount();
      for (const body of [{}, { payload: 1 }, { payload: 'x', payloadEncoding: 'hex' }, { payload: 'x', extra: 1 }]) {
        expect((await service.sign(acct, body)).status).toBe(400);
      }
    });
  });

  describe('POST /v1/accounts/{a}/signatures/verify', () => {
    it('VALID for a header the service made, as JSON and as raw bytes with X-Signature', async () => {
      const { acct } = await signingAccount();
      const bytes = randomBytes(100);
      const signed = await service.signRaw(acct, bytes);
      const json = await service.verifySignature(acct, {
        payload: bytes.toString('base64'),
        payloadEncoding: 'base64',
        header: signed.body.header,
      });
      expect(json.status).toBe(200);
      expect(json.body).toEqual({ valid: true, code: 'VALID' });
      const raw = await service.call('POST', `/v1/accounts/${acct}/signatures/verify`, {
        raw: bytes,
        contentType: 'application/octet-stream',
        headers: { 'x-signature': signed.body.header },
      });
      expect(raw.body).toEqual({ valid: true, code: 'VALID' });
      const noHeader = await service.call('POST', `/v1/accounts/${acct}/signatures/verify`, {
        raw: bytes,
        contentType: 'application/octet-stream',
      });
      expect(noHeader.status).toBe(400);
    });

    it('MALFORMED_HEADER for garbage headers', async () => {
      const { acct } = await signingAccount();
      for (const header of ['', 'garbage', 't=abc,v1=00', `t=${now()}`, `v1=${'a'.repeat(64)}`, `t=${now()},v1=xyz`]) {
        const res = await service.verifySignature(acct, { payload: 'x', header });
        expect([header, res.status, res.body.code]).toEqual([header, 200, 'MALFORMED_HEADER']);
        expect(res.body.valid).toBe(false);
      }
    });

    it('TIMESTAMP_OUTSIDE_TOLERANCE for an authentic but old header; a custom toleranceSeconds accepts it', async () => {
      const { acct, secret } = await signingAccount();
      const payload = 'late delivery';
      const old = signPayload({ payload, secrets: [secret], timestamp: now() - 1000 });
      expect((await service.verifySignature(acct, { payload, header: old })).body).toEqual({
        valid: false,
        code: 'TIMESTAMP_OUTSIDE_TOLERANCE',
      });
      expect((await service.verifySignature(acct, { payload, header: old, toleranceSeconds: 2000 })).body).toEqual({
        valid: true,
        code: 'VALID',
      });
      expect((await service.verifySignature(acct, { payload, header: old, toleranceSeconds: 500 })).body.code).toBe(
        'TIMESTAMP_OUTSIDE_TOLERANCE',
      );
      const future = signPayload({ payload, secrets: [secret], timestamp: now() + 1000 });
      expect((await service.verifySignature(acct, { payload, header: future })).body.code).toBe('TIMESTAMP_OUTSIDE_TOLERANCE');
      // The same over the raw transport, with the tolerance as a query parameter.
      const path = `/v1/accounts/${acct}/signatures/verify`;
      const raw = (query: string) =>
        service.call('POST', `${path}${query}`, {
          raw: Buffer.from(payload),
          contentType: 'application/octet-stream',
          headers: { 'x-signature': old },
        });
      expect((await raw('')).body.code).toBe('TIMESTAMP_OUTSIDE_TOLERANCE');
      expect((await raw('?toleranceSeconds=2000')).body.code).toBe('VALID');
      expect((await raw('?toleranceSeconds=-1')).status).toBe(400);
      expect((await raw('?toleranceSeconds=abc')).status).toBe(400);
      // Bad tolerances in JSON are 400 too; null is refused like any other optional field (it was a 500, found by Schemathesis).
      for (const toleranceSeconds of [-1, 1.5, 86_401, '60', null]) {
        expect((await service.verifySignature(acct, { payload, header: old, toleranceSeconds })).status).toBe(400);
      }
      expect((await service.verifySignature(acct, { payload, header: old, payloadEncoding: null })).status).toBe(400);
    });

    it('NO_MATCHING_SIGNATURE for a forged header or a changed payload', async () => {
      const { acct, secret } = await signingAccount();
      const forged = signPayload({ payload: 'x', secrets: ['sig_live_someone_elses_secret'], timestamp: now() });
      expect((await service.verifySignature(acct, { payload: 'x', header: forged })).body).toEqual({
        valid: false,
        code: 'NO_MATCHING_SIGNATURE',
      });
      const genuine = signPayload({ payload: 'x', secrets: [secret], timestamp: now() });
      expect((await service.verifySignature(acct, { payload: 'y', header: genuine })).body.code).toBe('NO_MATCHING_SIGNATURE');
      // An old, forged header still says NO_MATCHING_SIGNATURE, never TIMESTAMP_OUTSIDE_TOLERANCE.
      const oldForged = signPayload({ payload: 'x', secrets: ['nope'], timestamp: now() - 5000 });
      expect((await service.verifySignature(acct, { payload: 'x', header: oldForged })).body.code).toBe('NO_MATCHING_SIGNATURE');
    });

    it('NO_SIGNING_KEY for an account without signing keys', async () => {
      const acct = uniqueAccount();
      const header = signPayload({ payload: 'x', secrets: ['whatever'], timestamp: now() });
      expect((await service.verifySignature(acct, { payload: 'x', header })).body).toEqual({ valid: false, code: 'NO_SIGNING_KEY' });
    });
  });

  it('an account holds at most 8 active signing keys, so a header never exceeds 16 signatures', async () => {
    const { acct, owner, keyId } = await signingAccount();
    const ids = [keyId];
    for (let i = 1; i < 8; i++) ids.push((await owner.generate(acct, { kind: 'signing' })).body.key.id);
    const ninth = await owner.generate(acct, { kind: 'signing' });
    expect([ninth.status, ninth.body.code]).toEqual([409, 'TOO_MANY_KEYS']);
    for (const id of ids) await owner.regenerate(acct, id, { oldKeyExpiresIn: 'PT1H' });
    const signed = await service.call('POST', `/v1/accounts/${acct}/signatures`, { json: { payload: 'x' } });
    expect(signed.status).toBe(200);
    expect(v1Count(signed.body.header)).toBe(16);
    await owner.revoke(acct, ids[0]);
    expect((await owner.generate(acct, { kind: 'signing' })).status).toBe(201);
    // API keys are not limited by this.
    expect((await owner.generate(acct, { kind: 'api' })).status).toBe(201);
  });

  describe('the 8-signing-key cap holds under concurrency', () => {
    const activeSigningIds = async (owner: Client, acct: string): Promise<string[]> =>
      (await owner.list(acct)).body.keys.filter((k: any) => k.kind === 'signing' && k.status === 'active').map((k: any) => k.id as string);

    it('20 concurrent signing-key generates on one account: exactly 8 are created, the other 12 are 409 TOO_MANY_KEYS', async () => {
      const acct = uniqueAccount();
      const owner = await Client.actor(app.url, { acct });
      const answers = await Promise.all(Array.from({ length: 20 }, () => owner.generate(acct, { kind: 'signing' })));
      const created = answers.filter((a) => a.status === 201);
      const refused = answers.filter((a) => a.status !== 201);
      expect(created).toHaveLength(8);
      // Every lost race is a reservation someone else made, so a loser retries until the account is
      // full and is then refused for the business reason, never for the race.
      expect(refused.map((a) => [a.status, a.body.code])).toEqual(Array.from({ length: 12 }, () => [409, 'TOO_MANY_KEYS']));
      const createdIds = created.map((a) => a.body.key.id as string).sort();
      expect((await activeSigningIds(owner, acct)).sort()).toEqual(createdIds);
      // Every created key signs: the header carries all 8, none dropped.
      const signed = await service.sign(acct, { payload: 'x' });
      expect(signed.status).toBe(200);
      expect(v1Count(signed.body.header)).toBe(8);
      expect([...signed.body.keyIds].sort()).toEqual(createdIds);
      // The account's audit trail holds key events only (the slot reservations are internal).
      const trail = await owner.call('GET', `/v1/accounts/${acct}/history?limit=100`);
      expect(trail.status).toBe(200);
      expect(new Set(trail.body.events.map((e: any) => e.type))).toEqual(new Set(['KeyGenerated']));
      expect(trail.body.events).toHaveLength(8);
    });

    it('two service instances on one store: 20 concurrent generates split between them still create exactly 8', async () => {
      // A second instance on the same store (the same SQLite file, or the same EventStoreDB and Redis):
      // its read model lags the first one's writes, so only the store can enforce the cap.
      const second = await startTestApp(app.env, { dataDir: app.dataDir });
      try {
        const acct = uniqueAccount();
        const owners = [await Client.actor(app.url, { acct }), await Client.actor(second.url, { acct })];
        const answers = await Promise.all(Array.from({ length: 20 }, (_, i) => owners[i % 2].generate(acct, { kind: 'signing' })));
        expect(answers.filter((a) => a.status === 201)).toHaveLength(8);
        expect(answers.filter((a) => a.status !== 201).map((a) => [a.status, a.body.code])).toEqual(
          Array.from({ length: 12 }, () => [409, 'TOO_MANY_KEYS']),
        );
        const created = answers
          .filter((a) => a.status === 201)
          .map((a) => a.body.key.id as string)
          .sort();
        const listed = await eventually(async () => {
          const ids = await activeSigningIds(owners[1], acct);
          return ids.length === 8 ? ids : null;
        });
        expect(listed.sort()).toEqual(created);
        expect(await activeSigningIds(owners[0], acct)).toHaveLength(8);
      } finally {
        await second.close({ keepData: true });
      }
    });

    it('a full account: concurrent generates after one revoke create exactly one key', async () => {
      const acct = uniqueAccount();
      const owner = await Client.actor(app.url, { acct });
      const ids: string[] = [];
      for (let i = 0; i < 8; i++) ids.push((await owner.generate(acct, { kind: 'signing' })).body.key.id);
      expect((await owner.revoke(acct, ids[3])).status).toBe(200);
      const answers = await Promise.all(Array.from({ length: 6 }, () => owner.generate(acct, { kind: 'signing' })));
      expect(answers.map((a) => a.status).sort()).toEqual([201, 409, 409, 409, 409, 409]);
      for (const lost of answers.filter((a) => a.status === 409)) expect(lost.body.code).toBe('TOO_MANY_KEYS');
      expect(await activeSigningIds(owner, acct)).toHaveLength(8);
    });

    it('an expired signing key frees its slot, and regenerating it back to life needs a free slot again', async () => {
      const acct = uniqueAccount();
      const owner = await Client.actor(app.url, { acct });
      const ids: string[] = [];
      for (let i = 0; i < 8; i++) ids.push((await owner.generate(acct, { kind: 'signing' })).body.key.id);
      expect((await owner.setExpiry(acct, ids[0], { expiresAt: new Date(Date.now() - 1000).toISOString() })).status).toBe(200);
      expect((await owner.generate(acct, { kind: 'signing' })).status).toBe(201);
      // Eight are active again: the expired key cannot come back beside them.
      const revived = await owner.regenerate(acct, ids[0], { oldKeyExpiresIn: 'now' });
      expect([revived.status, revived.body.code]).toEqual([409, 'TOO_MANY_KEYS']);
      expect(await activeSigningIds(owner, acct)).toHaveLength(8);
      // Regenerating an active signing key takes no new slot.
      expect((await owner.regenerate(acct, ids[1], { oldKeyExpiresIn: 'PT1H' })).status).toBe(201);
      expect((await owner.revoke(acct, ids[2])).status).toBe(200);
      expect((await owner.regenerate(acct, ids[0], { oldKeyExpiresIn: 'now' })).status).toBe(201);
      expect(await activeSigningIds(owner, acct)).toHaveLength(8);
    });
  });

  it('both endpoints need the service credential, not an actor token', async () => {
    const { acct } = await signingAccount();
    const actor = bearer(await actorToken({ acct, roles: ['owner'] }));
    for (const headers of [{}, actor, bearer('wrong-service-token-000000000000')]) {
      const sign = await request(app.url, 'POST', `/v1/accounts/${acct}/signatures`, { json: { payload: 'x' }, headers });
      expect(sign.status).toBe(401);
      const verify = await request(app.url, 'POST', `/v1/accounts/${acct}/signatures/verify`, {
        json: { payload: 'x', header: 't=1,v1=00' },
        headers,
      });
      expect(verify.status).toBe(401);
    }
  });
});
