/**
 * HTTP guards: actor JWT + tenant + role + step-up for management calls, and the service
 * credential for internal calls (verify, sign). Failures become problem+json with the right
 * WWW-Authenticate challenge.
 */
import { CanActivate, createParamDecorator, ExecutionContext, Inject, Injectable, SetMetadata } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { hash, timingSafeEqual } from 'node:crypto';
import type { FastifyRequest } from 'fastify';
import { APP_CONFIG, type AppConfig } from '@cs/composition';
import { ProblemException } from '../http/problem';
import { RateLimits, type ServiceCall } from '../rate-limit/rate-limits';
import { authorize, ruleFor, type AccessRule, type Actor, type AuthFailure } from './actor';
import { InvalidTokenError, JwtVerifier } from './jwt-verifier';

const ACCESS_RULE = 'credential-service:access-rule';
export const Requires = (rule: AccessRule): MethodDecorator & ClassDecorator => SetMetadata(ACCESS_RULE, rule);

const SERVICE_CALL = 'credential-service:service-call';
/** Which rate limit of the service credential an internal controller's calls count against. */
export const InternalCall = (call: ServiceCall): ClassDecorator => SetMetadata(SERVICE_CALL, call);

type RequestWithActor = FastifyRequest & { actor?: Actor };

export const CurrentActor = createParamDecorator((_: unknown, ctx: ExecutionContext): Actor => {
  return ctx.switchToHttp().getRequest<RequestWithActor>().actor as Actor;
});

export function bearerToken(header: string | string[] | undefined): string | null {
  if (typeof header !== 'string') return null;
  const match = /^Bearer[ ]+([^ ]+)[ ]*$/i.exec(header);
  return match ? match[1] : null;
}

export function authProblem(failure: AuthFailure): ProblemException {
  switch (failure.code) {
    case 'UNAUTHENTICATED':
      return new ProblemException(401, 'UNAUTHENTICATED', 'Authentication required', failure.message, {
        headers: { 'www-authenticate': `Bearer error="invalid_token", error_description="${failure.message.replace(/"/g, "'")}"` },
      });
    case 'STEP_UP_REQUIRED':
      return new ProblemException(401, 'STEP_UP_REQUIRED', 'Recent authentication required', failure.message, {
        maxAge: failure.maxAge,
        headers: {
          'www-authenticate':
            'Bearer error="insufficient_user_authentication", ' +
            `error_description="A recent password re-verification is required", max_age=${failure.maxAge}`,
        },
      });
    case 'FORBIDDEN':
      return new ProblemException(403, 'FORBIDDEN', 'Not allowed', failure.message);
    case 'KEY_NOT_FOUND':
      return new ProblemException(404, 'KEY_NOT_FOUND', 'Not found', 'key not found');
  }
}

/** The acting user from a bearer token, or the 401 problem that says why not (shared by HTTP and gRPC). */
export async function actorFromToken(verifier: JwtVerifier, token: string | null, howToSend: string): Promise<Actor> {
  if (!token) throw authProblem({ code: 'UNAUTHENTICATED', message: `send the actor token as ${howToSend}` });
  try {
    return await verifier.verify(token);
  } catch (error) {
    if (error instanceof InvalidTokenError) throw authProblem({ code: 'UNAUTHENTICATED', message: error.message });
    throw error;
  }
}

@Injectable()
export class ActorGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly verifier: JwtVerifier,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly limits: RateLimits,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const request = context
      .switchToHttp()
      .getRequest<RequestWithActor & { params: Record<string, string>; query?: Record<string, unknown> }>();
    const rule = ruleFor(
      this.reflector.getAllAndOverride<AccessRule>(ACCESS_RULE, [context.getHandler(), context.getClass()]),
      request.query,
    );
    const actor = await actorFromToken(this.verifier, bearerToken(request.headers.authorization), 'Authorization: Bearer <JWT>');
    await this.limits.actor(actor.sub);
    const failure = authorize(actor, request.params.accountId, rule, this.config.stepUpMaxAgeSeconds, Math.floor(Date.now() / 1000));
    if (failure) throw authProblem(failure);
    await this.limits.account(actor.acct);
    request.actor = actor;
    return true;
  }
}

/** Equal-time comparison of presented and configured service credentials (hashed to equal length). */
export function serviceTokenMatches(presented: string | null, expected: string): boolean {
  return serviceTokenChecker(expected)(presented);
}

/** serviceTokenMatches with the configured credential's digest computed once (the hot path's check). */
export function serviceTokenChecker(expected: string): (presented: string | null) => boolean {
  const b = hash('sha256', expected, 'buffer');
  return (presented) => {
    if (!presented) return false;
    return timingSafeEqual(hash('sha256', presented, 'buffer'), b);
  };
}

/** The 401 of an internal HTTP call without the service credential (ServiceTokenGuard, and verify's direct route). */
export const serviceCredentialRequired = (): ProblemException =>
  authProblem({ code: 'UNAUTHENTICATED', message: 'internal calls need the service credential as Authorization: Bearer <SERVICE_TOKEN>' });

@Injectable()
export class ServiceTokenGuard implements CanActivate {
  private readonly tokenMatches: (presented: string | null) => boolean;

  constructor(
    @Inject(APP_CONFIG) config: AppConfig,
    private readonly reflector: Reflector,
    private readonly limits: RateLimits,
  ) {
    this.tokenMatches = serviceTokenChecker(config.serviceToken);
  }

  canActivate(context: ExecutionContext): boolean | Promise<boolean> {
    const request = context.switchToHttp().getRequest<FastifyRequest>();
    if (!this.tokenMatches(bearerToken(request.headers.authorization))) throw serviceCredentialRequired();
    const limited = this.limits.service(this.reflector.get<ServiceCall>(SERVICE_CALL, context.getClass()) ?? 'signing');
    return limited ? limited.then(() => true) : true;
  }
}
