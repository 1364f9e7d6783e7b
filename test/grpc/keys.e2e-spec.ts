/**
 * credentials.v1.KeyService over gRPC, call by call, as a client sees it, and parity with the
 * JSON API: the same keys, views, history and verify answers whichever transport made the change.
 */
import { Client, startTestApp, uniqueAccount, randomKeyId, type TestApp } from '../support';
import { actorMetadata, failure, GrpcClients, Status } from './grpc-client';

const KEY_ID = /^key_[0-9A-Za-z]{24}$/;

/** google.protobuf.Struct as proto-loader decodes it (`{ fields: { name: { stringValue } } }`) → the JSON object. */
function structJson(struct: { fields: Record<string, any> }): Record<string, unknown> {
  const value = (v: any): unknown =>
    v.kind === 'nullValue'
      ? null
      : v.kind === 'structValue'
        ? structJson(v.structValue)
        : v.kind === 'listValue'
          ? (v.listValue.values ?? []).map(value)
          : v[v.kind];
  return Object.fromEntries(Object.entries(struct.fields ?? {}).map(([name, v]) => [name, value(v)]));
}
const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/;

describe('credentials.v1.KeyService over gRPC', () => {
  let app: TestApp;
  let grpc: GrpcClients;
  let http: Client;

  beforeAll(async () => {
    app = await startTestApp();
    grpc = new GrpcClients(app.service.grpcUrl);
    http = Client.service(app.url);
  });
  afterAll(async () => {
    grpc?.close();
    await app?.close();
  });

  const verifyCode = async (key: string, ip?: string): Promise<string> =>
    (await grpc.verify('VerifyKey', ip === undefined ? { key } : { key, ip })).code;

  async function newKey(request: Record<string, unknown> = { kind: 'KEY_KIND_API' }) {
    const acct = uniqueAccount();
    const md = await actorMetadata({ acct, sub: 'user_grpc' });
    const answer = await grpc.key('GenerateKey', { accountId: acct, ...request }, md);
    return { acct, md, id: answer.key.id as string, secret: answer.secret as string, key: answer.key };
  }

  describe('GenerateKey', () => {
    it('answers the KeyView and the secret; the key verifies', async () => {
      const acct = uniqueAccount();
      const md = await actorMetadata({ acct, sub: 'user_gen' });
      const { key, secret } = await grpc.key('GenerateKey', { accountId: acct, kind: 'KEY_KIND_API', name: 'Checkout widget' }, md);
      expect(secret).toMatch(/^ak_live_[0-9A-Za-z]{49}$/);
      expect(key).toMatchObject({
        accountId: acct,
        kind: 'KEY_KIND_API',
        name: 'Checkout widget',
        status: 'KEY_STATUS_ACTIVE',
        createdBy: 'user_gen',
        previous: null,
        allowedIps: [],
        webhookFormat: 'WEBHOOK_FORMAT_SINGLE',
      });
      expect(key.expiresAt).toBeUndefined();
      expect(key.id).toMatch(KEY_ID);
      expect(key.createdAt).toMatch(ISO);
      expect(typeof key.version).toBe('number');
      expect(secret.startsWith(key.start)).toBe(true);
      expect(await verifyCode(secret)).toBe('VERIFY_CODE_VALID');
    });

    it('signing keys get a default name, the chosen webhook format, canonical allowed IPs', async () => {
      const { key, secret } = await newKey({
        kind: 'KEY_KIND_SIGNING',
        webhookFormat: 'WEBHOOK_FORMAT_MULTIPLE',
        allowedIps: [' 10.0.0.0/8 ', '::ffff:203.0.113.7'],
      });
      expect(secret).toMatch(/^sig_live_/);
      expect(key).toMatchObject({ kind: 'KEY_KIND_SIGNING', name: 'Signing key', webhookFormat: 'WEBHOOK_FORMAT_MULTIPLE' });
      expect(key.allowedIps).toEqual(['10.0.0.0/8', '203.0.113.7']);
    });

    it('the same input errors as HTTP: bad IPs, empty name, unspecified kind are INVALID_ARGUMENT', async () => {
      const acct = uniqueAccount();
      const md = await actorMetadata({ acct });
      const badIp = await failure(grpc.key('GenerateKey', { accountId: acct, kind: 'KEY_KIND_API', allowedIps: ['300.1.1.1'] }, md));
      expect(badIp.code).toBe(Status.INVALID_ARGUMENT);
      expect(badIp.details).toContain('entry 0: not a valid IPv4 or IPv6 address');
      expect(badIp.details).not.toContain('300.1.1.1');
      const httpBadIp = await (await Client.actor(app.url, { acct })).generate(acct, { kind: 'api', allowedIps: ['300.1.1.1'] });
      expect(httpBadIp.status).toBe(400);
      const emptyName = await failure(grpc.key('GenerateKey', { accountId: acct, kind: 'KEY_KIND_API', name: '' }, md));
      expect(emptyName.code).toBe(Status.INVALID_ARGUMENT);
      expect(emptyName.details).toMatch(/name/);
      const noKind = await failure(grpc.key('GenerateKey', { accountId: acct }, md));
      expect(noKind.code).toBe(Status.INVALID_ARGUMENT);
      expect(noKind.details).toBe('kind must be KEY_KIND_API, KEY_KIND_SIGNING or KEY_KIND_PUBLISHABLE');
      expect(noKind.trailers['error-code']).toEqual(['VALIDATION_FAILED']);
    });
  });

  describe('ListKeys and GetKey', () => {
    it("list shows only the actor's account, never a secret; get answers one KeyView", async () => {
      const { acct, md, id, secret } = await newKey();
      await grpc.key('GenerateKey', { accountId: acct, kind: 'KEY_KIND_SIGNING' }, md);
      await newKey(); // another account's key
      const { keys } = await grpc.key('ListKeys', { accountId: acct }, md);
      expect(keys).toHaveLength(2);
      expect(keys.map((k: any) => k.accountId)).toEqual([acct, acct]);
      expect(JSON.stringify(keys)).not.toContain(secret);
      const one = await grpc.key('GetKey', { accountId: acct, keyId: id }, md);
      expect(one).toEqual(keys.find((k: any) => k.id === id));
    });

    it('an account with no keys lists nothing; an unknown id is NOT_FOUND', async () => {
      const acct = uniqueAccount();
      const md = await actorMetadata({ acct });
      expect((await grpc.key('ListKeys', { accountId: acct }, md)).keys).toEqual([]);
      const missing = await failure(grpc.key('GetKey', { accountId: acct, keyId: randomKeyId() }, md));
      expect(missing.code).toBe(Status.NOT_FOUND);
      expect(missing.trailers['error-code']).toEqual(['KEY_NOT_FOUND']);
    });

    it('the KeyView over gRPC carries the same values as over HTTP', async () => {
      const { acct, id } = await newKey({ kind: 'KEY_KIND_API', name: 'parity', allowedIps: ['203.0.113.0/24'] });
      const md = await actorMetadata({ acct });
      await grpc.key('RegenerateKey', { accountId: acct, keyId: id, oldKeyExpiresIn: 'PT1H' }, md);
      const viaGrpc = await grpc.key('GetKey', { accountId: acct, keyId: id }, md);
      const viaHttp = (await (await Client.actor(app.url, { acct })).get(acct, id)).body;
      expect(viaGrpc).toEqual({
        id: viaHttp.id,
        accountId: viaHttp.accountId,
        kind: 'KEY_KIND_API',
        name: viaHttp.name,
        start: viaHttp.start,
        status: 'KEY_STATUS_ACTIVE',
        createdAt: viaHttp.createdAt,
        createdBy: viaHttp.createdBy,
        updatedAt: viaHttp.updatedAt,
        previous: viaHttp.previous,
        allowedIps: viaHttp.allowedIps,
        webhookFormat: 'WEBHOOK_FORMAT_SINGLE',
        version: viaHttp.version,
        permissions: viaHttp.permissions,
        metadata: { fields: {} },
        // A repeated field: empty over gRPC, where the JSON API leaves it out for keys that are not publishable.
        allowedOrigins: [],
      });
      expect(viaHttp).toMatchObject({ permissions: [], metadata: {}, externalId: null });
      expect(viaHttp.allowedOrigins).toBeUndefined();
      expect(viaGrpc.previous.expiresAt).toMatch(ISO);
    });
  });

  describe('RegenerateKey', () => {
    it('with "now": the old secret stops at once, the new one verifies', async () => {
      const { acct, md, id, secret } = await newKey();
      const answer = await grpc.key('RegenerateKey', { accountId: acct, keyId: id, oldKeyExpiresIn: 'now' }, md);
      expect(answer.key.id).toBe(id);
      expect(answer.key.previous).toBeNull();
      expect(answer.secret).not.toBe(secret);
      expect(await verifyCode(secret)).not.toBe('VERIFY_CODE_VALID');
      expect(await verifyCode(answer.secret)).toBe('VERIFY_CODE_VALID');
    });

    it('with "PT1H": both secrets verify and previous shows the old start and its expiry', async () => {
      const { acct, md, id, secret, key } = await newKey();
      const before = Date.now();
      const answer = await grpc.key('RegenerateKey', { accountId: acct, keyId: id, oldKeyExpiresIn: 'PT1H' }, md);
      expect(answer.key.previous.start).toBe(key.start);
      const expiry = Date.parse(answer.key.previous.expiresAt);
      expect(expiry).toBeGreaterThanOrEqual(before + 3_600_000 - 1000);
      expect(expiry).toBeLessThanOrEqual(Date.now() + 3_600_000 + 1000);
      expect(await verifyCode(secret)).toBe('VERIFY_CODE_VALID');
      expect(await verifyCode(answer.secret)).toBe('VERIFY_CODE_VALID');
    });

    it('with old_key_expires_at: the old secret expires at that time', async () => {
      const { acct, md, id } = await newKey();
      const answer = await grpc.key('RegenerateKey', { accountId: acct, keyId: id, oldKeyExpiresAt: '2099-01-01T00:00:00Z' }, md);
      expect(answer.key.previous.expiresAt).toBe('2099-01-01T00:00:00.000Z');
    });

    it('bad durations and times, or neither, are INVALID_ARGUMENT; an unknown key is NOT_FOUND', async () => {
      const { acct, md, id } = await newKey();
      // Each refusal names the field that is wrong (in proto spelling), not either of the two.
      const badDuration = /^old_key_expires_in must be an ISO-8601 duration/;
      const cases: [Record<string, unknown>, RegExp | string][] = [
        [{ oldKeyExpiresIn: 'soon' }, badDuration],
        [{ oldKeyExpiresIn: '' }, badDuration],
        [{ oldKeyExpiresIn: 'P-1D' }, badDuration],
        [{ oldKeyExpiresAt: 'tomorrow' }, /^old_key_expires_at must be an ISO-8601 date-time/],
        [{}, 'give old_key_expires_in ("now" or an ISO-8601 duration such as PT1H) or old_key_expires_at'],
      ];
      for (const [request, details] of cases) {
        const error = await failure(grpc.key('RegenerateKey', { accountId: acct, keyId: id, ...request }, md));
        expect([request, error.code]).toEqual([request, Status.INVALID_ARGUMENT]);
        if (typeof details === 'string') expect(error.details).toContain(details);
        else expect(error.details).toMatch(details);
      }
      const missing = await failure(grpc.key('RegenerateKey', { accountId: acct, keyId: randomKeyId(), oldKeyExpiresIn: 'now' }, md));
      expect(missing.code).toBe(Status.NOT_FOUND);
    });

    it('concurrent regenerates: one wins, the others are ABORTED (CONCURRENT_CHANGE), one secret valid', async () => {
      const { acct, md, id, secret } = await newKey();
      const answers = await Promise.allSettled(
        Array.from({ length: 6 }, () => grpc.key('RegenerateKey', { accountId: acct, keyId: id, oldKeyExpiresIn: 'now' }, md)),
      );
      const won = answers.filter((a): a is PromiseFulfilledResult<any> => a.status === 'fulfilled').map((a) => a.value.secret as string);
      const lost = answers.filter((a): a is PromiseRejectedResult => a.status === 'rejected').map((a) => a.reason);
      expect(won.length).toBeGreaterThanOrEqual(1);
      for (const error of lost) {
        expect(error.code).toBe(Status.ABORTED);
        expect(error.trailers['error-code']).toEqual(['CONCURRENT_CHANGE']);
      }
      const codes = await Promise.all(won.map((s) => verifyCode(s)));
      expect(codes.filter((c) => c === 'VERIFY_CODE_VALID')).toHaveLength(1);
      expect(await verifyCode(secret)).not.toBe('VERIFY_CODE_VALID');
    });
  });

  describe('SetExpiry', () => {
    it('a future expiry shows in the view and the key stays valid; clear_expiry removes it', async () => {
      const { acct, md, id, secret } = await newKey();
      const set = await grpc.key('SetExpiry', { accountId: acct, keyId: id, expiresAt: '2099-06-01T12:00:00Z' }, md);
      expect(set.expiresAt).toBe('2099-06-01T12:00:00.000Z');
      expect((await grpc.verify('VerifyKey', { key: secret })).expiresAt).toBe('2099-06-01T12:00:00.000Z');
      const cleared = await grpc.key('SetExpiry', { accountId: acct, keyId: id, clearExpiry: true }, md);
      expect(cleared.expiresAt).toBeUndefined();
      expect(await verifyCode(secret)).toBe('VERIFY_CODE_VALID');
    });

    it('a past expiry ends the key at once: EXPIRED on verify, expired in the view', async () => {
      const { acct, md, id, secret } = await newKey();
      const view = await grpc.key('SetExpiry', { accountId: acct, keyId: id, expiresAt: '2020-01-01T00:00:00Z' }, md);
      expect(view.status).toBe('KEY_STATUS_EXPIRED');
      expect(await verifyCode(secret)).toBe('VERIFY_CODE_EXPIRED');
    });

    it('the previous secret during a grace; without one FAILED_PRECONDITION (NO_PREVIOUS_SECRET)', async () => {
      const { acct, md, id, secret } = await newKey();
      const none = await failure(
        grpc.key('SetExpiry', { accountId: acct, keyId: id, expiresAt: '2099-01-01T00:00:00Z', version: 'SECRET_VERSION_PREVIOUS' }, md),
      );
      expect(none.code).toBe(Status.FAILED_PRECONDITION);
      expect(none.trailers['error-code']).toEqual(['NO_PREVIOUS_SECRET']);
      await grpc.key('RegenerateKey', { accountId: acct, keyId: id, oldKeyExpiresIn: 'PT1H' }, md);
      const ended = await grpc.key(
        'SetExpiry',
        { accountId: acct, keyId: id, expiresAt: '2020-01-01T00:00:00Z', version: 'SECRET_VERSION_PREVIOUS' },
        md,
      );
      expect(ended.previous).toBeNull();
      expect(await verifyCode(secret)).not.toBe('VERIFY_CODE_VALID');
    });

    it('neither expires_at nor clear_expiry, clear_expiry false, a time without zone, a bad version: INVALID_ARGUMENT', async () => {
      const { acct, md, id } = await newKey();
      const cases: Array<[Record<string, unknown>, RegExp]> = [
        [{}, /expires_at .* or clear_expiry/],
        [{ clearExpiry: false }, /clear_expiry must be true/],
        [{ expiresAt: '2030-01-01T00:00:00' }, /expires_at must be an ISO-8601 date-time with a time zone/],
        [{ expiresAt: 'tomorrow' }, /expires_at/],
        [{ clearExpiry: true, version: 7 }, /version must be SECRET_VERSION_CURRENT or SECRET_VERSION_PREVIOUS/],
      ];
      for (const [request, message] of cases) {
        const error = await failure(grpc.key('SetExpiry', { accountId: acct, keyId: id, ...request }, md));
        expect(error.code).toBe(Status.INVALID_ARGUMENT);
        expect(error.details).toMatch(message);
      }
    });
  });

  describe('RevealKey', () => {
    it('returns the generated secret and records KeyRevealed; the previous one during a grace', async () => {
      const { acct, md, id, secret } = await newKey({ kind: 'KEY_KIND_SIGNING' });
      expect((await grpc.key('RevealKey', { accountId: acct, keyId: id }, md)).secret).toBe(secret);
      const noPrevious = await failure(grpc.key('RevealKey', { accountId: acct, keyId: id, version: 'SECRET_VERSION_PREVIOUS' }, md));
      expect(noPrevious.code).toBe(Status.FAILED_PRECONDITION);
      const rotated = await grpc.key('RegenerateKey', { accountId: acct, keyId: id, oldKeyExpiresIn: 'PT1H' }, md);
      expect((await grpc.key('RevealKey', { accountId: acct, keyId: id, version: 'SECRET_VERSION_PREVIOUS' }, md)).secret).toBe(secret);
      expect((await grpc.key('RevealKey', { accountId: acct, keyId: id, version: 'SECRET_VERSION_CURRENT' }, md)).secret).toBe(
        rotated.secret,
      );
      const { events } = await grpc.key('GetKeyHistory', { accountId: acct, keyId: id }, md);
      expect(events.filter((e: any) => e.type === 'KeyRevealed')).toHaveLength(3);
    });

    it('an unknown key is NOT_FOUND', async () => {
      const { acct, md } = await newKey();
      expect((await failure(grpc.key('RevealKey', { accountId: acct, keyId: randomKeyId() }, md))).code).toBe(Status.NOT_FOUND);
    });
  });

  describe('UpdateKey', () => {
    it('changes name, allowed IPs (in force on verify at once) and webhook format; absent fields stay', async () => {
      const { acct, md, id, secret } = await newKey({ kind: 'KEY_KIND_API', name: 'before' });
      const renamed = await grpc.key('UpdateKey', { accountId: acct, keyId: id, name: 'after' }, md);
      expect(renamed).toMatchObject({ name: 'after', allowedIps: [], webhookFormat: 'WEBHOOK_FORMAT_SINGLE' });
      const restricted = await grpc.key('UpdateKey', { accountId: acct, keyId: id, allowedIps: { ips: ['203.0.113.7'] } }, md);
      expect(restricted).toMatchObject({ name: 'after', allowedIps: ['203.0.113.7'] });
      expect(await verifyCode(secret, '198.51.100.1')).toBe('VERIFY_CODE_IP_NOT_ALLOWED');
      expect(await verifyCode(secret, '203.0.113.7')).toBe('VERIFY_CODE_VALID');
      const format = await grpc.key('UpdateKey', { accountId: acct, keyId: id, webhookFormat: 'WEBHOOK_FORMAT_MULTIPLE' }, md);
      expect(format).toMatchObject({ allowedIps: ['203.0.113.7'], webhookFormat: 'WEBHOOK_FORMAT_MULTIPLE' });
      // A present, empty allow-list removes the restriction (the JSON API's `allowedIps: []`).
      const open = await grpc.key('UpdateKey', { accountId: acct, keyId: id, allowedIps: {} }, md);
      expect(open.allowedIps).toEqual([]);
      expect(await verifyCode(secret)).toBe('VERIFY_CODE_VALID');
    });

    it('nothing to change, bad IPs, an explicit UNSPECIFIED format: INVALID_ARGUMENT; unknown key NOT_FOUND', async () => {
      const { acct, md, id } = await newKey();
      const empty = await failure(grpc.key('UpdateKey', { accountId: acct, keyId: id }, md));
      expect(empty.code).toBe(Status.INVALID_ARGUMENT);
      expect(empty.details).toBe(
        'give at least one of name, allowed_ips, webhook_format, permissions, metadata, external_id, allowed_origins',
      );
      const badIps = await failure(grpc.key('UpdateKey', { accountId: acct, keyId: id, allowedIps: { ips: ['10.0.0.0/33'] } }, md));
      expect(badIps.code).toBe(Status.INVALID_ARGUMENT);
      const unspecified = await failure(
        grpc.key('UpdateKey', { accountId: acct, keyId: id, webhookFormat: 'WEBHOOK_FORMAT_UNSPECIFIED' }, md),
      );
      expect(unspecified.code).toBe(Status.INVALID_ARGUMENT);
      expect(unspecified.details).toMatch(/webhook_format must be/);
      const tooMany = await failure(
        grpc.key(
          'UpdateKey',
          { accountId: acct, keyId: id, allowedIps: { ips: Array.from({ length: 101 }, (_, i) => `10.0.0.${i % 250}`) } },
          md,
        ),
      );
      expect(tooMany.code).toBe(Status.INVALID_ARGUMENT);
      expect(tooMany.details).toMatch(/allowed_ips/);
      expect((await failure(grpc.key('UpdateKey', { accountId: acct, keyId: randomKeyId(), name: 'x' }, md))).code).toBe(Status.NOT_FOUND);
    });
  });

  describe('RevokeKey', () => {
    it('VerifyKey says REVOKED when the call returns; revoking again or regenerating is FAILED_PRECONDITION', async () => {
      const { acct, md, id, secret } = await newKey();
      const revoked = await grpc.key('RevokeKey', { accountId: acct, keyId: id, reason: 'leaked' }, md);
      expect(revoked.status).toBe('KEY_STATUS_REVOKED');
      expect(await verifyCode(secret)).toBe('VERIFY_CODE_REVOKED');
      expect((await http.verify({ key: secret })).body.code).toBe('REVOKED');
      const again = await failure(grpc.key('RevokeKey', { accountId: acct, keyId: id }, md));
      expect(again.code).toBe(Status.FAILED_PRECONDITION);
      expect(again.trailers['error-code']).toEqual(['KEY_REVOKED']);
      const regenerate = await failure(grpc.key('RegenerateKey', { accountId: acct, keyId: id, oldKeyExpiresIn: 'now' }, md));
      expect(regenerate.code).toBe(Status.FAILED_PRECONDITION);
    });

    it('a reason over 200 characters is INVALID_ARGUMENT; an unknown key is NOT_FOUND', async () => {
      const { acct, md, id } = await newKey();
      expect((await failure(grpc.key('RevokeKey', { accountId: acct, keyId: id, reason: 'x'.repeat(201) }, md))).code).toBe(
        Status.INVALID_ARGUMENT,
      );
      expect((await failure(grpc.key('RevokeKey', { accountId: acct, keyId: randomKeyId() }, md))).code).toBe(Status.NOT_FOUND);
    });
  });

  describe('GetKeyHistory', () => {
    it('lists the events with type, time, actor and data (JSON text), never a secret; same entries as HTTP', async () => {
      const { acct, md, id, secret } = await newKey({ kind: 'KEY_KIND_API', name: 'audited' });
      const rotated = await grpc.key('RegenerateKey', { accountId: acct, keyId: id, oldKeyExpiresIn: 'PT1H' }, md);
      await grpc.key('RevokeKey', { accountId: acct, keyId: id, reason: 'done' }, md);
      const { events } = await grpc.key('GetKeyHistory', { accountId: acct, keyId: id }, md);
      expect(events.map((e: any) => e.type)).toEqual(['KeyGenerated', 'KeyRotated', 'KeyRevoked']);
      expect(events[0].actor).toMatchObject({ type: 'user', sub: 'user_grpc', acct, roles: ['owner'] });
      expect(events[0].time).toMatch(ISO);
      const generated = JSON.parse(events[0].dataJson);
      expect(generated).toMatchObject({ keyId: id, accountId: acct, kind: 'api', name: 'audited', allowedIps: [] });
      const text = JSON.stringify(events);
      expect(text).not.toContain(secret);
      expect(text).not.toContain(rotated.secret);
      expect(text).not.toMatch(/"hash"/);

      const viaHttp = (await (await Client.actor(app.url, { acct })).history(acct, id)).body.events;
      expect(events.map((e: any) => ({ id: e.id, type: e.type, time: e.time, data: JSON.parse(e.dataJson) }))).toEqual(
        viaHttp.map((e: any) => ({ id: e.id, type: e.type, time: e.time, data: e.data })),
      );
    });

    it('data is also a typed google.protobuf.Struct, the same object as the JSON API data; each event names its key', async () => {
      const { acct, md, id } = await newKey({ kind: 'KEY_KIND_API', name: 'typed', allowedIps: ['10.0.0.0/8'] });
      await grpc.key('RevokeKey', { accountId: acct, keyId: id, reason: 'done' }, md);
      const { events } = await grpc.key('GetKeyHistory', { accountId: acct, keyId: id }, md);
      expect(events[0].data.fields.allowedIps).toMatchObject({ listValue: { values: [{ stringValue: '10.0.0.0/8' }] } });
      expect(events[0].data.fields.secret.structValue.fields.version).toMatchObject({ numberValue: 1 });
      const viaHttp = (await (await Client.actor(app.url, { acct })).history(acct, id)).body.events;
      expect(events.map((e: any) => structJson(e.data))).toEqual(viaHttp.map((e: any) => e.data));
      expect(events.map((e: any) => e.keyId)).toEqual([id, id]);
    });

    it('an unknown key is NOT_FOUND', async () => {
      const { acct, md } = await newKey();
      expect((await failure(grpc.key('GetKeyHistory', { accountId: acct, keyId: randomKeyId() }, md))).code).toBe(Status.NOT_FOUND);
    });
  });

  describe('GetKeyValidityAt', () => {
    const ask = (acct: string, md: Record<string, string>, request: Record<string, unknown>) =>
      grpc.key('GetKeyValidityAt', { accountId: acct, ...request }, md);

    it('what verify would have answered at that instant, from that IP: the same answer as HTTP', async () => {
      const { acct, md, id, key } = await newKey({ kind: 'KEY_KIND_API', allowedIps: ['203.0.113.0/24'] });
      const rotated = await grpc.key('RegenerateKey', { accountId: acct, keyId: id, oldKeyExpiresIn: 'PT1H' }, md);
      const at = new Date(Date.now() + 1000).toISOString();
      const inside = await ask(acct, md, { keyId: id, at, ip: '203.0.113.7' });
      expect(inside).toMatchObject({ keyId: id, at, ip: '203.0.113.7', status: 'KEY_STATUS_ACTIVE' });
      expect(inside.secrets).toEqual([
        { version: 2, start: rotated.key.start, valid: true, code: 'VERIFY_CODE_VALID' },
        { version: 1, start: key.start, valid: true, code: 'VERIFY_CODE_VALID', expiresAt: rotated.key.previous.expiresAt },
      ]);
      expect(inside.asOfEvent).toMatchObject({ type: 'KeyRotated' });
      expect(inside.asOfEvent.time).toMatch(ISO);

      const outside = await ask(acct, md, { keyId: id, at, ip: '198.51.100.1' });
      expect(outside.secrets.map((s: any) => [s.valid, s.code])).toEqual([
        [false, 'VERIFY_CODE_IP_NOT_ALLOWED'],
        [false, 'VERIFY_CODE_IP_NOT_ALLOWED'],
      ]);
      const noIp = await ask(acct, md, { keyId: id, at });
      expect(noIp.ip).toBeUndefined();
      expect(noIp.secrets[0].code).toBe('VERIFY_CODE_IP_NOT_ALLOWED');

      const http = await (
        await Client.actor(app.url, { acct })
      ).call('GET', `/v1/accounts/${acct}/keys/${id}/validity?at=${at}&ip=203.0.113.7`);
      expect(http.status).toBe(200);
      expect(http.body).toMatchObject({
        keyId: id,
        at,
        status: 'active',
        asOfEvent: inside.asOfEvent,
        secrets: inside.secrets.map((s: any) => ({ ...s, code: s.code.replace('VERIFY_CODE_', ''), expiresAt: s.expiresAt ?? null })),
      });
    });

    it('before the key existed: no status, no secrets, no event', async () => {
      const { acct, md, id } = await newKey();
      const before = await ask(acct, md, { keyId: id, at: '2020-01-01T00:00:00Z' });
      expect(before).toMatchObject({ keyId: id, at: '2020-01-01T00:00:00.000Z', status: 'KEY_STATUS_UNSPECIFIED', secrets: [] });
      expect(before.asOfEvent).toBeNull();
    });

    it('after a revoke the secrets are REVOKED; an auditor may ask', async () => {
      const { acct, md, id } = await newKey();
      await grpc.key('RevokeKey', { accountId: acct, keyId: id }, md);
      const auditor = await actorMetadata({ acct, roles: ['auditor'] });
      const answer = await ask(acct, auditor, { keyId: id, at: new Date(Date.now() + 1000).toISOString() });
      expect(answer.status).toBe('KEY_STATUS_REVOKED');
      expect(answer.secrets.map((s: any) => s.code)).toEqual(['VERIFY_CODE_REVOKED']);
    });

    it.each([
      ['missing', undefined],
      ['not a time', 'yesterday'],
      ['without a time zone', '2026-12-03T09:30:00'],
      ['not a calendar day', '2026-02-30T12:00:00Z'],
    ])('an `at` %s is INVALID_ARGUMENT naming at (HTTP: 400)', async (_label, at) => {
      const { acct, md, id } = await newKey();
      const error = await failure(ask(acct, md, { keyId: id, ...(at === undefined ? {} : { at }) }));
      expect(error.code).toBe(Status.INVALID_ARGUMENT);
      expect(error.trailers['error-code']).toEqual(['VALIDATION_FAILED']);
      expect(error.details).toMatch(/^at is required and must be an ISO-8601 date-time with a time zone/);
      if (at) expect(error.details).not.toContain(at);
      const http = await (
        await Client.actor(app.url, { acct })
      ).call('GET', `/v1/accounts/${acct}/keys/${id}/validity${at ? `?at=${at}` : ''}`);
      expect([http.status, http.body.code]).toEqual([400, 'VALIDATION_FAILED']);
    });

    it('an ip that is not an address is INVALID_ARGUMENT and not repeated', async () => {
      const { acct, md, id } = await newKey();
      const error = await failure(ask(acct, md, { keyId: id, at: '2026-12-01T12:00:00Z', ip: '300.1.1.1' }));
      expect(error.code).toBe(Status.INVALID_ARGUMENT);
      expect(error.details).toBe('ip must be an IPv4 or IPv6 address');
      expect(error.details).not.toContain('300.1.1.1');
    });

    it("an unknown key, or another account's, is NOT_FOUND with error-code KEY_NOT_FOUND", async () => {
      const { acct, md, id } = await newKey();
      const unknown = await failure(ask(acct, md, { keyId: randomKeyId(), at: '2026-12-01T12:00:00Z' }));
      expect([unknown.code, unknown.trailers['error-code']]).toEqual([Status.NOT_FOUND, ['KEY_NOT_FOUND']]);
      const other = await newKey();
      const wrongAccount = await failure(ask(other.acct, other.md, { keyId: id, at: '2026-12-01T12:00:00Z' }));
      expect({ code: wrongAccount.code, details: wrongAccount.details }).toEqual({ code: unknown.code, details: unknown.details });
    });
  });

  describe('GetAccountHistory', () => {
    it("every event of every key of the account, oldest first, each with its key_id: the same as HTTP's", async () => {
      const { acct, md, id: first } = await newKey();
      const second = (await grpc.key('GenerateKey', { accountId: acct, kind: 'KEY_KIND_SIGNING' }, md)).key.id as string;
      await grpc.key('RevokeKey', { accountId: acct, keyId: first }, md);
      const { events } = await grpc.key('GetAccountHistory', { accountId: acct }, md);
      expect(events.map((e: any) => [e.keyId, e.type])).toEqual([
        [first, 'KeyGenerated'],
        [second, 'KeyGenerated'],
        [first, 'KeyRevoked'],
      ]);
      const http = await (await Client.actor(app.url, { acct, roles: ['auditor'] })).call('GET', `/v1/accounts/${acct}/history`);
      expect(http.status).toBe(200);
      expect(events.map((e: any) => ({ id: e.id, keyId: e.keyId, type: e.type, time: e.time, data: structJson(e.data) }))).toEqual(
        http.body.events.map((e: any) => ({ id: e.id, keyId: e.keyId, type: e.type, time: e.time, data: e.data })),
      );
      const last = await grpc.key('GetAccountHistory', { accountId: acct, limit: 1 }, md);
      expect(last.events.map((e: any) => e.id)).toEqual([events[2].id]);
    });

    it("pages with the same filters, orders and cursor as HTTP's, and says how current the read model is", async () => {
      const { acct, md, id: first } = await newKey();
      const second = (await grpc.key('GenerateKey', { accountId: acct, kind: 'KEY_KIND_API' }, md)).key.id as string;
      await grpc.key('UpdateKey', { accountId: acct, keyId: first, name: 'renamed' }, md);
      await grpc.key('RevokeKey', { accountId: acct, keyId: second }, md);
      const auditor = await Client.actor(app.url, { acct, roles: ['auditor'] });
      const ids = (events: any[]) => events.map((e: any) => e.id);
      // Every order and a filter, page by page over gRPC, is what HTTP answers in one page.
      for (const [order, filter, query] of [
        ['newest', {}, 'order=newest'],
        ['oldest', { keyId: first }, `order=oldest&keyId=${first}`],
        ['latest', { types: ['KeyGenerated', 'KeyRevoked'] }, 'type=KeyGenerated,KeyRevoked'],
      ] as const) {
        const seen: string[] = [];
        let cursor: string | undefined;
        do {
          const page = await grpc.key(
            'GetAccountHistory',
            { accountId: acct, limit: 1, order, ...filter, ...(cursor ? { cursor } : {}) },
            md,
          );
          expect(page.events).toHaveLength(1);
          expect(page.historyCaughtUp).toBe(true);
          expect(page.historyPosition).toMatch(/^\d+$/);
          seen.push(...ids(page.events));
          cursor = page.nextCursor || undefined;
        } while (cursor);
        const http = await auditor.call('GET', `/v1/accounts/${acct}/history?${query}`);
        const expected = ids(http.body.events);
        // latest lists each page oldest first and goes back in time: one event per page, newest page first.
        expect([order, seen]).toEqual([order, order === 'latest' ? [...expected].reverse() : expected]);
      }
      const actor = await grpc.key('GetAccountHistory', { accountId: acct, actor: 'user_grpc', types: ['KeyUpdated'] }, md);
      expect(actor.events.map((e: any) => [e.keyId, e.type])).toEqual([[first, 'KeyUpdated']]);
      const from = (await grpc.key('GetAccountHistory', { accountId: acct }, md)).events[2].time as string;
      const windowed = await grpc.key('GetAccountHistory', { accountId: acct, from, order: 'oldest' }, md);
      expect(windowed.events.every((e: any) => e.time >= from)).toBe(true);
    });

    it.each([
      [{ order: 'sideways' }, 'order'],
      [{ types: ['KeyHacked'] }, 'types'],
      [{ keyId: 'nope' }, 'key_id'],
      [{ from: 'yesterday' }, 'from'],
      [{ cursor: 'bogus!' }, 'cursor'],
    ])('%j is INVALID_ARGUMENT naming the field, not the value', async (request, field) => {
      const acct = uniqueAccount();
      const error = await failure(grpc.key('GetAccountHistory', { accountId: acct, ...request }, await actorMetadata({ acct })));
      expect(error.code).toBe(Status.INVALID_ARGUMENT);
      expect(error.details).toContain(field);
      for (const value of ['sideways', 'KeyHacked', 'nope', 'yesterday', 'bogus!']) expect(error.details).not.toContain(value);
    });

    it('an account without keys has no events', async () => {
      const acct = uniqueAccount();
      expect((await grpc.key('GetAccountHistory', { accountId: acct }, await actorMetadata({ acct }))).events).toEqual([]);
    });

    it.each([0, 10001])('limit %s is INVALID_ARGUMENT naming limit (HTTP: 400)', async (limit) => {
      const acct = uniqueAccount();
      const error = await failure(grpc.key('GetAccountHistory', { accountId: acct, limit }, await actorMetadata({ acct })));
      expect(error.code).toBe(Status.INVALID_ARGUMENT);
      expect(error.details).toMatch(/^limit must be a whole number from 1 to 10000/);
      const http = await (await Client.actor(app.url, { acct })).call('GET', `/v1/accounts/${acct}/history?limit=${limit}`);
      expect(http.status).toBe(400);
    });
  });

  describe("expected_version (optimistic concurrency, the JSON API's If-Match)", () => {
    const aborted = (error: { code: number; trailers: Record<string, string[]> }): void => {
      expect(error.code).toBe(Status.ABORTED);
      expect(error.trailers['error-code']).toEqual(['CONCURRENT_CHANGE']);
    };

    it('six concurrent RegenerateKey with "now" on the same expected_version: one OK, five ABORTED, exactly one returned secret VALID', async () => {
      const { acct, md, id, secret, key } = await newKey();
      const version = (await grpc.key('GetKey', { accountId: acct, keyId: id }, md)).version as number;
      expect(version).toBe(key.version);
      const request = { accountId: acct, keyId: id, oldKeyExpiresIn: 'now', expectedVersion: version };
      const answers = await Promise.allSettled(Array.from({ length: 6 }, () => grpc.key('RegenerateKey', request, md)));
      const won = answers.filter((a): a is PromiseFulfilledResult<any> => a.status === 'fulfilled').map((a) => a.value);
      const lost = answers.filter((a): a is PromiseRejectedResult => a.status === 'rejected').map((a) => a.reason);
      expect(won).toHaveLength(1);
      expect(lost).toHaveLength(5);
      for (const error of lost) aborted(error);

      const secrets = won.map((answer) => answer.secret as string);
      const codes = await Promise.all(secrets.map((s) => verifyCode(s)));
      expect(codes.filter((c) => c === 'VERIFY_CODE_VALID')).toHaveLength(1);
      expect(await verifyCode(secret)).not.toBe('VERIFY_CODE_VALID');
      expect(won[0].key.version).toBeGreaterThan(version);
      expect(won[0].key.previous).toBeNull();

      const { events } = await grpc.key('GetKeyHistory', { accountId: acct, keyId: id }, md);
      expect(events.filter((e: any) => e.type === 'KeyRotated')).toHaveLength(1);
      const view = await grpc.key('GetKey', { accountId: acct, keyId: id }, md);
      expect(view).toEqual(won[0].key);
      expect(secrets[0].startsWith(view.start)).toBe(true);
    });

    it('a stale expected_version is ABORTED on every versioned call and changes nothing; the current one succeeds', async () => {
      const { acct, md, id, secret } = await newKey({ kind: 'KEY_KIND_API', name: 'versioned' });
      const stale = (await grpc.key('GetKey', { accountId: acct, keyId: id }, md)).version as number;
      const moved = await grpc.key('UpdateKey', { accountId: acct, keyId: id, name: 'moved on', expectedVersion: stale }, md);
      expect(moved.name).toBe('moved on');
      expect(moved.version).toBeGreaterThan(stale);

      const before = await grpc.key('GetKey', { accountId: acct, keyId: id }, md);
      const historyBefore = (await grpc.key('GetKeyHistory', { accountId: acct, keyId: id }, md)).events;
      const ref = { accountId: acct, keyId: id, expectedVersion: stale };
      const calls: Array<[string, Record<string, unknown>]> = [
        ['RegenerateKey', { ...ref, oldKeyExpiresIn: 'now' }],
        ['SetExpiry', { ...ref, expiresAt: '2020-01-01T00:00:00Z' }],
        ['RevealKey', ref],
        ['UpdateKey', { ...ref, name: 'too late', allowedIps: { ips: ['203.0.113.7'] } }],
        ['RevokeKey', { ...ref, reason: 'too late' }],
      ];
      for (const [method, request] of calls) {
        const error = await failure(grpc.key(method, request, md));
        aborted(error);
        expect(error.details).toMatch(/version/);
      }
      // Nothing changed: the same view, the same history (no KeyRevealed either), the secret still valid.
      expect(await grpc.key('GetKey', { accountId: acct, keyId: id }, md)).toEqual(before);
      expect((await grpc.key('GetKeyHistory', { accountId: acct, keyId: id }, md)).events).toEqual(historyBefore);
      expect(await verifyCode(secret)).toBe('VERIFY_CODE_VALID');
      expect(await verifyCode(secret, '198.51.100.1')).toBe('VERIFY_CODE_VALID');

      // The current version is accepted; each change moves it on.
      const current = { accountId: acct, keyId: id, expectedVersion: before.version };
      const revealed = await grpc.key('RevealKey', current, md);
      expect(revealed.secret).toBe(secret);
      const afterReveal = (await grpc.key('GetKey', { accountId: acct, keyId: id }, md)).version;
      expect(afterReveal).toBeGreaterThan(before.version);
      const expiring = await grpc.key('SetExpiry', { ...current, expectedVersion: afterReveal, expiresAt: '2099-01-01T00:00:00Z' }, md);
      expect(expiring.expiresAt).toBe('2099-01-01T00:00:00.000Z');
      aborted(await failure(grpc.key('RevokeKey', { ...current, expectedVersion: afterReveal }, md)));
      const revoked = await grpc.key('RevokeKey', { ...current, expectedVersion: expiring.version }, md);
      expect(revoked.status).toBe('KEY_STATUS_REVOKED');
      expect(await verifyCode(secret)).toBe('VERIFY_CODE_REVOKED');
    });

    it('expected_version 0 is a version, not "absent"; an unknown key stays NOT_FOUND', async () => {
      const { acct, md, id } = await newKey();
      await grpc.key('UpdateKey', { accountId: acct, keyId: id, name: 'v1' }, md);
      const view = await grpc.key('GetKey', { accountId: acct, keyId: id }, md);
      expect(view.version).toBeGreaterThan(0);
      aborted(await failure(grpc.key('UpdateKey', { accountId: acct, keyId: id, name: 'v0', expectedVersion: 0 }, md)));
      expect((await grpc.key('GetKey', { accountId: acct, keyId: id }, md)).name).toBe('v1');
      const missing = await failure(grpc.key('RevokeKey', { accountId: acct, keyId: randomKeyId(), expectedVersion: 0 }, md));
      expect(missing.code).toBe(Status.NOT_FOUND);
    });
  });

  describe('one application behind both transports', () => {
    it('a key generated over gRPC verifies over HTTP, and one generated over HTTP over gRPC', async () => {
      const { secret } = await newKey();
      expect((await http.verify({ key: secret })).body).toMatchObject({ valid: true, code: 'VALID' });
      const acct = uniqueAccount();
      const viaHttp = await (await Client.actor(app.url, { acct })).generate(acct, { kind: 'api' });
      expect(await verifyCode(viaHttp.body.secret)).toBe('VERIFY_CODE_VALID');
      // ...and it is managed over gRPC like any other.
      const md = await actorMetadata({ acct });
      await grpc.key('RevokeKey', { accountId: acct, keyId: viaHttp.body.key.id }, md);
      expect((await http.verify({ key: viaHttp.body.secret })).body.code).toBe('REVOKED');
    });
  });
});
