/**
 * Internal signing endpoints (service credential). The payload can come as the raw body
 * (`Content-Type: application/octet-stream`, the exact bytes) or inside JSON as text or base64.
 * Two schemes: `stripe` (default, `t=…,v1=…`) and `standard-webhooks` (`webhook-*` headers).
 */
import { Body, Controller, Headers, HttpCode, Param, Post, Query, UseGuards, UsePipes } from '@nestjs/common';
import { RouteConfig } from '@nestjs/platform-fastify';
import { ApiBody, ApiHeader, ApiOkResponse, ApiOperation, ApiParam, ApiQuery, ApiTags } from '@nestjs/swagger';
import { quotedChoices, SIGNING_SCHEMES, type SigningScheme } from '@cs/domain';
import { InternalCall, ServiceTokenGuard } from '../auth/guards';
import { OCTET_STREAM_BODY } from '../http/body-parsing';
import { SignAnswer, SignatureCheckAnswer } from '../http/answers';
import { ApiOctetStreamBody, ApiProblems, ApiService } from '../http/openapi';
import { ACCOUNT_ID_PATTERN, IdParamsPipe } from '../http/params';
import { badRequest, ProblemException } from '../http/problem';
import { validationPipe } from '../http/validation';
import { BASE64_PATTERN, checkSignScheme, checkVerifyScheme, SignDto, VerifySignatureDto, type PayloadEncoding } from './signatures.dto';
import { MAX_TOLERANCE_SECONDS, SigningService, WEBHOOK_ID_PATTERN, type SignOutcome } from './signing.service';

export function payloadBytes(payload: string, encoding: PayloadEncoding = 'utf8'): Buffer {
  if (encoding === 'base64') {
    if (!BASE64_PATTERN.test(payload)) throw badRequest('payload is not valid base64', [{ field: 'payload', message: 'not base64' }]);
    return Buffer.from(payload, 'base64');
  }
  return Buffer.from(payload, 'utf8');
}

@ApiTags('internal')
@ApiParam({ name: 'accountId', schema: { type: 'string', pattern: ACCOUNT_ID_PATTERN.source }, example: 'acct_1' })
@Controller('v1/accounts/:accountId/signatures')
@UseGuards(ServiceTokenGuard)
@InternalCall('signing')
export class SignaturesController {
  constructor(private readonly signing: SigningService) {}

  @Post()
  @HttpCode(200)
  @RouteConfig(OCTET_STREAM_BODY)
  @UsePipes(IdParamsPipe)
  @ApiOperation({
    operationId: 'signPayload',
    summary:
      'Sign a payload with every signing secret of the account valid now (of the scheme asked for): ' +
      't=<unix>,v1=<hex>[,v1=...], or with scheme standard-webhooks the webhook-id, webhook-timestamp and ' +
      'webhook-signature headers (v1,<base64> and v1a,<base64> entries)',
  })
  @ApiService()
  @ApiProblems('INVALID_ID', 'NO_SIGNING_KEY', 'INDEX_UNAVAILABLE')
  @ApiBody({ type: SignDto })
  @ApiOctetStreamBody('the exact payload bytes to sign; the scheme and webhook id go in ?scheme= and ?webhookId=')
  @ApiQuery({
    name: 'scheme',
    required: false,
    description: 'with a raw body: the signature scheme (default stripe)',
    schema: { type: 'string', enum: [...SIGNING_SCHEMES], default: 'stripe' },
  })
  @ApiQuery({
    name: 'webhookId',
    required: false,
    description: 'with a raw body and scheme standard-webhooks: the message id to sign (absent: a new msg_… id)',
    schema: { type: 'string', pattern: WEBHOOK_ID_PATTERN.source },
  })
  @ApiOkResponse({ type: SignAnswer })
  async sign(
    @Param('accountId') accountId: string,
    @Body() body: unknown,
    @Query('scheme') schemeFromQuery: unknown,
    @Query('webhookId') webhookIdFromQuery: unknown,
  ): Promise<Omit<Extract<SignOutcome, { ok: true }>, 'ok' | 'scheme'>> {
    let payload: Buffer;
    let options: { scheme?: SigningScheme; webhookId?: string };
    if (Buffer.isBuffer(body)) {
      payload = body;
      options = rawSignOptions(schemeFromQuery, webhookIdFromQuery);
    } else {
      const dto = (await validationPipe.transform(body, { type: 'body', metatype: SignDto })) as SignDto;
      checkSignScheme(dto);
      payload = payloadBytes(dto.payload, dto.payloadEncoding);
      options = { scheme: dto.scheme, webhookId: dto.webhookId };
    }
    const outcome = await this.signing.sign(accountId, payload, new Date(), options);
    if (!outcome.ok) throw new ProblemException(409, outcome.code, 'No signing key', outcome.message);
    // The stripe answer stays as it always was; the standard-webhooks one adds webhookId and headers.
    const { ok: _ok, scheme: _scheme, ...answer } = outcome;
    return answer;
  }

  @Post('verify')
  @HttpCode(200)
  @RouteConfig(OCTET_STREAM_BODY)
  @UsePipes(IdParamsPipe)
  @ApiOperation({
    operationId: 'verifySignature',
    summary:
      'Verify a signature header (stripe) or the webhook-* headers (standard-webhooks) against the account’s valid ' +
      'signing keys of that scheme: { valid, code }',
  })
  @ApiService()
  @ApiProblems('INVALID_ID', 'INDEX_UNAVAILABLE')
  @ApiBody({ type: VerifySignatureDto })
  @ApiOctetStreamBody(
    'the exact payload bytes; the header goes in X-Signature (stripe) or in webhook-id, webhook-timestamp and ' +
      'webhook-signature (standard-webhooks), the tolerance in ?toleranceSeconds=',
  )
  @ApiHeader({
    name: 'webhook-signature',
    required: false,
    description:
      'with a raw body, instead of X-Signature: the standard-webhooks signatures (then webhook-id and webhook-timestamp are required)',
    schema: { type: 'string', maxLength: 8192, example: 'v1,K5oZfzN95Z9UVu1EsfQmfVNQhnkZ2pj9o9NDN/H/pI4=' },
  })
  @ApiHeader({
    name: 'webhook-id',
    required: false,
    description: 'with a raw body and webhook-signature: the message id as received',
    schema: { type: 'string', maxLength: 256 },
  })
  @ApiHeader({
    name: 'webhook-timestamp',
    required: false,
    description: 'with a raw body and webhook-signature: the unix timestamp as received',
    schema: { type: 'string', maxLength: 32 },
  })
  @ApiHeader({
    name: 'X-Signature',
    required: false,
    description: 'with a raw (application/octet-stream) body: the signature header to check (required then)',
    schema: {
      type: 'string',
      maxLength: 8192,
      example: 't=1764590400,v1=5257a869e7ecebeda32affa62cdca3fa51cad7e77a0e56ff536d0ce8e108d8bd',
    },
  })
  @ApiQuery({
    name: 'toleranceSeconds',
    required: false,
    description: 'with a raw body: how old (or how far ahead) the timestamp may be, in seconds',
    schema: { type: 'integer', minimum: 0, maximum: MAX_TOLERANCE_SECONDS, default: 300 },
  })
  @ApiOkResponse({ type: SignatureCheckAnswer })
  async verify(
    @Param('accountId') accountId: string,
    @Body() body: unknown,
    @Headers('x-signature') headerFromRequest: string | undefined,
    @Query('toleranceSeconds') toleranceFromQuery: string | undefined,
    @Headers() requestHeaders: Record<string, string | string[] | undefined>,
  ): Promise<{ valid: boolean; code: string }> {
    let payload: Buffer;
    let header: string | undefined;
    let tolerance: number | undefined;
    let webhook: { webhookId: string | undefined; webhookTimestamp: string | undefined } | null = null;
    if (Buffer.isBuffer(body)) {
      // Raw body: the header travels as X-Signature, the tolerance as a query parameter.
      payload = body;
      header = headerFromRequest;
      if (toleranceFromQuery !== undefined) {
        tolerance = Number(toleranceFromQuery);
        if (!Number.isInteger(tolerance) || tolerance < 0 || tolerance > MAX_TOLERANCE_SECONDS) {
          throw badRequest(`toleranceSeconds must be a whole number from 0 to ${MAX_TOLERANCE_SECONDS}`);
        }
      }
      const signature = requestHeaders['webhook-signature'];
      if (signature !== undefined) {
        // Standard Webhooks: the three headers as the receiver got them (their content is checked as data).
        if (header) throw badRequest('send either X-Signature or the webhook-* headers, not both', [{ field: 'header', message: 'both' }]);
        const id = requestHeaders['webhook-id'];
        const timestamp = requestHeaders['webhook-timestamp'];
        const missing = [
          ['webhook-id', id],
          ['webhook-timestamp', timestamp],
        ].filter(([, value]) => value === undefined);
        if (missing.length > 0)
          throw badRequest(
            'webhook-signature needs the webhook-id and webhook-timestamp headers',
            missing.map(([field]) => ({ field: field as string, message: 'missing' })),
          );
        header = single(signature);
        webhook = { webhookId: single(id), webhookTimestamp: single(timestamp) };
      }
      if (!header)
        throw badRequest('send the signature header as X-Signature (or the webhook-* headers)', [{ field: 'header', message: 'missing' }]);
    } else {
      const dto = (await validationPipe.transform(body, { type: 'body', metatype: VerifySignatureDto })) as VerifySignatureDto;
      checkVerifyScheme(dto);
      payload = payloadBytes(dto.payload, dto.payloadEncoding);
      header = dto.header;
      tolerance = dto.toleranceSeconds;
      if (dto.scheme === 'standard-webhooks') webhook = { webhookId: dto.webhookId, webhookTimestamp: dto.webhookTimestamp };
    }
    const result = webhook
      ? await this.signing.verifyStandardWebhook(accountId, payload, { ...webhook, signature: header }, tolerance)
      : await this.signing.verify(accountId, payload, header, tolerance);
    return { valid: result.valid, code: result.code };
  }
}

/** A header sent twice arrives as a list: only a single value can be a valid one (libs/signature answers MALFORMED_HEADER). */
function single(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value.join(', ') : value;
}

/** ?scheme= and ?webhookId= of a raw-body sign, under SignDto's rules. */
function rawSignOptions(scheme: unknown, webhookId: unknown): { scheme?: SigningScheme; webhookId?: string } {
  if (scheme !== undefined && !(typeof scheme === 'string' && (SIGNING_SCHEMES as readonly string[]).includes(scheme)))
    throw badRequest(`scheme must be ${quotedChoices(SIGNING_SCHEMES)}`, [{ field: 'scheme', message: 'not a scheme' }]);
  if (webhookId !== undefined && !(typeof webhookId === 'string' && WEBHOOK_ID_PATTERN.test(webhookId)))
    throw badRequest('webhookId must be 1-128 of A-Z, a-z, 0-9, "_", ":" and "-"', [{ field: 'webhookId', message: 'not a webhook id' }]);
  const options = { scheme: scheme as SigningScheme | undefined, webhookId: webhookId };
  checkSignScheme(options);
  return options;
}
