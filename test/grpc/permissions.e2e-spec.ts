/**
 * Permissions, metadata and external id over gRPC: the same rules and answers as the JSON API
 * (test/http/permissions.e2e-spec.ts). Metadata travels as google.protobuf.Struct; an update's
 * permissions as a PermissionList, so that "absent" (unchanged) and "empty" (unrestricted) differ.
 */
import { startTestApp, uniqueAccount, type TestApp } from '../support';
import { actorMetadata, failure, GrpcClients, Status } from './grpc-client';

/** google.protobuf.Struct as the client decodes it → the JSON object. */
function structJson(struct: { fields?: Record<string, any> } | undefined): Record<string, unknown> {
  const value = (v: any): unknown =>
    v.kind === 'nullValue'
      ? null
      : v.kind === 'structValue'
        ? structJson(v.structValue)
        : v.kind === 'listValue'
          ? (v.listValue.values ?? []).map(value)
          : v[v.kind];
  return Object.fromEntries(Object.entries(struct?.fields ?? {}).map(([name, v]) => [name, value(v)]));
}

/** A JSON object as the google.protobuf.Struct a client sends. */
function struct(object: Record<string, unknown>): { fields: Record<string, unknown> } {
  const value = (v: unknown): unknown =>
    v === null
      ? { nullValue: 'NULL_VALUE' }
      : typeof v === 'number'
        ? { numberValue: v }
        : typeof v === 'string'
          ? { stringValue: v }
          : typeof v === 'boolean'
            ? { boolValue: v }
            : Array.isArray(v)
              ? { listValue: { values: v.map(value) } }
              : { structValue: struct(v as Record<string, unknown>) };
  return { fields: Object.fromEntries(Object.entries(object).map(([name, v]) => [name, value(v)])) };
}

describe('permissions, metadata and external id over gRPC', () => {
  let app: TestApp;
  let grpc: GrpcClients;

  beforeAll(async () => {
    app = await startTestApp();
    grpc = new GrpcClients(app.service.grpcUrl);
  });
  afterAll(async () => {
    grpc?.close();
    await app?.close();
  });

  async function newKey(request: Record<string, unknown>) {
    const acct = uniqueAccount();
    const md = await actorMetadata({ acct });
    const answer = await grpc.key('GenerateKey', { accountId: acct, kind: 'KEY_KIND_API', ...request }, md);
    return { acct, md, key: answer.key, id: answer.key.id as string, secret: answer.secret as string };
  }

  const metadata = { team: 'checkout', limits: { daily: 500 }, tags: ['eu', true], none: null };

  it('GenerateKey records them; the view and VerifyKey return them with the webhook format', async () => {
    const { acct, md, key, id, secret } = await newKey({
      permissions: ['payments:write', 'refunds:*', 'payments:write'],
      metadata: struct(metadata),
      externalId: 'merchant-42',
      webhookFormat: 'WEBHOOK_FORMAT_MULTIPLE',
    });
    expect(key).toMatchObject({ permissions: ['payments:write', 'refunds:*'], externalId: 'merchant-42' });
    expect(structJson(key.metadata)).toEqual(metadata);
    const view = await grpc.key('GetKey', { accountId: acct, keyId: id }, md);
    expect(structJson(view.metadata)).toEqual(metadata);

    const answer = await grpc.verify('VerifyKey', { key: secret, permissions: ['payments:write', 'refunds:read'] });
    expect(answer).toMatchObject({
      valid: true,
      code: 'VERIFY_CODE_VALID',
      keyId: id,
      permissions: ['payments:write', 'refunds:*'],
      externalId: 'merchant-42',
      webhookFormat: 'WEBHOOK_FORMAT_MULTIPLE',
    });
    expect(structJson(answer.metadata)).toEqual(metadata);
  });

  it('VerifyKey answers INSUFFICIENT_PERMISSIONS for a permission the key lacks; UpdateKey changes what it answers next', async () => {
    const { acct, md, id, secret } = await newKey({ permissions: ['payments:read'] });
    expect(await grpc.verify('VerifyKey', { key: secret, permissions: ['payments:write'] })).toMatchObject({
      valid: false,
      code: 'VERIFY_CODE_INSUFFICIENT_PERMISSIONS',
      permissions: ['payments:read'],
    });
    const updated = await grpc.key(
      'UpdateKey',
      { accountId: acct, keyId: id, permissions: { permissions: ['payments:*'] }, externalId: 'm-7' },
      md,
    );
    expect(updated).toMatchObject({ permissions: ['payments:*'], externalId: 'm-7' });
    expect(await grpc.verify('VerifyKey', { key: secret, permissions: ['payments:write'] })).toMatchObject({ code: 'VERIFY_CODE_VALID' });

    // A present, empty list makes the key unrestricted; an empty Struct removes the metadata.
    const open = await grpc.key('UpdateKey', { accountId: acct, keyId: id, permissions: {}, metadata: { fields: {} } }, md);
    expect(open.permissions).toEqual([]);
    expect(await grpc.verify('VerifyKey', { key: secret, permissions: ['refunds:write'] })).toMatchObject({
      code: 'VERIFY_CODE_VALID',
      permissions: [],
    });

    const history = await grpc.key('GetKeyHistory', { accountId: acct, keyId: id }, md);
    expect(history.events.map((e: { type: string }) => e.type)).toEqual(['KeyGenerated', 'KeyUpdated', 'KeyUpdated']);
    expect(structJson(history.events[1].data)).toMatchObject({ changes: { permissions: ['payments:*'], externalId: 'm-7' } });
  });

  it('bad values are INVALID_ARGUMENT with the rejection code, never repeating them', async () => {
    const acct = uniqueAccount();
    const md = await actorMetadata({ acct });
    const cases: [Record<string, unknown>, string][] = [
      [{ kind: 'KEY_KIND_API', permissions: ['PAYMENTS:SECRETVALUE'] }, 'INVALID_PERMISSIONS'],
      [{ kind: 'KEY_KIND_SIGNING', permissions: ['payments:write'] }, 'PERMISSIONS_NOT_APPLICABLE'],
      [{ kind: 'KEY_KIND_API', metadata: struct({ token: 'sk_live_SECRETVALUE' }) }, 'SECRET_IN_METADATA'],
      [{ kind: 'KEY_KIND_API', metadata: struct({ blob: 'SECRETVALUE'.repeat(400) }) }, 'INVALID_METADATA'],
    ];
    for (const [request, code] of cases) {
      const refused = await failure(grpc.key('GenerateKey', { accountId: acct, ...request }, md));
      expect(refused.code).toBe(Status.INVALID_ARGUMENT);
      expect(refused.trailers['error-code']).toEqual([code]);
      expect(refused.details).not.toContain('SECRETVALUE');
    }
    // Metadata nested deeper than allowed: refused, however deep (the service reads no further than it must).
    let nested: Record<string, unknown> = { fields: { leaf: { numberValue: 1 } } };
    for (let i = 0; i < 40; i++) nested = { fields: { n: { structValue: nested } } };
    for (const metadata of [struct({ a: { b: { c: { d: { e: { f: 1 } } } } } }), nested]) {
      const deep = await failure(grpc.key('GenerateKey', { accountId: acct, kind: 'KEY_KIND_API', metadata }, md));
      expect(deep.code).toBe(Status.INVALID_ARGUMENT);
      expect(deep.details).toMatch(/metadata must be at most 5 levels deep/);
    }
    const { secret } = await newKey({});
    const malformed = await failure(grpc.verify('VerifyKey', { key: secret, permissions: ['Payments:SECRETVALUE'] }));
    expect(malformed.code).toBe(Status.INVALID_ARGUMENT);
    expect(malformed.details).not.toContain('SECRETVALUE');
  });
});
