/**
 * Every error leaves as problem+json. Known client mistakes (bad JSON, oversized or wrongly typed
 * bodies, unknown routes) are 4xx with a message; only a genuine fault is a 500, logged without the
 * request body (which may hold a key).
 */
import { ArgumentsHost, Catch, HttpException, Logger, type ExceptionFilter } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { isIndexUnavailable } from '@cs/validity';
import { ProblemException } from './problem';

const FASTIFY_CLIENT_ERRORS: Record<string, [number, string, string]> = {
  FST_ERR_CTP_BODY_TOO_LARGE: [413, 'BODY_TOO_LARGE', 'Request body too large'],
  FST_ERR_CTP_INVALID_MEDIA_TYPE: [415, 'UNSUPPORTED_MEDIA_TYPE', 'Unsupported media type'],
  FST_ERR_CTP_EMPTY_JSON_BODY: [400, 'MALFORMED_JSON', 'Malformed JSON'],
  FST_ERR_CTP_INVALID_JSON_BODY: [400, 'MALFORMED_JSON', 'Malformed JSON'],
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: [400, 'BAD_REQUEST', 'Bad request'],
};

export function toProblem(error: unknown): ProblemException {
  if (error instanceof ProblemException) return error;
  if (isIndexUnavailable(error)) return indexUnavailable();
  const code = (error as { code?: string }).code;
  if (code && FASTIFY_CLIENT_ERRORS[code]) {
    const [status, problemCode, title] = FASTIFY_CLIENT_ERRORS[code];
    const detail = status === 413 ? 'the request body is larger than the service accepts' : (error as Error).message;
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
    const title = status === 404 ? 'Not found' : error.message;
    const detail = status === 404 ? 'no such route' : error.message;
    return new ProblemException(status, status === 404 ? 'ROUTE_NOT_FOUND' : `HTTP_${status}`, title, detail);
  }
  const status = (error as { statusCode?: number }).statusCode;
  if (typeof status === 'number' && status >= 400 && status < 500) {
    return new ProblemException(status, `HTTP_${status}`, 'Bad request', (error as Error).message);
  }
  return new ProblemException(500, 'INTERNAL', 'Internal error', 'the service failed to handle this request; it has been logged');
}

/**
 * The validity index is not proven current (unreachable, stalled, emptied, behind the event store):
 * no verdict and no key list from it. Retry shortly; the service heals by itself.
 */
export const indexUnavailable = (): ProblemException =>
  new ProblemException(503, 'INDEX_UNAVAILABLE', 'Validity index unavailable', 'the validity index is not available or not yet caught up with the event store; retry shortly', {
    headers: { 'retry-after': '1' },
  });

export function sendProblem(reply: FastifyReply, problem: ProblemException): void {
  for (const [name, value] of Object.entries(problem.extras.headers ?? {})) void reply.header(name, value);
  void reply.status(problem.status).header('content-type', 'application/problem+json; charset=utf-8').send(problem.body());
}

@Catch()
export class ProblemFilter implements ExceptionFilter {
  private readonly logger = new Logger('http');

  catch(error: unknown, host: ArgumentsHost): void {
    const problem = toProblem(error);
    if (problem.code === 'INTERNAL') this.logger.error(`unhandled error: ${(error as Error)?.stack ?? String(error)}`);
    sendProblem(host.switchToHttp().getResponse<FastifyReply>(), problem);
  }
}
