/**
 * The bodies the HTTP edge reads: JSON, nested at most MAX_JSON_DEPTH levels (validation walks a
 * body recursively, so a deeper one could exhaust the stack before any rule runs), and, on the
 * routes marked with OCTET_STREAM_BODY (signing: the exact payload bytes), application/octet-stream.
 * Any other media type (form-encoded, text/plain, multipart, none) is 415 UNSUPPORTED_MEDIA_TYPE.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { FastifyRequest } from 'fastify';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { ProblemException } from './problem';

/** Route config (Nest: `@RouteConfig(OCTET_STREAM_BODY)`) of a route that also takes raw bytes. */
export const OCTET_STREAM_BODY = { octetStreamBody: true } as const;

/**
 * Route config of a JSON route that also needs the exact bytes it was sent (a partner's signature
 * over the body: secret-scanning): the parser keeps them as `request.rawBody`.
 */
export const RAW_JSON_BODY = { rawJsonBody: true } as const;

export type RequestWithRawBody = FastifyRequest & { rawBody?: Buffer };

const keepsRawBody = (request: FastifyRequest): boolean =>
  (request.routeOptions?.config as { rawJsonBody?: unknown } | undefined)?.rawJsonBody === true;

const takesOctetStream = (request: FastifyRequest): boolean =>
  (request.routeOptions?.config as { octetStreamBody?: unknown } | undefined)?.octetStreamBody === true;

export const unsupportedMediaType = (octetStream: boolean): ProblemException =>
  new ProblemException(
    415,
    'UNSUPPORTED_MEDIA_TYPE',
    'Unsupported media type',
    octetStream
      ? 'send the body as application/json, or the exact payload bytes as application/octet-stream'
      : 'send the body as application/json',
  );

export const MAX_JSON_DEPTH = 32;

/**
 * True if arrays and objects in the JSON text nest deeper than `limit`. One pass over the bytes,
 * no recursion; brackets inside strings do not count. (UTF-8 never puts these ASCII bytes inside a
 * multi-byte character.) Malformed text is left for the parser to refuse.
 */
export function nestsDeeperThan(bytes: Uint8Array, limit: number): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < bytes.length; i++) {
    const byte = bytes[i];
    if (inString) {
      if (byte === 0x5c)
        i++; // backslash: the next byte is escaped
      else if (byte === 0x22) inString = false;
    } else if (byte === 0x22) {
      inString = true;
    } else if (byte === 0x7b || byte === 0x5b) {
      if (++depth > limit) return true;
    } else if (byte === 0x7d || byte === 0x5d) {
      depth--;
    }
  }
  return false;
}

export const tooDeep = (): ProblemException =>
  new ProblemException(
    400,
    'BODY_TOO_DEEP',
    'Request body nested too deeply',
    `the JSON body may nest arrays and objects at most ${MAX_JSON_DEPTH} levels deep`,
  );

/**
 * Replaces Fastify's default parsers (JSON, text/plain) and Nest's (JSON, form-encoded) with the
 * ones above. Call before listen().
 */
export function installBodyParsers(app: NestFastifyApplication): void {
  const fastify = app.getHttpAdapter().getInstance();
  const parseJson = fastify.getDefaultJsonParser('error', 'error');
  fastify.removeAllContentTypeParsers();
  app.useBodyParser('application/json', {}, (request, body, done) => {
    if (nestsDeeperThan(body, MAX_JSON_DEPTH)) {
      done(tooDeep(), undefined);
      return;
    }
    if (keepsRawBody(request as FastifyRequest)) (request as RequestWithRawBody).rawBody = body;
    // The default parser answers through `done` (its type also allows the promise-returning form).
    void parseJson(request as Parameters<typeof parseJson>[0], body.toString('utf8'), done);
  });
  fastify.addContentTypeParser('application/octet-stream', { parseAs: 'buffer' }, (request, body, done) => {
    if (takesOctetStream(request)) done(null, body);
    else done(unsupportedMediaType(false), undefined);
  });
  // Everything else; an unknown route stays a 404 rather than a 415.
  fastify.addContentTypeParser('*', (request, _payload, done) => {
    if (request.is404) done(null, undefined);
    else done(unsupportedMediaType(takesOctetStream(request)), undefined);
  });
  // `Expect:` other than 100-continue (the body handshake): Node answers 417 itself, with no body.
  fastify.server.on('checkExpectation', (_request: IncomingMessage, response: ServerResponse) => {
    const problem = new ProblemException(
      417,
      'EXPECTATION_FAILED',
      'Expectation failed',
      'the only Expect the service supports is 100-continue',
    );
    const body = JSON.stringify(problem.body());
    response
      .writeHead(417, {
        'content-type': 'application/problem+json; charset=utf-8',
        'content-length': Buffer.byteLength(body),
        connection: 'close',
      })
      .end(body);
  });
}
