/** KeyService.ListKeys with filters and pages: the HTTP list's rules over gRPC (page_size, page_token, next_page_token). */
import { Client, startTestApp, uniqueAccount, type TestApp } from '../support';
import { actorMetadata, failure, GrpcClients, Status } from './grpc-client';

describe('ListKeys over gRPC: filters and pages', () => {
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

  it('pages 7 keys by 3 with page_token, every key once; next_page_token empty at the end', async () => {
    const acct = uniqueAccount();
    const md = await actorMetadata({ acct, sub: 'user_grpc_list' });
    const made: string[] = [];
    for (let i = 0; i < 7; i++) made.push((await grpc.key('GenerateKey', { accountId: acct, kind: 'KEY_KIND_API' }, md)).key.id);
    const pages: string[][] = [];
    let pageToken = '';
    do {
      const answer = await grpc.key('ListKeys', { accountId: acct, pageSize: 3, pageToken }, md);
      pages.push(answer.keys.map((k: { id: string }) => k.id));
      pageToken = answer.nextPageToken;
    } while (pageToken !== '' && pages.length < 10);
    expect(pages.map((p) => p.length)).toEqual([3, 3, 1]);
    expect(pages.flat()).toEqual(made);
  });

  it('filters by status and kind', async () => {
    const acct = uniqueAccount();
    const md = await actorMetadata({ acct, sub: 'user_grpc_list' });
    const api = (await grpc.key('GenerateKey', { accountId: acct, kind: 'KEY_KIND_API' }, md)).key.id;
    const sig = (await grpc.key('GenerateKey', { accountId: acct, kind: 'KEY_KIND_SIGNING' }, md)).key.id;
    await grpc.key('RevokeKey', { accountId: acct, keyId: api }, md);
    const ids = async (request: Record<string, unknown>): Promise<string[]> =>
      (await grpc.key('ListKeys', { accountId: acct, ...request }, md)).keys.map((k: { id: string }) => k.id);
    expect(await ids({ status: 'KEY_STATUS_REVOKED' })).toEqual([api]);
    expect(await ids({ status: 'KEY_STATUS_ACTIVE' })).toEqual([sig]);
    expect(await ids({ kind: 'KEY_KIND_SIGNING' })).toEqual([sig]);
    expect(await ids({ kind: 'KEY_KIND_API', status: 'KEY_STATUS_ACTIVE' })).toEqual([]);
  });

  it('`at`: the keys as they were then, as the HTTP list at that instant answers', async () => {
    const acct = uniqueAccount();
    const md = await actorMetadata({ acct, sub: 'user_grpc_list' });
    const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
    const first = (await grpc.key('GenerateKey', { accountId: acct, kind: 'KEY_KIND_API', allowedIps: ['10.0.0.0/8'] }, md)).key.id;
    await sleep(15);
    const at = new Date().toISOString();
    await sleep(15);
    await grpc.key('RevokeKey', { accountId: acct, keyId: first }, md);
    await grpc.key('GenerateKey', { accountId: acct, kind: 'KEY_KIND_SIGNING' }, md);
    const then = await grpc.key('ListKeys', { accountId: acct, at }, md);
    expect(then.keys.map((k: { id: string; status: string; allowedIps: string[] }) => [k.id, k.status, k.allowedIps])).toEqual([
      [first, 'KEY_STATUS_ACTIVE', ['10.0.0.0/8']],
    ]);
    expect((await grpc.key('ListKeys', { accountId: acct }, md)).keys).toHaveLength(2);
    const http = await Client.actor(app.url, { acct, sub: 'user_grpc_list' });
    const overHttp = await http.call('GET', `/v1/accounts/${acct}/keys?at=${at}`);
    expect(overHttp.body.keys.map((k: { id: string; status: string }) => [k.id, k.status])).toEqual([[first, 'active']]);
    // An auditor may ask for the list at an instant (a read of history), not for the live one.
    const auditor = await actorMetadata({ acct, sub: 'auditor_grpc_list', roles: ['auditor'] });
    expect((await grpc.key('ListKeys', { accountId: acct, at }, auditor)).keys).toHaveLength(1);
    expect((await failure(grpc.key('ListKeys', { accountId: acct }, auditor))).code).toBe(Status.PERMISSION_DENIED);
  });

  it.each([
    ['page_size', { pageSize: 201 }],
    ['page_size', { pageSize: -1 }],
    ['page_token', { pageToken: 'ak_live_SECRETVALUE' }],
    ['at', { at: 'ak_live_SECRETVALUE' }],
    ['at', { at: '2999-01-01T00:00:00Z' }],
  ])('refuses a bad %s with INVALID_ARGUMENT, not repeating it', async (field, request) => {
    const acct = uniqueAccount();
    const md = await actorMetadata({ acct, sub: 'user_grpc_list' });
    const error = await failure(grpc.key('ListKeys', { accountId: acct, ...request }, md));
    expect(error.code).toBe(Status.INVALID_ARGUMENT);
    expect(error.details).toContain(field);
    expect(error.details).not.toContain('SECRETVALUE');
  });
});
