/**
 * Health and the published API: /health answers ok once ready, /docs serves the OpenAPI UI and
 * /docs/json lists every path of the HTTP API.
 */
import { request, startTestApp, type TestApp } from '../support';

describe('health and docs over HTTP', () => {
  let app: TestApp;
  beforeAll(async () => {
    app = await startTestApp();
  });
  afterAll(async () => {
    await app?.close();
  });

  it('GET /health answers 200 { status: "ok" } without credentials once ready', async () => {
    const res = await request(app.url, 'GET', '/health');
    expect(res.status).toBe(200);
    expect(res.body.status).toBe('ok');
  });

  it('answers 503 on /health, and 503 NOT_READY problems elsewhere, while the read model is not ready', async () => {
    const infra = app.service.infra;
    infra.ready = false;
    try {
      const health = await request(app.url, 'GET', '/health', { allowServerError: true });
      expect(health.status).toBe(503);
      expect(health.body.status).not.toBe('ok');
      const verify = await request(app.url, 'POST', '/v1/verify', { json: { key: 'x' }, allowServerError: true });
      expect(verify.status).toBe(503);
      expect(verify.contentType).toMatch(/^application\/problem\+json/);
      expect(verify.body.code).toBe('NOT_READY');
      expect(verify.headers.get('retry-after')).toBe('1');
    } finally {
      infra.ready = true;
    }
    expect((await request(app.url, 'GET', '/health')).status).toBe(200);
  });

  it('/docs serves the OpenAPI UI', async () => {
    const res = await request(app.url, 'GET', '/docs');
    expect(res.status).toBe(200);
    expect(res.contentType).toMatch(/text\/html/);
    expect(res.text.toLowerCase()).toContain('swagger');
  });

  it('/docs/json lists the paths of the HTTP API with their methods', async () => {
    const res = await request(app.url, 'GET', '/docs/json');
    expect(res.status).toBe(200);
    const paths = res.body.paths as Record<string, Record<string, unknown>>;
    const expected: Array<[string, string[]]> = [
      ['/v1/accounts/{accountId}/keys', ['post', 'get']],
      ['/v1/accounts/{accountId}/keys/{keyId}', ['get', 'patch', 'delete']],
      ['/v1/accounts/{accountId}/keys/{keyId}/regenerate', ['post']],
      ['/v1/accounts/{accountId}/keys/{keyId}/expiry', ['post']],
      ['/v1/accounts/{accountId}/keys/{keyId}/reveal', ['post']],
      ['/v1/accounts/{accountId}/keys/{keyId}/history', ['get']],
      ['/v1/verify', ['post']],
      ['/v1/accounts/{accountId}/signatures', ['post']],
      ['/v1/accounts/{accountId}/signatures/verify', ['post']],
      ['/health', ['get']],
    ];
    for (const [path, methods] of expected) {
      expect(Object.keys(paths)).toContain(path);
      for (const method of methods) expect(Object.keys(paths[path])).toContain(method);
    }
  });
});
