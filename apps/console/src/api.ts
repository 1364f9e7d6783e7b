/**
 * The API through the typed client (@cs/client, generated from docs/openapi.json): the access token is
 * added per request from memory; a problem+json answer becomes an ApiProblem, and RFC 9470's
 * `insufficient_user_authentication` challenge a StepUpRequired the screens answer by re-authenticating.
 */
import { createCredentialClient, type CredentialClient, type Schema } from '@cs/client';
import { currentSession } from './auth';

export type KeyView = Schema<'KeyViewAnswer'>;
export type Problem = Schema<'Problem'>;
export type HistoryEntry = Schema<'AccountHistoryEntryAnswer'> | Schema<'HistoryEntryAnswer'>;
export type Validity = Schema<'ValidityAnswer'>;
export type LeakPolicyView = Schema<'LeakPolicyAnswer'>;

export class ApiProblem extends Error {
  constructor(
    readonly status: number,
    readonly problem: Partial<Problem>,
  ) {
    super(problem.detail ?? problem.title ?? `HTTP ${status}`);
  }
  get fieldErrors(): { field: string; message: string }[] {
    return this.problem.errors ?? [];
  }
}

/** The body field a problem code is about, for the rejections the API gives as one `detail` (no `errors` list). */
const CODE_FIELD: Record<string, string> = {
  INVALID_ALLOWED_IPS: 'allowedIps',
  INVALID_PERMISSIONS: 'permissions',
  PERMISSIONS_NOT_APPLICABLE: 'permissions',
  INVALID_ALLOWED_ORIGINS: 'allowedOrigins',
  ORIGINS_NOT_APPLICABLE: 'allowedOrigins',
  INVALID_EXTERNAL_ID: 'externalId',
  INVALID_METADATA: 'metadata',
  SECRET_IN_METADATA: 'metadata',
};

/**
 * What an answer says about one body field (`permissions`, `allowedOrigins`, …): its `errors` entries for
 * the field or one of its items (`permissions[2]`), or the detail of a rejection that is about that field.
 */
export function messagesFor(error: unknown, field: string): string[] {
  if (!(error instanceof ApiProblem)) return [];
  const listed = error.fieldErrors
    .filter((e) => e.field === field || e.field.startsWith(`${field}[`) || e.field.startsWith(`${field}.`))
    .map((e) => e.message);
  const code = error.problem.code;
  if (code && CODE_FIELD[code] === field && error.problem.detail) listed.push(error.problem.detail);
  return listed;
}

export class StepUpRequired extends ApiProblem {}

let client: CredentialClient | null = null;
let onSignedOut: (() => void) | null = null;

/** What to do when the API no longer accepts the token (expired, or none): sign in again (main.tsx). */
export function whenSignedOut(handler: () => void): void {
  onSignedOut = handler;
}

export function api(apiBase: string): CredentialClient {
  if (client) return client;
  client = createCredentialClient({ baseUrl: apiBase || window.location.origin });
  client.use({
    onRequest({ request }) {
      const session = currentSession();
      if (session) request.headers.set('authorization', `Bearer ${session.accessToken}`);
      return request;
    },
  });
  return client;
}

/** The data of an answer, or the problem it is (step-up recognised by its WWW-Authenticate challenge). */
export function unwrap<T>(result: { data?: T; error?: unknown; response: Response }): T {
  const { data, error, response } = result;
  if (response.ok && data !== undefined) return data;
  const problem = (error && typeof error === 'object' ? error : {}) as Partial<Problem>;
  const challenge = response.headers.get('www-authenticate') ?? '';
  if (response.status === 401 && /error="insufficient_user_authentication"/.test(challenge)) {
    throw new StepUpRequired(401, problem);
  }
  if (response.status === 401) onSignedOut?.();
  throw new ApiProblem(response.status, problem);
}

/** A path-parameter set for the account's routes. */
export const onAccount = (accountId: string) => ({ params: { path: { accountId } } });
export const onKey = (accountId: string, keyId: string) => ({ params: { path: { accountId, keyId } } });

/**
 * Every key of the account, page after page (the list answers 200 at most at a time, followed by
 * nextCursor); with `at`, as they were at that instant.
 */
export async function listAllKeys(apiBase: string, accountId: string, at?: string): Promise<KeyView[]> {
  const all: KeyView[] = [];
  let cursor: string | undefined;
  do {
    const answer = unwrap(
      await api(apiBase).GET('/v1/accounts/{accountId}/keys', {
        params: { path: { accountId }, query: { limit: 200, ...(at ? { at } : {}), ...(cursor ? { cursor } : {}) } },
      }),
    );
    all.push(...answer.keys);
    cursor = answer.nextCursor ?? undefined;
  } while (cursor);
  return all;
}
