/**
 * SuspendKey and ResumeKey over gRPC: the same rules as the JSON API, with KEY_STATUS_SUSPENDED and
 * VERIFY_CODE_SUSPENDED as named enum values (never *_UNSPECIFIED), step-up, and the history.
 */
import { Client, STEP_UP_MAX_AGE_SECONDS, startTestApp, uniqueAccount, type TestApp } from '../support';
import { actorMetadata, failure, GrpcClients, Status } from './grpc-client';

describe('SuspendKey and ResumeKey over gRPC', () => {
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

  async function newKey(kind = 'KEY_KIND_API') {
    const acct = uniqueAccount();
    const md = await actorMetadata({ acct, sub: 'user_grpc' });
    const answer = await grpc.key('GenerateKey', { accountId: acct, kind }, md);
    return { acct, md, id: answer.key.id as string, secret: answer.secret as string };
  }
  const verify = async (key: string) => grpc.verify('VerifyKey', { key });

  it('suspend → VERIFY_CODE_SUSPENDED → resume → VERIFY_CODE_VALID; the history shows both events', async () => {
    const { acct, md, id, secret } = await newKey();
    const suspended = await grpc.key('SuspendKey', { accountId: acct, keyId: id, reason: 'unusual traffic' }, md);
    expect(suspended).toMatchObject({ id, status: 'KEY_STATUS_SUSPENDED', version: 1 });
    expect(await verify(secret)).toMatchObject({ valid: false, code: 'VERIFY_CODE_SUSPENDED', keyId: id, accountId: acct });
    expect((await grpc.key('GetKey', { accountId: acct, keyId: id }, md)).status).toBe('KEY_STATUS_SUSPENDED');
    // The same answer over HTTP.
    expect((await http.verify({ key: secret })).body.code).toBe('SUSPENDED');

    const resumed = await grpc.key('ResumeKey', { accountId: acct, keyId: id }, md);
    expect(resumed).toMatchObject({ id, status: 'KEY_STATUS_ACTIVE', version: 2 });
    expect(await verify(secret)).toMatchObject({ valid: true, code: 'VERIFY_CODE_VALID' });

    const { events } = await grpc.key('GetKeyHistory', { accountId: acct, keyId: id }, md);
    expect(events.map((e: { type: string }) => e.type)).toEqual(['KeyGenerated', 'KeySuspended', 'KeyResumed']);
    expect(JSON.parse(events[1].dataJson)).toEqual({ keyId: id, accountId: acct, kind: 'api', reason: 'unusual traffic' });
  });

  it('the validity at an instant while suspended says VERIFY_CODE_SUSPENDED and KEY_STATUS_SUSPENDED', async () => {
    const { acct, md, id } = await newKey();
    await grpc.key('SuspendKey', { accountId: acct, keyId: id }, md);
    const answer = await grpc.key('GetKeyValidityAt', { accountId: acct, keyId: id, at: new Date(Date.now() + 1000).toISOString() }, md);
    expect(answer.status).toBe('KEY_STATUS_SUSPENDED');
    expect(answer.secrets).toEqual([expect.objectContaining({ version: 1, valid: false, code: 'VERIFY_CODE_SUSPENDED' })]);
  });

  it('both need step-up: UNAUTHENTICATED with error-code STEP_UP_REQUIRED', async () => {
    const { acct, md, id, secret } = await newKey();
    const stale = await actorMetadata({ acct, authAge: STEP_UP_MAX_AGE_SECONDS + 30 });
    const refused = await failure(grpc.key('SuspendKey', { accountId: acct, keyId: id }, stale));
    expect(refused.code).toBe(Status.UNAUTHENTICATED);
    expect(refused.trailers['error-code']).toEqual(['STEP_UP_REQUIRED']);
    expect((await verify(secret)).code).toBe('VERIFY_CODE_VALID');
    await grpc.key('SuspendKey', { accountId: acct, keyId: id }, md);
    const staleResume = await failure(grpc.key('ResumeKey', { accountId: acct, keyId: id }, stale));
    expect(staleResume.trailers['error-code']).toEqual(['STEP_UP_REQUIRED']);
    expect((await verify(secret)).code).toBe('VERIFY_CODE_SUSPENDED');
  });

  it('KEY_SUSPENDED, KEY_NOT_SUSPENDED and CONCURRENT_CHANGE map to FAILED_PRECONDITION and ABORTED', async () => {
    const { acct, md, id } = await newKey();
    const notSuspended = await failure(grpc.key('ResumeKey', { accountId: acct, keyId: id }, md));
    expect(notSuspended.code).toBe(Status.FAILED_PRECONDITION);
    expect(notSuspended.trailers['error-code']).toEqual(['KEY_NOT_SUSPENDED']);
    const stale = await failure(grpc.key('SuspendKey', { accountId: acct, keyId: id, expectedVersion: 7 }, md));
    expect(stale.code).toBe(Status.ABORTED);
    expect(stale.trailers['error-code']).toEqual(['CONCURRENT_CHANGE']);
    await grpc.key('SuspendKey', { accountId: acct, keyId: id, expectedVersion: 0 }, md);
    const twice = await failure(grpc.key('SuspendKey', { accountId: acct, keyId: id }, md));
    expect(twice.code).toBe(Status.FAILED_PRECONDITION);
    expect(twice.trailers['error-code']).toEqual(['KEY_SUSPENDED']);
    const tooLong = await failure(grpc.key('SuspendKey', { accountId: acct, keyId: id, reason: 'x'.repeat(201) }, md));
    expect(tooLong.code).toBe(Status.INVALID_ARGUMENT);
  });

  it('revoking a suspended key is final: ResumeKey is KEY_REVOKED, verify VERIFY_CODE_REVOKED', async () => {
    const { acct, md, id, secret } = await newKey();
    await grpc.key('SuspendKey', { accountId: acct, keyId: id }, md);
    const revoked = await grpc.key('RevokeKey', { accountId: acct, keyId: id }, md);
    expect(revoked.status).toBe('KEY_STATUS_REVOKED');
    const again = await failure(grpc.key('ResumeKey', { accountId: acct, keyId: id }, md));
    expect(again.trailers['error-code']).toEqual(['KEY_REVOKED']);
    expect((await verify(secret)).code).toBe('VERIFY_CODE_REVOKED');
  });

  it('Sign leaves a suspended signing key out: FAILED_PRECONDITION NO_SIGNING_KEY when nothing else is left', async () => {
    const { acct, md, id } = await newKey('KEY_KIND_SIGNING');
    await grpc.key('SuspendKey', { accountId: acct, keyId: id }, md);
    const error = await failure(grpc.verify('Sign', { accountId: acct, payload: Buffer.from('x') }));
    expect(error.code).toBe(Status.FAILED_PRECONDITION);
    expect(error.trailers['error-code']).toEqual(['NO_SIGNING_KEY']);
    await grpc.key('ResumeKey', { accountId: acct, keyId: id }, md);
    expect((await grpc.verify('Sign', { accountId: acct, payload: Buffer.from('x') })).keyIds).toEqual([id]);
  });
});
