/**
 * Who may make a gRPC call: the same rules as the HTTP guards, read from `authorization` metadata.
 * Management calls: actor JWT (JwtVerifier), well-formed ids, then `authorize` (tenant → NOT_FOUND,
 * role → PERMISSION_DENIED, step-up → UNAUTHENTICATED); internal calls: the service token. Also
 * the readiness gate (UNAVAILABLE until the read model is loaded, like HTTP's 503) and requests
 * that could not be decoded (see undecodable.ts).
 */
import { Inject, Injectable } from '@nestjs/common';
import type { Metadata } from '@grpc/grpc-js';
import { APP_CONFIG, type AppConfig, type Infrastructure } from '@cs/composition';
import { authorize, type AccessRule, type Actor } from '../auth/actor';
import { actorFromToken, authProblem, bearerToken, serviceTokenChecker } from '../auth/guards';
import { JwtVerifier } from '../auth/jwt-verifier';
import { badRequest } from '../http/problem';
import { IdParamsPipe } from '../http/params';
import { INFRASTRUCTURE } from '../infrastructure/tokens';
import { RateLimits, type ServiceCall } from '../rate-limit/rate-limits';
import { unavailable } from './grpc-status';
import { undecodableReason } from './undecodable';

const ids = new IdParamsPipe();

/** The one `authorization` value; several are refused rather than guessed between. */
function authorization(metadata: Metadata | undefined): string | undefined {
  const values = metadata?.get('authorization') ?? [];
  return values.length === 1 && typeof values[0] === 'string' ? values[0] : undefined;
}

@Injectable()
export class GrpcAccess {
  constructor(
    private readonly verifier: JwtVerifier,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(INFRASTRUCTURE) private readonly infra: Infrastructure,
    private readonly limits: RateLimits,
  ) {
    this.tokenMatches = serviceTokenChecker(config.serviceToken);
  }

  /** The service credential's check, its digest computed once (VerifyKey is a hot path). */
  private readonly tokenMatches: (presented: string | null) => boolean;

  /** Before anything else: is the service ready, and was the request a message at all. */
  admit(request: unknown): void {
    if (!this.infra.ready) throw unavailable();
    const reason = undecodableReason(request);
    if (reason) throw badRequest(reason);
  }

  /** Management: the acting user, allowed by `rule` on this account (and well-formed ids). */
  async actor(
    request: { accountId?: string; keyId?: string } | undefined,
    metadata: Metadata | undefined,
    rule: AccessRule,
    withKeyId: boolean,
  ): Promise<Actor> {
    this.admit(request);
    const actor = await actorFromToken(this.verifier, bearerToken(authorization(metadata)), '`authorization: Bearer <JWT>` metadata');
    await this.limits.actor(actor.sub);
    this.checkIds(request, withKeyId);
    const failure = authorize(actor, request!.accountId as string, rule, this.config.stepUpMaxAgeSeconds, Math.floor(Date.now() / 1000));
    if (failure) throw authProblem(failure);
    await this.limits.account(actor.acct);
    return actor;
  }

  /** Internal calls (verify, sign): the service token, then its rate limit for `call`. */
  service(request: unknown, metadata: Metadata | undefined, call: ServiceCall): void | Promise<void> {
    this.admit(request);
    if (!this.tokenMatches(bearerToken(authorization(metadata)))) {
      throw authProblem({
        code: 'UNAUTHENTICATED',
        message: 'internal calls need the service credential as `authorization: Bearer <SERVICE_TOKEN>` metadata',
      });
    }
    return this.limits.service(call);
  }

  /** The HTTP path-parameter rules (http/params.ts), applied to the request's id fields. */
  checkIds(request: { accountId?: string; keyId?: string } | undefined, withKeyId: boolean): void {
    ids.transform(request?.accountId, { type: 'param', data: 'accountId' });
    if (withKeyId) ids.transform(request?.keyId, { type: 'param', data: 'keyId' });
  }
}
