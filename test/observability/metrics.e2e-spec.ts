/**
 * What an operator scraping /metrics sees after real traffic (README, "Observability"): verify answers
 * by transport and code, commands by type and outcome (a rejection by its code), rate-limit refusals,
 * and the index's state; never a key, an account id or a token. Also apps/projector's /metrics.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '@cs/composition';
import { startProjector, type Projector } from '../../apps/projector/src/bootstrap';
import { actorMetadata, GrpcClients } from '../grpc/grpc-client';
import { CapturingLogger, Client, startTestApp, TEST_SECRETS, uniqueAccount, type TestApp } from '../support';

const scrape = async (url: string, token: string | null = TEST_SECRETS.SERVICE_TOKEN): Promise<{ status: number; text: string }> => {
  const res = await fetch(`${url}/metrics`, { headers: token ? { authorization: `Bearer ${token}` } : {} });
  return { status: res.status, text: await res.text() };
};

/** The value of one sample, e.g. sample(text, 'cs_verify_total{transport="grpc",code="VALID"}'); 0 when absent. */
const sample = (text: string, series: string): number => {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line ? Number(line.slice(series.length + 1)) : 0;
};

describe('/metrics of the credential service', () => {
  let app: TestApp;
  let grpc: GrpcClients;
  beforeAll(async () => {
    // A verify limit of 3 a second, counted call by call (limits below 200 are exact).
    app = await startTestApp({ RATE_LIMIT_VERIFY_PER_SECOND: '3' });
    grpc = new GrpcClients(app.service.grpcUrl);
  });
  afterAll(async () => {
    grpc?.close();
    await app?.close();
  });

  it('answers 401 problem+json without the service credential or with an actor token, and serves while not ready', async () => {
    expect((await scrape(app.url, null)).status).toBe(401);
    const acct = uniqueAccount();
    const actor = (await actorMetadata({ acct })).authorization.slice('Bearer '.length);
    expect((await scrape(app.url, actor)).status).toBe(401);
    app.service.infra.ready = false;
    try {
      const notReady = await scrape(app.url);
      expect(notReady.status).toBe(200);
      expect(sample(notReady.text, 'cs_ready')).toBe(0);
    } finally {
      app.service.infra.ready = true;
    }
  });

  it('counts verify answers by transport and code, commands by type and outcome, and rate-limit refusals', async () => {
    const before = (await scrape(app.url)).text;
    const acct = uniqueAccount();
    const owner = await Client.actor(app.url, { acct });
    const generated = await owner.generate(acct, { kind: 'api' });
    const keyId = generated.body.key.id as string;
    const secret = generated.body.secret as string;
    expect((await owner.revoke(acct, keyId)).status).toBe(200);
    expect((await owner.revoke(acct, keyId)).status).toBe(409); // already revoked: a rejection
    await new Promise((resolve) => setTimeout(resolve, 1100)); // a fresh one-second verify window
    const service = Client.service(app.url);
    expect((await service.verify({ key: secret })).body.code).toBe('REVOKED');
    expect((await service.verify({ key: 'ak_live_not-a-key' })).body.code).toBe('MALFORMED');
    expect((await grpc.verify('VerifyKey', { key: secret })).code).toBe('VERIFY_CODE_REVOKED');
    expect((await service.verify({ key: secret })).status).toBe(429);

    const after = (await scrape(app.url)).text;
    const delta = (series: string): number => sample(after, series) - sample(before, series);
    expect(delta('cs_verify_total{transport="http",code="REVOKED"}')).toBe(1);
    expect(delta('cs_verify_total{transport="http",code="MALFORMED"}')).toBe(1);
    expect(delta('cs_verify_total{transport="grpc",code="REVOKED"}')).toBe(1);
    expect(delta('cs_verify_duration_seconds_count{transport="http"}')).toBe(2);
    expect(delta('cs_verify_duration_seconds_count{transport="grpc"}')).toBe(1);
    expect(delta('cs_commands_total{command="GenerateKey",outcome="ok"}')).toBe(1);
    expect(delta('cs_commands_total{command="RevokeKey",outcome="ok"}')).toBe(1);
    expect(delta('cs_commands_total{command="RevokeKey",outcome="KEY_REVOKED"}')).toBe(1);
    expect(delta('cs_command_duration_seconds_count{command="RevokeKey",result="rejected"}')).toBe(1);
    expect(delta('cs_rate_limit_refusals_total{limit="verify"}')).toBe(1);
    expect(sample(after, 'cs_index_trusted')).toBe(1);
    expect(sample(after, 'cs_index_state{state="trusted"}')).toBe(1);
    expect(sample(after, 'cs_index_lag_positions')).toBe(0);
    // Labels come from fixed sets: no account, key id, secret or token anywhere.
    for (const forbidden of [acct, keyId, secret, TEST_SECRETS.SERVICE_TOKEN]) expect(after).not.toContain(forbidden);
  });
});

const redisUrl = process.env.REDIS_URL_TEST;
(redisUrl ? describe : describe.skip)('/metrics of apps/projector', () => {
  let projector: Projector;
  const dataDir = mkdtempSync(join(tmpdir(), 'cs-obs-proj-'));
  beforeAll(async () => {
    const env = {
      ...TEST_SECRETS,
      REDIS_URL: redisUrl!,
      REDIS_NAMESPACE: `obs-proj-${process.pid}-${Date.now().toString(36)}`,
      PORT: '0',
      HOST: '127.0.0.1',
      DATA_DIR: dataDir,
    };
    projector = await startProjector(loadConfig(env), { logger: new CapturingLogger() });
  });
  afterAll(async () => {
    await projector?.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('refuses a scrape without the service credential and serves the workers’ figures with it', async () => {
    const anonymous = await scrape(projector.url, null);
    expect(anonymous.status).toBe(401);
    expect(JSON.parse(anonymous.text)).toMatchObject({ status: 401, code: 'UNAUTHENTICATED' });
    const { status, text } = await scrape(projector.url);
    expect(status).toBe(200);
    expect(sample(text, 'cs_relay_running')).toBe(1);
    expect(sample(text, 'cs_relay_state{state="caught-up"}')).toBe(1);
    expect(sample(text, 'cs_relay_publish_failures_total')).toBe(0);
    expect(sample(text, 'cs_index_trusted')).toBe(1);
    expect(text).toMatch(/^cs_expiry_backlog 0$/m);
    expect(text).toMatch(/^process_resident_memory_bytes /m);
  });
});
