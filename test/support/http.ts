/**
 * A small HTTP client over global fetch, with the checks every e2e test wants on every call: never a
 * 5xx, and every error answer is application/problem+json with the RFC 9457 fields.
 */
import { actorToken, bearer, serviceAuth, type ActorTokenOptions } from './tokens';

export interface HttpResponse<T = any> {
  status: number;
  headers: Headers;
  contentType: string;
  text: string;
  body: T;
}

export interface RequestOptions {
  /** Sent as JSON (content-type application/json). */
  json?: unknown;
  /** Sent as is; give `contentType` too. */
  raw?: string | Buffer;
  contentType?: string;
  headers?: Record<string, string>;
  /** Allow a 5xx answer (only for the deliberate 503 of a service that is not ready). */
  allowServerError?: boolean;
}

/** Every answer a test saw, so suites can search them (e.g. for leaked secrets). */
export const seenResponses: HttpResponse[] = [];

export async function request<T = any>(
  baseUrl: string,
  method: string,
  path: string,
  options: RequestOptions = {},
): Promise<HttpResponse<T>> {
  const headers: Record<string, string> = { ...(options.headers ?? {}) };
  let body: string | Buffer | undefined;
  if (options.json !== undefined) {
    body = JSON.stringify(options.json);
    headers['content-type'] ??= 'application/json';
  } else if (options.raw !== undefined) {
    body = options.raw;
    if (options.contentType) headers['content-type'] = options.contentType;
  }
  const response = await fetch(`${baseUrl}${path}`, { method, headers, body });
  const text = await response.text();
  const contentType = response.headers.get('content-type') ?? '';
  let parsed: unknown = undefined;
  if (/json/.test(contentType) && text !== '') {
    try {
      parsed = JSON.parse(text);
    } catch {
      parsed = undefined;
    }
  }
  const result: HttpResponse<T> = { status: response.status, headers: response.headers, contentType, text, body: parsed as T };
  seenResponses.push(result);
  if (response.status >= 500 && !options.allowServerError) {
    throw new Error(`${method} ${path} answered ${response.status} (never a 5xx): ${text}`);
  }
  if (response.status >= 400) assertProblem(result, `${method} ${path}`);
  return result;
}

/** RFC 9457 shape: problem+json with type, title, status (equal to the HTTP status), detail. */
export function assertProblem(response: HttpResponse, label = 'response'): void {
  const problem = response.body as Record<string, unknown> | undefined;
  const ok =
    response.contentType.startsWith('application/problem+json') &&
    problem !== undefined &&
    typeof problem.type === 'string' &&
    typeof problem.title === 'string' &&
    problem.status === response.status &&
    typeof problem.detail === 'string';
  if (!ok)
    throw new Error(`${label}: ${response.status} is not a problem+json answer (content-type ${response.contentType}): ${response.text}`);
}

/** An actor's view of the management API, plus the internal calls with the service token. */
export class Client {
  constructor(
    readonly baseUrl: string,
    private readonly auth: Record<string, string> = {},
  ) {}

  static async actor(baseUrl: string, options: ActorTokenOptions): Promise<Client> {
    return new Client(baseUrl, bearer(await actorToken(options)));
  }

  static service(baseUrl: string): Client {
    return new Client(baseUrl, serviceAuth());
  }

  call<T = any>(method: string, path: string, options: RequestOptions = {}): Promise<HttpResponse<T>> {
    return request<T>(this.baseUrl, method, path, { ...options, headers: { ...this.auth, ...(options.headers ?? {}) } });
  }

  keysPath(accountId: string, keyId?: string, suffix = ''): string {
    return `/v1/accounts/${accountId}/keys${keyId ? `/${keyId}` : ''}${suffix}`;
  }

  generate(accountId: string, body: Record<string, unknown> = { kind: 'api' }): Promise<HttpResponse> {
    return this.call('POST', this.keysPath(accountId), { json: body });
  }
  list(accountId: string): Promise<HttpResponse> {
    return this.call('GET', this.keysPath(accountId));
  }
  get(accountId: string, keyId: string): Promise<HttpResponse> {
    return this.call('GET', this.keysPath(accountId, keyId));
  }
  regenerate(accountId: string, keyId: string, body: Record<string, unknown>, headers: Record<string, string> = {}): Promise<HttpResponse> {
    return this.call('POST', this.keysPath(accountId, keyId, '/regenerate'), { json: body, headers });
  }
  setExpiry(accountId: string, keyId: string, body: Record<string, unknown>): Promise<HttpResponse> {
    return this.call('POST', this.keysPath(accountId, keyId, '/expiry'), { json: body });
  }
  reveal(accountId: string, keyId: string, body?: Record<string, unknown>): Promise<HttpResponse> {
    return this.call('POST', this.keysPath(accountId, keyId, '/reveal'), body ? { json: body } : {});
  }
  update(accountId: string, keyId: string, body: unknown): Promise<HttpResponse> {
    return this.call('PATCH', this.keysPath(accountId, keyId), { json: body });
  }
  revoke(accountId: string, keyId: string): Promise<HttpResponse> {
    return this.call('DELETE', this.keysPath(accountId, keyId));
  }
  history(accountId: string, keyId: string): Promise<HttpResponse> {
    return this.call('GET', this.keysPath(accountId, keyId, '/history'));
  }
  verify(body: unknown): Promise<HttpResponse> {
    return this.call('POST', '/v1/verify', { json: body });
  }
  sign(accountId: string, body: Record<string, unknown>): Promise<HttpResponse> {
    return this.call('POST', `/v1/accounts/${accountId}/signatures`, { json: body });
  }
  signRaw(accountId: string, bytes: Buffer): Promise<HttpResponse> {
    return this.call('POST', `/v1/accounts/${accountId}/signatures`, { raw: bytes, contentType: 'application/octet-stream' });
  }
  verifySignature(accountId: string, body: Record<string, unknown>): Promise<HttpResponse> {
    return this.call('POST', `/v1/accounts/${accountId}/signatures/verify`, { json: body });
  }
}

/** A well-formed id no key has. */
export function randomKeyId(): string {
  const alphabet = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
  let id = 'key_';
  while (id.length < 28) id += alphabet[Math.floor(Math.random() * alphabet.length)];
  return id;
}
