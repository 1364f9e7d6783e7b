/**
 * Bad input over gRPC gets a clear status, never INTERNAL/UNKNOWN: missing fields, malformed ids,
 * unknown enum numbers, bad durations and times, bytes that are not a protobuf message, messages
 * over the 1 MiB limit (RESOURCE_EXHAUSTED), unknown methods (UNIMPLEMENTED). The service stays
 * healthy afterwards.
 */
import * as grpc from '@grpc/grpc-js';
import { GRPC_MAX_RECEIVE_MESSAGE_BYTES } from '@cs/contracts';
import { randomKeyId, startTestApp, uniqueAccount, type TestApp } from '../support';
import { actorMetadata, failure, GrpcCallError, GrpcClients, serviceMetadata, Status } from './grpc-client';

const KEY_ID_CALLS = ['GetKey', 'RegenerateKey', 'SetExpiry', 'RevealKey', 'UpdateKey', 'RevokeKey', 'GetKeyHistory', 'GetKeyValidityAt'];
const VALID_BODY: Record<string, Record<string, unknown>> = {
  GetKey: {},
  RegenerateKey: { oldKeyExpiresIn: 'now' },
  SetExpiry: { clearExpiry: true },
  RevealKey: {},
  UpdateKey: { name: 'x' },
  RevokeKey: {},
  GetKeyHistory: {},
  GetKeyValidityAt: { at: '2026-12-01T12:00:00Z' },
};

describe('bad input over gRPC', () => {
  let app: TestApp;
  let client: GrpcClients;
  let acct: string;
  let md: Record<string, string>;
  let keyId: string;
  let secret: string;

  beforeAll(async () => {
    app = await startTestApp();
    client = new GrpcClients(app.service.grpcUrl);
    acct = uniqueAccount();
    md = await actorMetadata({ acct });
    const answer = await client.key('GenerateKey', { accountId: acct, kind: 'KEY_KIND_SIGNING' }, md);
    keyId = answer.key.id;
    secret = answer.secret;
  });
  afterAll(async () => {
    client?.close();
    await app?.close();
  });

  /** Sends raw bytes as the request of `path`, bypassing the generated serializer. */
  function raw(path: string, bytes: Buffer, auth: Record<string, string>): Promise<Buffer> {
    const metadata = new grpc.Metadata();
    for (const [k, v] of Object.entries(auth)) metadata.set(k, v);
    return new Promise((resolve, reject) => {
      client.keys.makeUnaryRequest(
        path,
        (b: Buffer) => b,
        (b: Buffer) => b,
        bytes,
        metadata,
        (error, response) => {
          if (error) reject(new GrpcCallError(path, error.code, error.details, {}));
          else resolve(response as Buffer);
        },
      );
    });
  }

  it('a missing or malformed account_id is INVALID_ARGUMENT naming account_id, on every management call', async () => {
    for (const method of ['GenerateKey', 'ListKeys', ...KEY_ID_CALLS]) {
      for (const accountId of [undefined, '', 'has space', 'x'.repeat(65), '../etc']) {
        const request = { ...(accountId === undefined ? {} : { accountId }), keyId, kind: 'KEY_KIND_API', ...VALID_BODY[method] };
        const error = await failure(client.key(method, request, md));
        expect([method, accountId, error.code]).toEqual([method, accountId, Status.INVALID_ARGUMENT]);
        expect(error.details).toMatch(/^account_id must be 1-64 letters/);
        expect(error.trailers['error-code']).toEqual(['INVALID_ID']);
      }
    }
  });

  it.each(KEY_ID_CALLS)('%s: a missing or malformed key_id is INVALID_ARGUMENT naming key_id', async (method) => {
    for (const id of [undefined, '', 'key_short', `${keyId}x`, 'KEY_' + keyId.slice(4), 'key_../../../../../../etc']) {
      const error = await failure(
        client.key(method, { accountId: acct, ...(id === undefined ? {} : { keyId: id }), ...VALID_BODY[method] }, md),
      );
      expect(error.code).toBe(Status.INVALID_ARGUMENT);
      expect(error.details).toMatch(/^key_id must look like key_/);
    }
  });

  it('unknown enum numbers are INVALID_ARGUMENT listing the valid names', async () => {
    const kind = await failure(client.key('GenerateKey', { accountId: acct, kind: 99 }, md));
    expect([kind.code, kind.details]).toEqual([
      Status.INVALID_ARGUMENT,
      'kind must be KEY_KIND_API, KEY_KIND_SIGNING or KEY_KIND_PUBLISHABLE',
    ]);
    const format = await failure(client.key('GenerateKey', { accountId: acct, kind: 'KEY_KIND_API', webhookFormat: 7 }, md));
    expect(format.details).toMatch(/^webhook_format must be WEBHOOK_FORMAT_SINGLE or WEBHOOK_FORMAT_MULTIPLE/);
    const version = await failure(client.key('RevealKey', { accountId: acct, keyId, version: -3 }, md));
    expect([version.code, version.details]).toEqual([
      Status.INVALID_ARGUMENT,
      'version must be SECRET_VERSION_CURRENT or SECRET_VERSION_PREVIOUS',
    ]);
  });

  it('bad durations and times are INVALID_ARGUMENT with the reason', async () => {
    for (const oldKeyExpiresIn of ['1h', 'PT', 'P1Y2M', 'later', 'x'.repeat(41), 'P99999D']) {
      const error = await failure(client.key('RegenerateKey', { accountId: acct, keyId, oldKeyExpiresIn }, md));
      expect([oldKeyExpiresIn, error.code]).toEqual([oldKeyExpiresIn, Status.INVALID_ARGUMENT]);
      expect(error.details).toMatch(/old_key_expires_in/);
    }
    for (const expiresAt of ['2030-13-01T00:00:00Z', '2030-01-01', 'yesterday', '1700000000']) {
      const error = await failure(client.key('SetExpiry', { accountId: acct, keyId, expiresAt }, md));
      expect([expiresAt, error.code]).toEqual([expiresAt, Status.INVALID_ARGUMENT]);
    }
  });

  it('impossible calendar days are INVALID_ARGUMENT, not rolled over to the next month', async () => {
    for (const time of ['2027-02-30T00:00:00Z', '2026-04-31T00:00:00Z', '2100-02-29T00:00:00Z']) {
      const expiry = await failure(client.key('SetExpiry', { accountId: acct, keyId, expiresAt: time }, md));
      expect([time, expiry.code]).toEqual([time, Status.INVALID_ARGUMENT]);
      expect(expiry.details).toMatch(/^expires_at must be an ISO-8601 date-time/);
      const regenerate = await failure(client.key('RegenerateKey', { accountId: acct, keyId, oldKeyExpiresAt: time }, md));
      expect([time, regenerate.code]).toEqual([time, Status.INVALID_ARGUMENT]);
      expect(regenerate.details).toMatch(/old_key_expires_at/);
    }
    expect(await client.key('GetKey', { accountId: acct, keyId }, md)).toMatchObject({ version: 0 });
  });

  it('key names and revoke reasons with control or bidi formatting characters are INVALID_ARGUMENT', async () => {
    // (An unpaired surrogate cannot arrive over gRPC: it is not UTF-8, and the decoder makes it U+FFFD.)
    const names = ['a\u0000b', 'first\nsecond', '\u001b[2J', 'invoice\u202efdp.exe', 'x\u2066y', 'a\u0085b'];
    for (const name of names) {
      const generated = await failure(client.key('GenerateKey', { accountId: acct, kind: 'KEY_KIND_API', name }, md));
      expect([JSON.stringify(name), generated.code]).toEqual([JSON.stringify(name), Status.INVALID_ARGUMENT]);
      expect(generated.details).toMatch(/^name must not contain control characters/);
      const updated = await failure(client.key('UpdateKey', { accountId: acct, keyId, name }, md));
      expect([JSON.stringify(name), updated.code]).toEqual([JSON.stringify(name), Status.INVALID_ARGUMENT]);
      const revoked = await failure(client.key('RevokeKey', { accountId: acct, keyId, reason: name }, md));
      expect([JSON.stringify(name), revoked.code]).toEqual([JSON.stringify(name), Status.INVALID_ARGUMENT]);
    }
    expect((await client.key('ListKeys', { accountId: acct }, md)).keys).toHaveLength(1);
  });

  it('over-long and too many values are INVALID_ARGUMENT, not stored', async () => {
    const cases: Array<[string, Record<string, unknown>]> = [
      ['GenerateKey', { accountId: acct, kind: 'KEY_KIND_API', name: 'n'.repeat(101) }],
      [
        'GenerateKey',
        { accountId: acct, kind: 'KEY_KIND_API', allowedIps: Array.from({ length: 5000 }, (_, i) => `10.${i >> 8}.${i & 255}.1`) },
      ],
      ['GenerateKey', { accountId: acct, kind: 'KEY_KIND_API', allowedIps: ['1'.repeat(65)] }],
      ['UpdateKey', { accountId: acct, keyId, name: 'n'.repeat(101) }],
      ['RevokeKey', { accountId: acct, keyId, reason: 'r'.repeat(201) }],
    ];
    for (const [method, request] of cases) {
      expect((await failure(client.key(method, request, md))).code).toBe(Status.INVALID_ARGUMENT);
    }
    expect((await client.key('ListKeys', { accountId: acct }, md)).keys).toHaveLength(1);
  });

  it('an error never repeats what the caller sent (a value could be a secret)', async () => {
    const leaked = 'ak_live_LEAKED0123456789abcdefghij';
    const cases: Array<[string, Record<string, unknown>]> = [
      ['GenerateKey', { accountId: acct, kind: 'KEY_KIND_API', allowedIps: ['10.0.0.0/8', leaked] }],
      ['GenerateKey', { accountId: acct, kind: 'KEY_KIND_API', allowedIps: [`${leaked}/24`] }],
      ['GenerateKey', { accountId: acct, kind: 'KEY_KIND_API', name: `${leaked}${'x'.repeat(100)}` }],
      ['UpdateKey', { accountId: acct, keyId, allowedIps: { ips: [leaked] } }],
      ['RegenerateKey', { accountId: acct, keyId, oldKeyExpiresIn: leaked }],
      ['RegenerateKey', { accountId: acct, keyId, oldKeyExpiresAt: leaked }],
      ['SetExpiry', { accountId: acct, keyId, expiresAt: leaked }],
      ['RevokeKey', { accountId: acct, keyId, reason: `${leaked}${'x'.repeat(200)}` }],
    ];
    for (const [method, request] of cases) {
      const error = await failure(client.key(method, request, md));
      expect([method, error.code]).toEqual([method, Status.INVALID_ARGUMENT]);
      expect([method, JSON.stringify(error)]).toEqual([method, expect.not.stringContaining('LEAKED')]);
      expect([method, error.details]).toEqual([method, expect.not.stringContaining('LEAKED')]);
    }
    const verify = await failure(client.verify('VerifyKey', { key: 'ak_live_x', ip: leaked }));
    expect([verify.code, verify.details.includes('LEAKED')]).toEqual([Status.INVALID_ARGUMENT, false]);
    const health = await failure(client.unary(client.health, 'Check', { service: leaked }));
    expect([health.code, health.details.includes('LEAKED')]).toEqual([Status.NOT_FOUND, false]);
  });

  it('bytes that are not a protobuf message are INVALID_ARGUMENT, not INTERNAL', async () => {
    // A varint cut short; a field with wire type 7 (there is none); an unknown field's length past the end.
    const truncated = Buffer.from([0x0a, 0xff, 0xff]);
    const badWireType = Buffer.from([0x7f, 0x01]);
    const pastTheEnd = Buffer.from([0x62, 0x05, 0x61]);
    for (const path of ['/credentials.v1.KeyService/GenerateKey', '/credentials.v1.KeyService/UpdateKey']) {
      for (const garbage of [truncated, badWireType, pastTheEnd]) {
        const error = await failure(raw(path, garbage, md));
        expect(error.code).toBe(Status.INVALID_ARGUMENT);
        expect(error.details).toMatch(/^the request is not a valid credentials\.v1\.\w+Request message$/);
      }
    }
    const garbage = truncated;
    const error = await failure(raw('/credentials.v1.VerificationService/VerifyKey', garbage, serviceMetadata()));
    expect([error.code, error.details]).toEqual([
      Status.INVALID_ARGUMENT,
      'the request is not a valid credentials.v1.VerifyKeyRequest message',
    ]);
  });

  it('wrong wire types (a number where text belongs) decode to nothing usable: INVALID_ARGUMENT', async () => {
    // Field 1 (account_id, a string) sent as a varint; field 2 (kind, an enum) as a string.
    const bytes = Buffer.concat([Buffer.from([0x08, 0x2a]), Buffer.from([0x12, 0x03]), Buffer.from('api')]);
    const error = await failure(raw('/credentials.v1.KeyService/GenerateKey', bytes, md));
    expect(error.code).toBe(Status.INVALID_ARGUMENT);
  });

  it(`a message over ${GRPC_MAX_RECEIVE_MESSAGE_BYTES} bytes is RESOURCE_EXHAUSTED; just under it is served`, async () => {
    const big = await failure(client.verify('Sign', { accountId: acct, payload: Buffer.alloc(GRPC_MAX_RECEIVE_MESSAGE_BYTES + 1, 0x61) }));
    expect(big.code).toBe(Status.RESOURCE_EXHAUSTED);
    const hugeKey = await failure(client.verify('VerifyKey', { key: 'k'.repeat(2 * GRPC_MAX_RECEIVE_MESSAGE_BYTES) }));
    expect(hugeKey.code).toBe(Status.RESOURCE_EXHAUSTED);
    const signed = await client.verify('Sign', { accountId: acct, payload: Buffer.alloc(GRPC_MAX_RECEIVE_MESSAGE_BYTES - 1024, 0x61) });
    expect(signed.signatures).toBe(1);
  });

  it('an unknown method is UNIMPLEMENTED', async () => {
    const error = await failure(raw('/credentials.v1.KeyService/DeleteEverything', Buffer.alloc(0), md));
    expect(error.code).toBe(Status.UNIMPLEMENTED);
  });

  it('the service is still healthy and the key untouched after all of this', async () => {
    expect(await client.unary(client.health, 'Check', { service: '' })).toEqual({ status: 'SERVING' });
    expect((await client.verify('VerifyKey', { key: secret, kind: 'KEY_KIND_SIGNING' })).code).toBe('VERIFY_CODE_VALID');
    const view = await client.key('GetKey', { accountId: acct, keyId }, md);
    expect(view).toMatchObject({ id: keyId, status: 'KEY_STATUS_ACTIVE', name: 'Signing key' });
    expect((await failure(client.key('GetKey', { accountId: acct, keyId: randomKeyId() }, md))).code).toBe(Status.NOT_FOUND);
    expect(app.logger.lines.filter((l) => l.level === 'error')).toEqual([]);
  });
});
