/**
 * A typed client of the credential service's HTTP API, generated from its OpenAPI document
 * (docs/openapi.json → schema.d.ts, `npm run openapi`) and called through openapi-fetch: paths,
 * parameters, bodies and answers (problem+json included) are checked by `tsc`, so a change of the
 * contract breaks its callers at compile time.
 *
 *   const client = createCredentialClient({ baseUrl: 'http://127.0.0.1:3000', token: ownerJwt });
 *   const { data, error, response } = await client.POST('/v1/accounts/{accountId}/keys', {
 *     params: { path: { accountId: 'acct_1' } },
 *     body: { kind: 'api', name: 'Checkout widget' },
 *   });
 */
import createClient, { type Client, type ClientOptions } from 'openapi-fetch';
import type { components, operations, paths } from './schema';

export type { components, operations, paths };
/** Answers are application/json, errors application/problem+json: both are typed. */
export type CredentialClient = Client<paths>;

/** Schemas of the document by name, e.g. `Schema<'KeyViewAnswer'>`, `Schema<'Problem'>`. */
export type Schema<Name extends keyof components['schemas']> = components['schemas'][Name];

/** The JSON request body of an operation, e.g. `JsonBody<'verifyKey'>`. */
export type JsonBody<Id extends keyof operations> = operations[Id] extends { requestBody?: { content: { 'application/json': infer B } } }
  ? B
  : never;

/**
 * `GET /console/config.json`: where the console signs in (outside the OpenAPI document, which covers
 * the API under /v1 only). The service writes it; the console reads it.
 */
export interface ConsoleConfig {
  issuer: string;
  clientId: string;
  scopes: string;
  apiBase: string;
  redirectPath: string;
}

export interface CredentialClientOptions extends Omit<ClientOptions, 'baseUrl'> {
  /** The service's base URL, e.g. http://127.0.0.1:3000 */
  baseUrl: string;
  /** An actor JWT (management calls) or the service credential (verify, sign): sent as `Authorization: Bearer`. */
  token?: string;
}

export function createCredentialClient({ baseUrl, token, headers, ...options }: CredentialClientOptions): CredentialClient {
  return createClient<paths>({
    baseUrl,
    ...options,
    headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...(headers as Record<string, string> | undefined) },
  });
}
