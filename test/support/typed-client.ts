/**
 * The typed client (@cs/client, generated from docs/openapi.json) for e2e suites, with the checks
 * every e2e call gets (as the untyped `request` in http.ts): never a 5xx, and every error answer is
 * application/problem+json with the RFC 9457 fields. Suites written with it stop compiling when
 * the contract changes under them.
 */
import { createCredentialClient, type CredentialClient } from '@cs/client';
import { assertProblem, seenResponses, type HttpResponse } from './http';

/** The raw text of each answer, read before openapi-fetch parses it. */
const texts = new WeakMap<Response, string>();

export function typedClient(baseUrl: string, token?: string): CredentialClient {
  const client = createCredentialClient({ baseUrl, token });
  client.use({
    async onResponse({ request, response }) {
      const text = await response.clone().text();
      texts.set(response, text);
      const contentType = response.headers.get('content-type') ?? '';
      let body: unknown = undefined;
      if (/json/.test(contentType) && text !== '') {
        try {
          body = JSON.parse(text);
        } catch {
          body = undefined;
        }
      }
      const seen: HttpResponse = { status: response.status, headers: response.headers, contentType, text, body };
      seenResponses.push(seen);
      const label = `${request.method} ${new URL(request.url).pathname}`;
      if (response.status >= 500) throw new Error(`${label} answered ${response.status} (never a 5xx): ${text}`);
      if (response.status >= 400) assertProblem(seen, label);
      return undefined;
    },
  });
  return client;
}

interface Result<T, E> {
  data?: T;
  error?: E;
  response: Response;
}

export interface Answer<T> {
  status: number;
  headers: Headers;
  body: T;
  /** The answer as sent (to look for what must not be in it). */
  text: string;
}

/** A success: asserts the status and gives the typed body. */
export function ok<T, E>(result: Result<T, E>, status: number): Answer<T> {
  expect({ status: result.response.status, body: result.error }).toEqual({ status, body: undefined });
  if (result.data === undefined) throw new Error(`${status} without a body`);
  return { status, headers: result.response.headers, body: result.data, text: texts.get(result.response) ?? '' };
}

/** A problem: asserts the status and gives the typed problem body. */
export function problem<T, E>(result: Result<T, E>, status: number): Answer<E> {
  expect({ status: result.response.status, body: result.data }).toEqual({ status, body: undefined });
  if (result.error === undefined) throw new Error(`${status} without a problem body`);
  return { status, headers: result.response.headers, body: result.error, text: texts.get(result.response) ?? '' };
}

/** A body the contract does not allow, sent on purpose to see it refused. */
export const invalid = (body: unknown): never => body as never;
