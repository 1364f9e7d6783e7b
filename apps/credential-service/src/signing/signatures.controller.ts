/**
 * Internal signing endpoints (service credential). The payload can come as the raw body
 * (`Content-Type: application/octet-stream`, the exact bytes) or inside JSON as text or base64.
 */
import { Body, Controller, Headers, HttpCode, Param, Post, Query, UseGuards, UsePipes } from '@nestjs/common';
import { RouteConfig } from '@nestjs/platform-fastify';
import { ApiBody, ApiHeader, ApiOkResponse, ApiOperation, ApiParam, ApiQuery, ApiTags } from '@nestjs/swagger';
import { InternalCall, ServiceTokenGuard } from '../auth/guards';
import { OCTET_STREAM_BODY } from '../http/body-parsing';
import { SignAnswer, SignatureCheckAnswer } from '../http/answers';
import { ApiOctetStreamBody, ApiProblems, ApiService } from '../http/openapi';
import { ACCOUNT_ID_PATTERN, IdParamsPipe } from '../http/params';
import { badRequest, ProblemException } from '../http/problem';
import { validationPipe } from '../http/validation';
import { BASE64_PATTERN, SignDto, VerifySignatureDto, type PayloadEncoding } from './signatures.dto';
import { MAX_TOLERANCE_SECONDS, SigningService } from './signing.service';

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
    summary: 'Sign a payload with every signing secret of the account valid now: t=<unix>,v1=<hex>[,v1=...]',
  })
  @ApiService()
  @ApiProblems('INVALID_ID', 'NO_SIGNING_KEY', 'INDEX_UNAVAILABLE')
  @ApiBody({ type: SignDto })
  @ApiOctetStreamBody('the exact payload bytes to sign')
  @ApiOkResponse({ type: SignAnswer })
  async sign(
    @Param('accountId') accountId: string,
    @Body() body: unknown,
  ): Promise<{ header: string; timestamp: number; keyIds: string[]; signatures: number }> {
    const payload = Buffer.isBuffer(body) ? body : await this.jsonPayload(body, SignDto);
    const outcome = await this.signing.sign(accountId, payload);
    if (!outcome.ok) throw new ProblemException(409, outcome.code, 'No signing key', outcome.message);
    const { ok: _ok, ...answer } = outcome;
    return answer;
  }

  @Post('verify')
  @HttpCode(200)
  @RouteConfig(OCTET_STREAM_BODY)
  @UsePipes(IdParamsPipe)
  @ApiOperation({
    operationId: 'verifySignature',
    summary: 'Verify a signature header against the account’s valid signing secrets: { valid, code }',
  })
  @ApiService()
  @ApiProblems('INVALID_ID', 'INDEX_UNAVAILABLE')
  @ApiBody({ type: VerifySignatureDto })
  @ApiOctetStreamBody('the exact payload bytes; the header goes in X-Signature, the tolerance in ?toleranceSeconds=')
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
  ): Promise<{ valid: boolean; code: string }> {
    let payload: Buffer;
    let header: string | undefined;
    let tolerance: number | undefined;
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
      if (!header) throw badRequest('send the signature header as X-Signature', [{ field: 'header', message: 'missing' }]);
    } else {
      const dto = (await validationPipe.transform(body, { type: 'body', metatype: VerifySignatureDto })) as VerifySignatureDto;
      payload = payloadBytes(dto.payload, dto.payloadEncoding);
      header = dto.header;
      tolerance = dto.toleranceSeconds;
    }
    const result = await this.signing.verify(accountId, payload, header, tolerance);
    return { valid: result.valid, code: result.code };
  }

  private async jsonPayload(body: unknown, metatype: typeof SignDto): Promise<Buffer> {
    const dto = (await validationPipe.transform(body, { type: 'body', metatype })) as SignDto;
    return payloadBytes(dto.payload, dto.payloadEncoding);
  }
}
