/**
 * The published contract: /docs/json is OpenAPI 3.1, the same document as the committed
 * docs/openapi.json (and the typed client's types are what that document gives), every route says
 * which credential it takes and which problems it answers, and the UI loads at /docs and /docs/.
 * Schemathesis (scripts/schemathesis.sh, tier `schemathesis` of npm test) checks the answers against it.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import { request, startTestApp, type TestApp } from '../support';

const ROOT = join(__dirname, '../..');
const REGENERATE = 'run `npm run openapi` and commit docs/openapi.json and libs/client/src/schema.d.ts';

type Operation = {
  operationId: string;
  security: Array<Record<string, string[]>>;
  responses: Record<string, { content?: Record<string, { schema: { allOf?: Array<{ properties?: { code?: { enum: string[] } } }> } }> }>;
  requestBody?: { content: Record<string, unknown> };
  parameters?: Array<{ name: string; in: string }>;
};

describe('OpenAPI document', () => {
  let app: TestApp;
  let served: { openapi: string; info: { description: string }; paths: Record<string, Record<string, Operation>>; components: any };
  const operations = (): Operation[] => Object.values(served.paths).flatMap((item) => Object.values(item));
  const operation = (id: string): Operation => {
    const found = operations().find((op) => op.operationId === id);
    if (!found) throw new Error(`no operation ${id}`);
    return found;
  };
  const codes = (op: Operation, status: number): string[] =>
    op.responses[String(status)]?.content?.['application/problem+json']?.schema.allOf?.[1]?.properties?.code?.enum ?? [];

  beforeAll(async () => {
    app = await startTestApp();
    served = (await request(app.url, 'GET', '/docs/json')).body;
  });
  afterAll(async () => {
    await app?.close();
  });

  it('is the committed docs/openapi.json (regenerate with npm run openapi)', () => {
    const committed: unknown = JSON.parse(readFileSync(join(ROOT, 'docs/openapi.json'), 'utf8'));
    if (!isDeepStrictEqual(served, committed)) {
      throw new Error(`docs/openapi.json differs from what the service serves at /docs/json: ${REGENERATE}`);
    }
  });

  it('gives the committed typed client (libs/client/src/schema.d.ts)', () => {
    try {
      execFileSync(process.execPath, [join(ROOT, 'scripts/openapi-types.js'), '--check'], { cwd: ROOT, stdio: 'pipe' });
    } catch (error) {
      throw new Error(`${String((error as { stderr?: Buffer }).stderr ?? error)}\n${REGENERATE}`, { cause: error });
    }
  });

  it('is OpenAPI 3.1 with one security scheme for actor JWTs and one for the service credential', () => {
    expect(served.openapi).toBe('3.1.0');
    expect(served.components.securitySchemes).toEqual({
      actorJwt: expect.objectContaining({ type: 'http', scheme: 'bearer', bearerFormat: 'JWT' }),
      serviceToken: expect.objectContaining({ type: 'http', scheme: 'bearer' }),
    });
    expect(served.components.securitySchemes.serviceToken.bearerFormat).toBeUndefined();
    // Nothing outside the repository is referred to.
    expect(JSON.stringify(served)).not.toMatch(/\.md\b/);
  });

  it('requires on each route the credential its guard requires (the service token on verify, signatures and the audit chain check), and none on health, the public JWKS or leak reports (signed by the partner)', () => {
    for (const [path, item] of Object.entries(served.paths)) {
      for (const op of Object.values(item)) {
        const expected =
          path.startsWith('/health') || path.endsWith('/jwks.json') || path === '/v1/secret-scanning/reports'
            ? []
            : path === '/v1/verify' || path.includes('/signatures') || path === '/v1/audit/verify'
              ? [{ serviceToken: [] }]
              : [{ actorJwt: [] }];
        expect({ path, security: op.security }).toEqual({ path, security: expected });
      }
    }
  });

  it('documents every error answer as problem+json with the codes of the route', () => {
    for (const op of operations()) {
      for (const [status, response] of Object.entries(op.responses)) {
        if (Number(status) >= 400) expect(Object.keys(response.content ?? {})).toEqual(['application/problem+json']);
      }
      expect(codes(op, 500)).toEqual(['INTERNAL']);
      expect(codes(op, 503)).toContain('NOT_READY');
    }
    expect(codes(operation('generateKey'), 401)).toEqual(['STEP_UP_REQUIRED', 'UNAUTHENTICATED']);
    expect(codes(operation('updateKey'), 401)).toEqual(['UNAUTHENTICATED']);
    expect(codes(operation('regenerateKey'), 409)).toEqual(expect.arrayContaining(['CONCURRENT_CHANGE', 'KEY_REVOKED', 'TOO_MANY_KEYS']));
    expect(codes(operation('getKey'), 404)).toEqual(['KEY_NOT_FOUND', 'ROUTE_NOT_FOUND']);
    expect(codes(operation('getKeyHistory'), 410)).toEqual(['KEY_HISTORY_DELETED']);
    expect(codes(operation('signPayload'), 409)).toEqual(['NO_SIGNING_KEY']);
    expect(codes(operation('verifyKey'), 503)).toEqual(['INDEX_UNAVAILABLE', 'NOT_READY']);
    expect(codes(operation('revokeKey'), 503)).toEqual(['INDEX_UNAVAILABLE', 'NOT_READY', 'STORE_UNAVAILABLE']);
    expect(codes(operation('listKeys'), 429)).toEqual(['RATE_LIMITED']);
    expect(operation('listKeys').responses['429']).toHaveProperty('headers.Retry-After');
    expect(operation('revokeKey').responses['503']).toHaveProperty('headers.Retry-After');
    expect(codes(operation('generateKey'), 415)).toEqual(['UNSUPPORTED_MEDIA_TYPE']);
  });

  it('documents If-Match and ETag, the query parameters, and both signature body forms', () => {
    for (const id of ['regenerateKey', 'setKeyExpiry', 'revealKey', 'updateKey', 'revokeKey']) {
      expect(operation(id).parameters).toContainEqual(expect.objectContaining({ name: 'If-Match', in: 'header' }));
    }
    expect(operation('getKey').responses['200']).toHaveProperty('headers.ETag');
    expect(operation('getKeyValidity').parameters).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ name: 'at', in: 'query', required: true }),
        expect.objectContaining({ name: 'ip', in: 'query' }),
      ]),
    );
    expect(operation('getAccountHistory').parameters).toContainEqual(expect.objectContaining({ name: 'limit', in: 'query' }));
    for (const id of ['signPayload', 'verifySignature']) {
      expect(Object.keys(operation(id).requestBody?.content ?? {}).sort()).toEqual(['application/json', 'application/octet-stream']);
    }
    expect(operation('verifySignature').parameters).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ name: 'X-Signature', in: 'header' }),
        expect.objectContaining({ name: 'toleranceSeconds', in: 'query' }),
      ]),
    );
    // the API refuses unknown fields: every JSON body says so
    const schemas = served.components.schemas as Record<string, { additionalProperties?: boolean }>;
    for (const name of ['GenerateKeyDto', 'RegenerateKeyDto', 'SetExpiryDto', 'RevealKeyDto', 'UpdateKeyDto', 'RevokeKeyDto', 'SignDto']) {
      expect({ name, additionalProperties: schemas[name].additionalProperties }).toEqual({ name, additionalProperties: false });
    }
  });

  it('links a generated key to the calls on it (Schemathesis follows them in its stateful phase)', () => {
    const links = (operation('generateKey').responses['201'] as { links?: Record<string, { operationId: string }> }).links ?? {};
    expect(Object.values(links).map((link) => link.operationId)).toEqual(
      expect.arrayContaining(['getKey', 'regenerateKey', 'revokeKey', 'revealKey', 'updateKey', 'setKeyExpiry', 'getKeyHistory']),
    );
  });

  it('serves the UI at /docs, and /docs/ leads there (its assets load relative to /docs)', async () => {
    const page = await request(app.url, 'GET', '/docs');
    expect(page.status).toBe(200);
    const assets = [...page.text.matchAll(/(?:src|href)="\.\/([^"]+)"/g)].map((match) => match[1]);
    expect(assets).toContain('docs/swagger-ui-bundle.js');
    for (const asset of assets) {
      const loaded = await fetch(`${app.url}/${asset}`);
      await loaded.arrayBuffer();
      expect({ asset, status: loaded.status }).toEqual({ asset, status: 200 });
    }
    const slash = await fetch(`${app.url}/docs/`, { redirect: 'manual' });
    await slash.arrayBuffer();
    expect(slash.status).toBe(301);
    expect(slash.headers.get('location')).toBe('/docs');
    const followed = await fetch(`${app.url}/docs/`);
    expect(followed.url).toBe(`${app.url}/docs`);
    expect(await followed.text()).toContain('swagger-ui-bundle.js');
  });
});
