/**
 * POST /v1/verify served straight by Fastify: the hot path of every merchant request, so it skips
 * Nest's per-request pipeline (router context, guard and pipe consumers, exception zone, reflection)
 * that costs more than the lookup itself. VerifyController still declares the route (its contract
 * and OpenAPI document come from its decorators) and Nest still registers it; `directRoute` below,
 * an `onRoute` hook, swaps in this handler as it registers, with a compiled serializer for the answer.
 *
 * What the Nest pipeline did here is done here, in the same order, with the same answers: the
 * service credential (ServiceTokenGuard), its `verify` rate limit, the body's shape
 * (unknown fields, then VerifyService.checkInput), and problem+json for every error (ProblemFilter's
 * mapping). Bodies are parsed by the parsers every route shares (http/body-parsing.ts), and the
 * Fastify hooks (readiness, tracing) run as for every route.
 */
import { Logger } from '@nestjs/common';
import type { FastifyReply, FastifyRequest, RouteOptions } from 'fastify';
import type { KeyKind } from '@cs/domain';
import type { VerifyResult } from '@cs/validity';
import { bearerToken, serviceCredentialRequired, serviceTokenChecker } from '../auth/guards';
import { badRequest, joinMessages } from '../http/problem';
import { answerProblem } from '../http/problem.filter';
import { unknownFieldErrors } from '../http/validation';
import type { RateLimits } from '../rate-limit/rate-limits';
import type { VerifyService } from './verify.service';

/** Route config (Nest: `@RouteConfig(DIRECT_VERIFY_ROUTE)`) of the route this handler serves. */
export const DIRECT_VERIFY_ROUTE = { directRoute: 'verify' } as const;

const FIELDS = ['key', 'ip', 'kind', 'permissions', 'origin'] as const;

/** The answer's JSON Schema, compiled by Fastify into a serializer (same fields and order as the object). */
const VERIFY_RESULT_SCHEMA = {
  type: 'object',
  required: ['valid', 'code'],
  properties: {
    valid: { type: 'boolean' },
    code: { type: 'string' },
    keyId: { type: 'string' },
    accountId: { type: 'string' },
    kind: { type: 'string' },
    expiresAt: { type: ['string', 'null'] },
    permissions: { type: 'array', items: { type: 'string' } },
    metadata: { type: 'object', additionalProperties: true },
    externalId: { type: ['string', 'null'] },
    webhookFormat: { type: 'string' },
  },
} as const;

export interface VerifyRouteDeps {
  verifier: VerifyService;
  limits: RateLimits;
  serviceToken: string;
}

/** The body as VerifyController declares it, or the 400 that says what is wrong (never echoing a value). */
export function readVerifyBody(
  verifier: VerifyService,
  body: unknown,
): { key: string; ip: string | undefined; kind: KeyKind; permissions: string[] | undefined; origin: string | undefined } {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw badRequest('the body must be a JSON object { key, ip? }');
  const { key, ip, kind, permissions, origin } = body as Record<string, unknown>;
  const unknown = unknownFieldErrors(body, FIELDS);
  if (unknown.length > 0)
    throw badRequest(
      joinMessages(
        unknown.map((e) => e.message),
        '',
      ),
      unknown,
    );
  const error = verifier.checkInput(key, ip, kind);
  if (error) throw badRequest(error.message, [error]);
  const permissionsError = verifier.checkRequiredPermissions(permissions);
  if (permissionsError) throw badRequest(permissionsError.message, [permissionsError]);
  const originError = verifier.checkOrigin(origin);
  if (originError) throw badRequest(originError.message, [originError]);
  return {
    key: key as string,
    ip: (ip ?? undefined) as string | undefined,
    kind: (kind ?? 'api') as KeyKind,
    permissions: (permissions ?? undefined) as string[] | undefined,
    origin: (origin ?? undefined) as string | undefined,
  };
}

export function verifyHandler(deps: VerifyRouteDeps): (request: FastifyRequest, reply: FastifyReply) => Promise<VerifyResult | void> {
  const logger = new Logger('http');
  const tokenMatches = serviceTokenChecker(deps.serviceToken);
  return async (request, reply) => {
    try {
      if (!tokenMatches(bearerToken(request.headers.authorization))) throw serviceCredentialRequired();
      const limited = deps.limits.service('verify');
      if (limited) await limited;
      const { key, ip, kind, permissions, origin } = readVerifyBody(deps.verifier, request.body);
      return await deps.verifier.verify(key, ip, kind, 'http', permissions, origin);
    } catch (error) {
      answerProblem(logger, reply, error);
    }
  };
}

/**
 * An `onRoute` hook: when Nest registers the route marked DIRECT_VERIFY_ROUTE, its handler becomes
 * `handler` and its 200 answer gets a compiled serializer. Add it before Nest registers routes (app.init).
 */
export function directRoute(handler: RouteOptions['handler']): (route: RouteOptions) => void {
  return (route) => {
    const config: { directRoute?: unknown } | undefined = route.config;
    if (config?.directRoute !== DIRECT_VERIFY_ROUTE.directRoute) return;
    route.handler = handler;
    route.schema = { ...(route.schema ?? {}), response: { 200: VERIFY_RESULT_SCHEMA } };
  };
}
