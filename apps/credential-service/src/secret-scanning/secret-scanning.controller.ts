/**
 * POST /v1/secret-scanning/reports (README, "Secret scanning"): leak reports from a secret scanning
 * partner, compatible with GitHub's secret scanning partner program. No bearer token: the request
 * is authenticated by the partner's ECDSA signature over the exact body bytes
 * (`Github-Public-Key-Identifier`, `Github-Public-Key-Signature`), checked against its published
 * keys (partner-keys.ts). In this order: signature (401), shape (400), replay (409), then each
 * token (ReportLeaks). The answer is what the program reads back: per token, its SHA-256, its type
 * and `true_positive` (a key of this service) or `false_positive`.
 */
import { createHash } from 'node:crypto';
import { Controller, HttpCode, Inject, Post, Req } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { RouteConfig } from '@nestjs/platform-fastify';
import { ApiBody, ApiHeader, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ReportLeaks, type TokenVerdict } from '@cs/application';
import { activeTraceId } from '@cs/composition';
import { RAW_JSON_BODY, type RequestWithRawBody } from '../http/body-parsing';
import { ApiProblems } from '../http/openapi';
import { badRequest, ProblemException } from '../http/problem';
import { PartnerKeyCache, PartnerKeysUnavailableError, signatureMatches } from './partner-keys';
import { REPLAY_GUARD, ReplayGuardUnavailableError, type ReplayGuard } from './replay-guard';
import { MAX_REPORT_TOKENS, MAX_SOURCE_LENGTH, MAX_TOKEN_LENGTH, MAX_TOKEN_TYPE_LENGTH, MAX_URL_LENGTH, parseReport } from './report-input';
import { SECRET_SCANNING_SETTINGS, type SecretScanningSettings } from './secret-scanning.providers';

const KEY_ID_PATTERN = /^[A-Za-z0-9._:-]{1,256}$/;

const signatureInvalid = (detail: string): ProblemException =>
  new ProblemException(401, 'REPORT_SIGNATURE_INVALID', 'Report signature not valid', detail, {
    headers: { 'www-authenticate': 'Github-Public-Key-Signature' },
  });

const unavailable = (detail: string): ProblemException =>
  new ProblemException(503, 'SECRET_SCANNING_UNAVAILABLE', 'Secret scanning unavailable', detail, { headers: { 'retry-after': '5' } });

const REPORT_ITEM = {
  type: 'object',
  required: ['token', 'type', 'url'],
  properties: {
    token: { type: 'string', minLength: 1, maxLength: MAX_TOKEN_LENGTH, description: 'the string found; only its SHA-256 is kept' },
    type: { type: 'string', minLength: 1, maxLength: MAX_TOKEN_TYPE_LENGTH, example: 'credential_service_api_key' },
    url: { type: 'string', minLength: 1, maxLength: MAX_URL_LENGTH, example: 'https://github.com/octo-org/shop/blob/1a2b3c4d/config.env' },
    source: { type: 'string', minLength: 1, maxLength: MAX_SOURCE_LENGTH, example: 'content' },
  },
};

const VERDICT = {
  type: 'object',
  required: ['token_hash', 'token_type', 'label'],
  properties: {
    token_hash: { type: 'string', pattern: '^[0-9a-f]{64}$', description: 'hex SHA-256 of the token' },
    token_type: { type: 'string', description: 'the item’s `type`, as sent' },
    label: { type: 'string', enum: ['true_positive', 'false_positive'] },
  },
};

@ApiTags('secret-scanning')
@Controller('v1/secret-scanning')
export class SecretScanningController {
  constructor(
    private readonly commands: CommandBus,
    @Inject(PartnerKeyCache) private readonly keys: PartnerKeyCache,
    @Inject(REPLAY_GUARD) private readonly replays: ReplayGuard,
    @Inject(SECRET_SCANNING_SETTINGS) private readonly settings: SecretScanningSettings,
  ) {}

  @Post('reports')
  @HttpCode(200)
  @RouteConfig(RAW_JSON_BODY)
  @ApiOperation({
    operationId: 'reportLeaks',
    summary:
      'Leak report from a secret scanning partner (GitHub partner program), signed by the partner: records KeyLeakReported ' +
      'for each token of a key and, under the account’s policy, revokes it',
  })
  @ApiHeader({ name: 'Github-Public-Key-Identifier', required: true, description: 'the id of the partner key that signed the body' })
  @ApiHeader({
    name: 'Github-Public-Key-Signature',
    required: true,
    description: 'base64 of the DER ECDSA (P-256, SHA-256) signature of the exact body bytes',
  })
  @ApiBody({ schema: { type: 'array', minItems: 1, maxItems: MAX_REPORT_TOKENS, items: REPORT_ITEM } })
  @ApiOkResponse({ schema: { type: 'array', items: VERDICT }, description: 'one answer per token, in the order sent' })
  @ApiProblems(
    'REPORT_SIGNATURE_INVALID',
    'REPORT_KEY_UNKNOWN',
    'REPORT_REPLAYED',
    'SECRET_SCANNING_UNAVAILABLE',
    'INDEX_UNAVAILABLE',
    'STORE_UNAVAILABLE',
  )
  async report(@Req() request: RequestWithRawBody): Promise<TokenVerdict[]> {
    const raw = request.rawBody;
    if (!raw) throw badRequest('send the report as application/json');
    await this.verifySignature(raw, request.headers['github-public-key-identifier'], request.headers['github-public-key-signature']);
    const tokens = parseReport(request.body);
    const digest = createHash('sha256').update(raw).digest('hex');
    let claimed: boolean;
    try {
      claimed = await this.replays.claim(digest, this.settings.replayTtlMs);
    } catch (error) {
      if (error instanceof ReplayGuardUnavailableError) throw unavailable('the replay store does not answer; retry later');
      throw error;
    }
    if (!claimed) throw new ProblemException(409, 'REPORT_REPLAYED', 'Report already received', 'this report was already received');
    try {
      return await this.commands.execute(new ReportLeaks(`lr_${digest.slice(0, 32)}`, new Date(), tokens, activeTraceId()));
    } catch (error) {
      // Not taken: the partner's retry of this report must go through.
      await this.replays.release(digest).catch(() => undefined);
      throw error;
    }
  }

  private async verifySignature(
    body: Buffer,
    keyId: string | string[] | undefined,
    signature: string | string[] | undefined,
  ): Promise<void> {
    if (typeof keyId !== 'string' || typeof signature !== 'string' || !KEY_ID_PATTERN.test(keyId)) {
      throw signatureInvalid('send the partner’s Github-Public-Key-Identifier and Github-Public-Key-Signature headers');
    }
    let key;
    try {
      key = await this.keys.key(keyId);
    } catch (error) {
      if (error instanceof PartnerKeysUnavailableError) throw unavailable('the partner’s public keys could not be fetched; retry later');
      throw error;
    }
    if (!key)
      throw new ProblemException(401, 'REPORT_KEY_UNKNOWN', 'Unknown signing key', 'the partner has no public key with this identifier', {
        headers: { 'www-authenticate': 'Github-Public-Key-Signature' },
      });
    if (!signatureMatches(body, signature, key)) throw signatureInvalid('the signature does not match the body');
  }
}
