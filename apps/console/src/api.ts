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
