/**
 * The OpenAPI 3.1 document of the HTTP API, generated from the controllers: @nestjs/swagger reads
 * the routes, DTOs and answer classes; the decorators here say which problem codes a route can
 * answer (`ApiProblems`), which credential it takes (`ApiActor`, `ApiService`) and that a route
 * also takes raw bytes (`ApiOctetStreamBody`); `finishDocument` turns those marks into responses,
 * security requirements and request bodies, and converts the few 3.0 spellings Nest emits
 * (`nullable`) into 3.1's. Served at /docs (UI) and /docs/json, and written to docs/openapi.json
 * by `npm run openapi` (a test fails when the committed file differs from what is served).
 */
import { STATUS_CODES } from 'node:http';
import { applyDecorators } from '@nestjs/common';
import type { INestApplication } from '@nestjs/common';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { ApiExtension, DocumentBuilder, SwaggerModule, type OpenAPIObject } from '@nestjs/swagger';
import { REJECTION_STATUS } from '../keys/rejections';

type Rejection = keyof typeof REJECTION_STATUS;

/** Every problem code the HTTP edge answers, with its status (rejections come from the one table in keys/rejections.ts). */
export const PROBLEM_STATUS = {
  ...(Object.fromEntries(Object.entries(REJECTION_STATUS).map(([code, { http }]) => [code, http])) as Record<Rejection, number>),
  VALIDATION_FAILED: 400,
  MALFORMED_JSON: 400,
  BODY_TOO_DEEP: 400,
  BAD_REQUEST: 400,
  INVALID_ID: 400,
  UNAUTHENTICATED: 401,
  STEP_UP_REQUIRED: 401,
  FORBIDDEN: 403,
  ROUTE_NOT_FOUND: 404,
  REQUEST_TIMEOUT: 408,
  NO_SIGNING_KEY: 409,
  KEY_HISTORY_DELETED: 410,
  BODY_TOO_LARGE: 413,
  URI_TOO_LONG: 414,
  UNSUPPORTED_MEDIA_TYPE: 415,
  EXPECTATION_FAILED: 417,
  RATE_LIMITED: 429,
  HEADERS_TOO_LARGE: 431,
  INTERNAL: 500,
  NOT_READY: 503,
  INDEX_UNAVAILABLE: 503,
  STORE_UNAVAILABLE: 503,
  IDEMPOTENCY_KEY_IN_USE: 409,
  IDEMPOTENCY_KEY_REUSED: 422,
  IDEMPOTENCY_UNAVAILABLE: 503,
  USAGE_UNAVAILABLE: 503,
  HISTORY_UNAVAILABLE: 503,
  REPORT_SIGNATURE_INVALID: 401,
  REPORT_KEY_UNKNOWN: 401,
  REPORT_REPLAYED: 409,
  SECRET_SCANNING_UNAVAILABLE: 503,
} as const;

export type ProblemCode = keyof typeof PROBLEM_STATUS;

/** What any route can answer before it runs: the HTTP edge (framework-errors.ts), the readiness gate, a fault. */
const EDGE: ProblemCode[] = [
  'BAD_REQUEST',
  'ROUTE_NOT_FOUND',
  'REQUEST_TIMEOUT',
  'URI_TOO_LONG',
  'EXPECTATION_FAILED',
  'HEADERS_TOO_LARGE',
  'INTERNAL',
  'NOT_READY',
];
/** What a route with a request body can answer about the body itself (body-parsing.ts, validation.ts). */
export const BODY: ProblemCode[] = ['VALIDATION_FAILED', 'MALFORMED_JSON', 'BODY_TOO_DEEP', 'BODY_TOO_LARGE', 'UNSUPPORTED_MEDIA_TYPE'];

/** What a generate or update can answer about a key's permissions, metadata, external id and origins (key-scopes.ts, origins.ts). */
export const SCOPE_PROBLEMS: ProblemCode[] = [
  'INVALID_PERMISSIONS',
  'PERMISSIONS_NOT_APPLICABLE',
  'INVALID_METADATA',
  'SECRET_IN_METADATA',
  'INVALID_EXTERNAL_ID',
  'INVALID_ALLOWED_ORIGINS',
  'ORIGINS_NOT_APPLICABLE',
];

/** An IPv4 (dotted decimal) or IPv6 address, as libs/domain isIpAddress accepts it. */
export const IP_SCHEMA = {
  anyOf: [
    { type: 'string', format: 'ipv4' },
    { type: 'string', format: 'ipv6' },
  ],
  example: '203.0.113.7',
};

const IPV4_OCTET = '(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])';
const H = '[0-9A-Fa-f]{1,4}';
/** An IPv6 address in hex groups (full, or compressed with one ::). */
const IPV6 = [
  `(${H}:){7}${H}`,
  `(${H}:){1,7}:`,
  `(${H}:){1,6}:${H}`,
  `(${H}:){1,5}(:${H}){1,2}`,
  `(${H}:){1,4}(:${H}){1,3}`,
  `(${H}:){1,3}(:${H}){1,4}`,
  `(${H}:){1,2}(:${H}){1,5}`,
  `${H}:(:${H}){1,6}`,
  `:((:${H}){1,7}|:)`,
]
  .map((form) => `(${form})`)
  .join('|')
  .replace(/^/, '(')
  .concat(')');
/**
 * An allow-list entry as libs/domain parseAllowList accepts it: an address, or a CIDR range (whose host
 * bits must be zero: that the schema cannot say, the service answers 400 INVALID_ALLOWED_IPS with the range to use).
 */
export const ALLOWED_IP_SCHEMA = {
  type: 'string',
  maxLength: 64,
  anyOf: [
    { type: 'string', format: 'ipv4' },
    { type: 'string', format: 'ipv6' },
    { type: 'string', pattern: `^(${IPV4_OCTET}\\.){3}${IPV4_OCTET}/(3[0-2]|[12]?[0-9])$` },
    { type: 'string', pattern: `^${IPV6}/(12[0-8]|1[01][0-9]|[1-9]?[0-9])$` },
  ],
  description: 'an IPv4/IPv6 address or a CIDR range without host bits set',
};

const PROBLEMS_EXTENSION = 'x-cs-problems';
const SECURITY_EXTENSION = 'x-cs-security';
const OCTET_STREAM_EXTENSION = 'x-cs-octet-stream';

let problemMarks = 0;
/**
 * The problem codes a route answers besides the edge's; several ApiProblems on one route add up (each
 * is an extension of its own, collected by finishDocument), and a code may be given twice.
 */
export const ApiProblems = (...codes: ProblemCode[]): MethodDecorator & ClassDecorator =>
  ApiExtension(`${PROBLEMS_EXTENSION}-${++problemMarks}`, codes);

/**
 * Rules of a request body that class-validator DTOs check in code rather than per field (an update must
 * change something; regenerate takes one of two fields), for the body's schema. Keyed by DTO class name.
 */
const BODY_SCHEMA_RULES = new Map<string, Record<string, unknown>>();
export const ApiBodyRules =
  (rules: Record<string, unknown>): ClassDecorator =>
  (target) => {
    BODY_SCHEMA_RULES.set(target.name, rules);
  };

export const ACTOR_SCHEME = 'actorJwt';
export const SERVICE_SCHEME = 'serviceToken';

/** Management routes: the actor JWT (ActorGuard), its tenant, role and rate limits; step-up where the route says so. */
export const ApiActor = (options: { stepUp?: boolean } = {}): MethodDecorator =>
  applyDecorators(
    ApiExtension(SECURITY_EXTENSION, ACTOR_SCHEME),
    ApiProblems(
      'UNAUTHENTICATED',
      'FORBIDDEN',
      'KEY_NOT_FOUND',
      'INVALID_ID',
      'RATE_LIMITED',
      ...(options.stepUp ? (['STEP_UP_REQUIRED'] as const) : []),
    ),
  );

/** Internal routes: the service credential (ServiceTokenGuard) and its rate limit. */
export const ApiService = (): MethodDecorator =>
  applyDecorators(ApiExtension(SECURITY_EXTENSION, SERVICE_SCHEME), ApiProblems('UNAUTHENTICATED', 'RATE_LIMITED'));

/** The route also takes the exact payload bytes as application/octet-stream (body-parsing.ts OCTET_STREAM_BODY). */
export const ApiOctetStreamBody = (description: string): MethodDecorator => ApiExtension(OCTET_STREAM_EXTENSION, description);

const RETRY_AFTER = {
  'Retry-After': { description: 'seconds to wait before retrying', schema: { type: 'integer', minimum: 1 } },
};
const WWW_AUTHENTICATE = {
  'WWW-Authenticate': {
    description:
      'the Bearer challenge (RFC 6750; RFC 9470 insufficient_user_authentication with max_age for step-up); ' +
      'on the secret scanning route, Github-Public-Key-Signature',
    schema: { type: 'string' },
  },
};

const STATUS_DESCRIPTION: Record<number, string> = {
  400: 'The request is not valid',
  401: 'No valid credential, or a step-up is required, or a leak report not signed by the partner',
  403: 'The role does not allow this call',
  404: 'No such key in this account (another account is the same answer), or no such route',
  408: 'The request did not arrive in time',
  409: 'The key is in a state where this change is refused, or it changed meanwhile',
  410: 'The key’s history was deleted from the event store by an operator',
  413: 'The body is larger than the service accepts',
  414: 'A path segment is too long',
  415: 'The body’s media type is not accepted',
  417: 'An Expect other than 100-continue',
  429: 'Rate limited',
  431: 'Request line and headers too large',
  500: 'The service failed (logged)',
  503: 'Not ready, or the event store or validity index is unavailable; retry after Retry-After',
};

const PROBLEM_SCHEMA = {
  type: 'object',
  description: 'RFC 9457 problem details, with a stable `code`. Never repeats what was sent.',
  required: ['type', 'title', 'status', 'detail', 'code'],
  properties: {
    type: {
      type: 'string',
      description: 'a URI reference naming the problem, /problems/<code in kebab case>',
      example: '/problems/key-not-found',
    },
    title: { type: 'string', example: 'Key not found' },
    status: { type: 'integer', description: 'the HTTP status', example: 404 },
    detail: { type: 'string', example: 'key not found' },
    code: { type: 'string', enum: Object.keys(PROBLEM_STATUS).sort(), example: 'KEY_NOT_FOUND' },
    errors: {
      type: 'array',
      maxItems: 20,
      description: 'field errors (VALIDATION_FAILED, INVALID_ID, …); at most 20',
      items: {
        type: 'object',
        required: ['field', 'message'],
        properties: { field: { type: 'string' }, message: { type: 'string' } },
      },
    },
    errorsOmitted: { type: 'integer', minimum: 1, description: 'how many field errors were left out' },
    maxAge: { type: 'integer', description: 'STEP_UP_REQUIRED: how recent (seconds) auth_time must be' },
    retryAfterSeconds: { type: 'integer', description: 'RATE_LIMITED: seconds until the window ends' },
    details: { type: 'object', description: 'NOT_READY from /health/ready: the readiness details' },
  },
};

type Json = Record<string, unknown>;
type Operation = Json & { responses?: Record<string, Json>; requestBody?: Json; parameters?: Json[] };

/** Nest writes OpenAPI 3.0's `nullable: true`; 3.1 spells it as a type union (or `null` among the anyOf). */
function toJsonSchema2020(node: unknown): void {
  if (Array.isArray(node)) {
    node.forEach(toJsonSchema2020);
    return;
  }
  if (!node || typeof node !== 'object') return;
  const schema = node as Json;
  if (schema.nullable === true) {
    delete schema.nullable;
    if (typeof schema.type === 'string') schema.type = [schema.type, 'null'];
    else if (schema.allOf || schema.$ref) {
      const { description, ...rest } = schema;
      for (const key of Object.keys(schema)) delete schema[key];
      Object.assign(schema, { anyOf: [rest, { type: 'null' }] }, description ? { description } : {});
    }
  } else if (schema.nullable === false) delete schema.nullable;
  // a null `example` of a nullable field stays; enums of nullable fields get null (3.1 validates enum against the value)
  if (Array.isArray(schema.type) && schema.type.includes('null') && Array.isArray(schema.enum) && !schema.enum.includes(null))
    schema.enum = [...(schema.enum as unknown[]), null];
  Object.values(schema).forEach(toJsonSchema2020);
}

/** Unknown fields are refused (validation.ts: forbidNonWhitelisted, unknownFieldErrors): say so in every request body. */
function closeRequestBodies(document: OpenAPIObject, operations: Operation[]): void {
  const schemas = (document.components?.schemas ?? {}) as Record<string, Json>;
  for (const operation of operations) {
    const json = (operation.requestBody?.content as Record<string, { schema?: Json }> | undefined)?.['application/json'];
    const ref = json?.schema?.$ref as string | undefined;
    const schema = ref ? schemas[ref.replace('#/components/schemas/', '')] : json?.schema;
    if (schema && schema.type === 'object') schema.additionalProperties = false;
    if (schema && ref) Object.assign(schema, BODY_SCHEMA_RULES.get(ref.replace('#/components/schemas/', '')) ?? {});
  }
}

function problemResponses(operation: Operation): void {
  const codes = new Set<ProblemCode>(EDGE);
  for (const mark of Object.keys(operation).filter((key) => key.startsWith(`${PROBLEMS_EXTENSION}-`))) {
    (operation[mark] as ProblemCode[]).forEach((code) => codes.add(code));
    delete operation[mark];
  }
  if (operation.requestBody) BODY.forEach((code) => codes.add(code));
  const byStatus = new Map<number, ProblemCode[]>();
  for (const code of codes) byStatus.set(PROBLEM_STATUS[code], [...(byStatus.get(PROBLEM_STATUS[code]) ?? []), code]);
  const responses = (operation.responses ??= {});
  for (const [status, list] of [...byStatus].sort(([a], [b]) => a - b)) {
    const headers = status === 429 || status === 503 ? RETRY_AFTER : status === 401 ? WWW_AUTHENTICATE : undefined;
    responses[String(status)] = {
      description: `${STATUS_DESCRIPTION[status]}: ${list.sort().join(', ')}`,
      ...(headers ? { headers } : {}),
      content: {
        'application/problem+json': {
          schema: {
            allOf: [
              { $ref: '#/components/schemas/Problem' },
              { type: 'object', properties: { status: { const: status }, code: { enum: list } } },
            ],
          },
        },
      },
    };
  }
}

/** Nest leaves a success answer's description empty; OpenAPI wants one: the status's reason phrase. */
function describeSuccess(operation: Operation): void {
  for (const [status, response] of Object.entries(operation.responses ?? {})) {
    if (!response.description) response.description = STATUS_CODES[Number(status)] ?? 'Answer';
  }
}

function securityOf(operation: Operation): void {
  const scheme = operation[SECURITY_EXTENSION] as string | undefined;
  delete operation[SECURITY_EXTENSION];
  operation.security = scheme ? [{ [scheme]: [] }] : [];
}

function octetStreamBody(operation: Operation): void {
  const description = operation[OCTET_STREAM_EXTENSION] as string | undefined;
  if (!description) return;
  delete operation[OCTET_STREAM_EXTENSION];
  const content = ((operation.requestBody ??= { required: true }).content ??= {}) as Json;
  content['application/octet-stream'] = { schema: { type: 'string', format: 'binary', description } };
}

/** The document as served and committed: 3.1, problem responses, security per route, both body forms. */
export function finishDocument(document: OpenAPIObject): OpenAPIObject {
  const operations = Object.values(document.paths).flatMap((item) =>
    (['get', 'put', 'post', 'delete', 'patch'] as const).map((method) => item[method] as Operation | undefined).filter((op) => !!op),
  );
  closeRequestBodies(document, operations);
  for (const operation of operations) {
    describeSuccess(operation);
    securityOf(operation);
    octetStreamBody(operation);
    problemResponses(operation);
  }
  document.components = { ...document.components, schemas: { ...(document.components?.schemas ?? {}), Problem: PROBLEM_SCHEMA } };
  toJsonSchema2020(document.components.schemas);
  toJsonSchema2020(document.paths);
  return document;
}

export const OPENAPI_DESCRIPTION =
  'API keys and signing keys for merchants of a payments platform: generate, rotate with a grace period, restrict by IP, ' +
  'reveal on step-up, revoke, verify, sign payloads. Management calls take an actor JWT (`actorJwt`); internal calls ' +
  '(verify, sign) take the service credential (`serviceToken`). Every error is application/problem+json (RFC 9457) with a ' +
  'stable `code`. The README of the repository, section "HTTP API", describes the rules behind each call.';

/** The whole document for an application whose controllers are registered (no listening needed). */
export function createOpenApiDocument(app: INestApplication): OpenAPIObject {
  const config = new DocumentBuilder()
    .setOpenAPIVersion('3.1.0')
    .setTitle('Credential service')
    .setDescription(OPENAPI_DESCRIPTION)
    .setVersion('1')
    .setLicense('Apache-2.0', 'https://www.apache.org/licenses/LICENSE-2.0')
    .addBearerAuth(
      { type: 'http', scheme: 'bearer', bearerFormat: 'JWT', description: 'actor JWT: sub, acct, roles, auth_time (step-up), exp' },
      ACTOR_SCHEME,
    )
    .addBearerAuth(
      { type: 'http', scheme: 'bearer', description: 'the internal service credential (SERVICE_TOKEN), an opaque token' },
      SERVICE_SCHEME,
    )
    .build();
  // Nest's addBearerAuth defaults bearerFormat to JWT; the service credential is opaque.
  delete (config.components?.securitySchemes?.[SERVICE_SCHEME] as { bearerFormat?: string } | undefined)?.bearerFormat;
  return finishDocument(SwaggerModule.createDocument(app, config));
}

/**
 * UI at /docs, JSON at /docs/json. The UI page loads its assets relative to itself (./docs/…), which
 * only resolves from /docs: /docs/ (a blank page before) is sent to /docs.
 */
export function serveOpenApi(app: NestFastifyApplication, document: OpenAPIObject): void {
  app
    .getHttpAdapter()
    .getInstance()
    .addHook('onRequest', async (request, reply) => {
      if (request.method === 'GET' && request.url.split('?')[0] === '/docs/') {
        await reply.redirect('/docs', 301);
        return reply;
      }
    });
  SwaggerModule.setup('docs', app, document, { jsonDocumentUrl: 'docs/json', yamlDocumentUrl: 'docs/yaml' });
}
