/**
 * Every error leaves as problem+json. Known client mistakes (bad JSON, oversized or wrongly typed
 * bodies, unknown routes) are 4xx with a message; only a genuine fault is a 500, logged without the
 * request body (which may hold a key).
 */
import { ArgumentsHost, Catch, HttpException, Logger, type ExceptionFilter } from '@nestjs/common';
import { STATUS_CODES } from 'node:http';
import type { FastifyReply } from 'fastify';
import { EventStoreUnavailableError, StreamDeletedError } from '@cs/event-store';
import { isHistoryUnavailable, isIndexUnavailable } from '@cs/validity';
import { ProblemException } from './problem';

/** Fastify's client errors, each with a fixed detail: Fastify's messages can quote the request (a content type, a path). */
const FASTIFY_CLIENT_ERRORS: Record<string, [number, string, string, string]> = {
  FST_ERR_CTP_BODY_TOO_LARGE: [413, 'BODY_TOO_LARGE', 'Request body too large', 'the request body is larger than the service accepts'],
  FST_ERR_CTP_INVALID_MEDIA_TYPE: [415, 'UNSUPPORTED_MEDIA_TYPE', 'Unsupported media type', 'send the body as application/json'],
  FST_ERR_CTP_EMPTY_JSON_BODY: [400, 'MALFORMED_JSON', 'Malformed JSON', 'the body is empty, but its content type says JSON'],
  FST_ERR_CTP_INVALID_JSON_BODY: [400, 'MALFORMED_JSON', 'Malformed JSON', 'the body is not valid JSON'],
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: [400, 'BAD_REQUEST', 'Bad request', 'the body does not match its Content-Length'],
};

export function toProblem(error: unknown): ProblemException {
  if (error instanceof ProblemException) return error;
  if (isIndexUnavailable(error)) return indexUnavailable();
  if (isHistoryUnavailable(error)) return historyUnavailable();
  if (error instanceof EventStoreUnavailableError) return storeUnavailable();
  if (error instanceof StreamDeletedError) return keyHistoryDeleted();
  const code = (error as { code?: string }).code;
  if (code && FASTIFY_CLIENT_ERRORS[code]) {
    const [status, problemCode, title, detail] = FASTIFY_CLIENT_ERRORS[code];
    return new ProblemException(status, problemCode, title, detail);
  }
  if (error instanceof SyntaxError || (error as { statusCode?: number }).statusCode === 400) {
    return new ProblemException(400, 'MALFORMED_JSON', 'Malformed JSON', 'the body is not valid JSON');
  }
  if (error instanceof HttpException) {
    const status = error.getStatus();
    // Nest's own error handler (registered at init, after ours) re-throws Fastify's errors as
    // HttpException(message, statusCode), dropping their code: map them back by status.
    if (status === 413) return toProblem({ code: 'FST_ERR_CTP_BODY_TOO_LARGE', message: error.message });
    if (status === 415) return toProblem({ code: 'FST_ERR_CTP_INVALID_MEDIA_TYPE', message: error.message });
    if (status === 400 && /JSON/.test(error.message)) {
      return new ProblemException(400, 'MALFORMED_JSON', 'Malformed JSON', 'the body is not valid JSON');
    }
    if (status === 404) return new ProblemException(404, 'ROUTE_NOT_FOUND', 'Not found', 'no such route');
    if (status < 500) return otherClientError(status);
    return new ProblemException(status, `HTTP_${status}`, error.message, error.message);
  }
  const status = (error as { statusCode?: number }).statusCode;
  if (typeof status === 'number' && status >= 400 && status < 500) return otherClientError(status);
  return new ProblemException(500, 'INTERNAL', 'Internal error', 'the service failed to handle this request; it has been logged');
}

/** Any other 4xx from the framework, by its status alone (its message could quote the request). */
const otherClientError = (status: number): ProblemException => {
  const reason = STATUS_CODES[status] ?? 'Client error';
  return new ProblemException(status, `HTTP_${status}`, reason, `the request was refused: ${reason.toLowerCase()}`);
};

/**
 * The validity index is not proven current (unreachable, stalled, emptied, behind the event store):
 * no verdict and no key list from it. Retry shortly; the service heals by itself.
 */
export const indexUnavailable = (): ProblemException =>
  new ProblemException(
    503,
    'INDEX_UNAVAILABLE',
    'Validity index unavailable',
    'the validity index is not available or not yet caught up with the event store; retry shortly',
    {
      headers: { 'retry-after': '1' },
    },
  );

/** The account history read model's store (Redis, or SQLite in DATA_DIR) failed or did not answer. Retry shortly. */
export const historyUnavailable = (): ProblemException =>
  new ProblemException(
    503,
    'HISTORY_UNAVAILABLE',
    'Account history unavailable',
    'the account history read model does not answer now; retry shortly (keys, verify and commands are not affected)',
    { headers: { 'retry-after': '1' } },
  );

/**
 * The event store (the system of record) could not be reached, timed out or refused the call. A
 * change may still have been recorded (a write can land after its deadline): the caller reads the
 * key, or repeats the change with If-Match, so a repeat never applies it twice. Retry shortly.
 */
export const storeUnavailable = (): ProblemException =>
  new ProblemException(
    503,
    'STORE_UNAVAILABLE',
    'Event store unavailable',
    'the event store did not answer or refused the call; a change may still have been recorded: ' +
      'read the key, or repeat with If-Match, before retrying',
    { headers: { 'retry-after': '1' } },
  );

/**
 * The key's stream was hard-deleted in the event store (by an operator): it can never be read or
 * changed again under this id.
 */
export const keyHistoryDeleted = (): ProblemException =>
  new ProblemException(
    410,
    'KEY_HISTORY_DELETED',
    'Key history deleted',
    "this key's history was deleted from the event store by an operator; it cannot be read or changed",
  );

/** Logged at the edge: what an operator must see, without the request (it may hold a key). */
export function logProblemCause(logger: Logger, problem: ProblemException, error: unknown): void {
  if (problem.code === 'INTERNAL') logger.error(`unhandled error: ${(error as Error)?.stack ?? String(error)}`);
  else if (problem.code === 'STORE_UNAVAILABLE') {
    const retryable = (error as { retryable?: boolean }).retryable;
    const hint = retryable ? '' : ' (not retryable: check EVENTSTORE_URL, credentials and the server)';
    const line = `event store unavailable${hint}: ${(error as Error).message}`;
    if (retryable) logger.warn(line);
    else logger.error(line);
  } else if (problem.code === 'KEY_HISTORY_DELETED') logger.warn((error as Error).message);
  else if (problem.code === 'HISTORY_UNAVAILABLE') logger.warn(`account history read model unavailable: ${messageOfCause(error)}`);
}

const messageOfCause = (error: unknown): string => {
  const cause = (error as { cause?: unknown }).cause;
  return cause instanceof Error ? cause.message : (error as Error).message;
};

export function sendProblem(reply: FastifyReply, problem: ProblemException): void {
  for (const [name, value] of Object.entries(problem.extras.headers ?? {})) void reply.header(name, value);
  void reply.status(problem.status).header('content-type', 'application/problem+json; charset=utf-8').send(problem.body());
}

/** Any error as its problem+json answer, its cause logged (ProblemFilter, and routes served outside Nest). */
export function answerProblem(logger: Logger, reply: FastifyReply, error: unknown): void {
  const problem = toProblem(error);
  logProblemCause(logger, problem, error);
  sendProblem(reply, problem);
}

@Catch()
export class ProblemFilter implements ExceptionFilter {
  private readonly logger = new Logger('http');

  catch(error: unknown, host: ArgumentsHost): void {
    answerProblem(this.logger, host.switchToHttp().getResponse<FastifyReply>(), error);
  }
}
