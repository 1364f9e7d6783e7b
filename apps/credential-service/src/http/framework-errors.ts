/**
 * Answers Fastify and Node's HTTP parser give before any route runs: a URL that does not decode, a
 * path segment over Fastify's limit, headers (the request line included) over Node's 16 KiB, a
 * request that is not HTTP, a client that stalls. They are problem+json like every other error,
 * and, like them, never repeat the request (the path or a header could hold a secret).
 */
import { STATUS_CODES } from 'node:http';
import type { Socket } from 'node:net';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { ProblemException } from './problem';
import { sendProblem, toProblem } from './problem.filter';

/** Errors of Fastify's router (options.frameworkErrors): a bad URL, an overlong path parameter. */
export function frameworkProblem(error: Error & { code?: string }): ProblemException {
  if (error.code === 'FST_ERR_BAD_URL') {
    return new ProblemException(400, 'BAD_REQUEST', 'Bad request', 'the URL is not valid: a percent-encoded part does not decode');
  }
  if (error.code === 'FST_ERR_MAX_PARAM_LENGTH') {
    return new ProblemException(414, 'URI_TOO_LONG', 'URI too long', 'a path segment of the URL is longer than the service accepts');
  }
  return toProblem(error);
}

/** Errors of Node's HTTP parser and timeouts (server 'clientError'): no request exists yet. */
export function clientErrorProblem(error: Error & { code?: string }): ProblemException {
  if (error.code === 'HPE_HEADER_OVERFLOW') {
    return new ProblemException(
      431,
      'HEADERS_TOO_LARGE',
      'Request header fields too large',
      'the request line and headers together are larger than the service accepts (16 KiB)',
    );
  }
  if (error.code === 'ERR_HTTP_REQUEST_TIMEOUT') {
    return new ProblemException(408, 'REQUEST_TIMEOUT', 'Request timeout', 'the request did not arrive in time');
  }
  return new ProblemException(400, 'BAD_REQUEST', 'Bad request', 'the request is not valid HTTP/1.1');
}

/** A whole HTTP/1.1 response, for writing on a socket that has no response object. */
export function rawProblemResponse(problem: ProblemException): string {
  const body = JSON.stringify(problem.body());
  return [
    `HTTP/1.1 ${problem.status} ${STATUS_CODES[problem.status] ?? 'Error'}`,
    'content-type: application/problem+json; charset=utf-8',
    `content-length: ${Buffer.byteLength(body)}`,
    'connection: close',
    '',
    body,
  ].join('\r\n');
}

/** Fastify server options: pass to the FastifyAdapter (bootstrap.ts). */
export const FRAMEWORK_ERROR_ANSWERS = {
  frameworkErrors: (error: Error, _request: FastifyRequest, reply: FastifyReply): void => sendProblem(reply, frameworkProblem(error)),
  clientErrorHandler: (error: Error & { code?: string }, socket: Socket): void => {
    if (error.code === 'ECONNRESET' || socket.destroyed) return;
    // As Node's own handler: only if no response has started on this connection.
    const pending = (socket as Socket & { _httpMessage?: { headersSent?: boolean } })._httpMessage;
    if (socket.writable && !pending?.headersSent) socket.write(rawProblemResponse(clientErrorProblem(error)));
    socket.destroy(error);
  },
};
