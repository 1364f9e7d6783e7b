import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsInt, IsString, Matches, Max, MaxLength, Min } from 'class-validator';
import { SIGNING_SCHEMES, type SigningScheme } from '@cs/domain';
import { MAX_WEBHOOK_ID_LENGTH } from '@cs/signature';
import { Optional } from '../keys/key.dto';
import { ApiBodyRules } from '../http/openapi';
import { badRequest } from '../http/problem';

/** payloadBytes: a base64 payload must be base64 (standard or URL-safe alphabet). */
export const BASE64_PATTERN = /^[A-Za-z0-9+/_-]*={0,2}$/;
const BASE64_RULE = {
  if: { properties: { payloadEncoding: { const: 'base64' } }, required: ['payloadEncoding'] },
  then: { properties: { payload: { pattern: BASE64_PATTERN.source } } },
};
import { MAX_TOLERANCE_SECONDS, WEBHOOK_ID_PATTERN } from './signing.service';

export type PayloadEncoding = 'utf8' | 'base64';

const STANDARD_WEBHOOKS = { properties: { scheme: { const: 'standard-webhooks' } }, required: ['scheme'] };
/** A webhook id is given only with the standard-webhooks scheme. */
const SIGN_SCHEME_RULE = { if: { not: STANDARD_WEBHOOKS }, then: { not: { required: ['webhookId'] } } };
/** The standard-webhooks scheme needs the id and timestamp headers' values; the stripe scheme has none. */
const VERIFY_SCHEME_RULE = {
  if: STANDARD_WEBHOOKS,
  then: { required: ['webhookId', 'webhookTimestamp'] },
  else: { not: { anyOf: [{ required: ['webhookId'] }, { required: ['webhookTimestamp'] }] } },
};

const SCHEME_DOC = {
  enum: SIGNING_SCHEMES,
  default: 'stripe',
  description:
    '"stripe": one `t=<unix>,v1=<hex>` header, with the account’s stripe-scheme keys; "standard-webhooks": the ' +
    '`webhook-id`, `webhook-timestamp` and `webhook-signature` headers, with its standard-webhooks keys',
};

class PayloadDto {
  @ApiProperty({ description: 'the exact payload bytes to sign, as text or base64 (see payloadEncoding)' })
  @IsString()
  payload!: string;

  @ApiPropertyOptional({ enum: ['utf8', 'base64'], default: 'utf8' })
  @Optional()
  @IsIn(['utf8', 'base64'])
  payloadEncoding?: PayloadEncoding;

  @ApiPropertyOptional(SCHEME_DOC)
  @Optional()
  @IsIn(SIGNING_SCHEMES as SigningScheme[])
  scheme?: SigningScheme;
}

@ApiBodyRules({ allOf: [BASE64_RULE, SIGN_SCHEME_RULE] })
export class SignDto extends PayloadDto {
  @ApiPropertyOptional({
    pattern: WEBHOOK_ID_PATTERN.source,
    example: 'msg_2KWPBgLlAfxdpx2AI54pPJ85f4W',
    description: 'standard-webhooks only: the message id to sign (the same for every retry of one event); absent: a new `msg_…` id',
  })
  @Optional()
  @IsString()
  @Matches(WEBHOOK_ID_PATTERN, { message: 'webhookId must be 1-128 of A-Z, a-z, 0-9, "_", ":" and "-"' })
  webhookId?: string;
}

@ApiBodyRules({ allOf: [BASE64_RULE, VERIFY_SCHEME_RULE] })
export class VerifySignatureDto extends PayloadDto {
  @ApiProperty({
    maxLength: 8192,
    example: 't=1700000000,v1=5257a869...',
    description: 'the signature header: `t=…,v1=…` (stripe), or the value of `webhook-signature` (standard-webhooks)',
  })
  @IsString()
  @MaxLength(8192)
  header!: string;

  @ApiPropertyOptional({
    type: 'integer',
    minimum: 0,
    default: 300,
    maximum: MAX_TOLERANCE_SECONDS,
    description: 'how old (or how far ahead) the timestamp may be, in seconds',
  })
  @Optional()
  @IsInt()
  @Min(0)
  @Max(MAX_TOLERANCE_SECONDS)
  toleranceSeconds?: number;

  @ApiPropertyOptional({
    maxLength: MAX_WEBHOOK_ID_LENGTH,
    example: 'msg_2KWPBgLlAfxdpx2AI54pPJ85f4W',
    description: 'standard-webhooks only, and required then: the `webhook-id` header as received',
  })
  @Optional()
  @IsString()
  @MaxLength(MAX_WEBHOOK_ID_LENGTH)
  webhookId?: string;

  @ApiPropertyOptional({
    maxLength: 32,
    example: '1764590400',
    description: 'standard-webhooks only, and required then: the `webhook-timestamp` header as received',
  })
  @Optional()
  @IsString()
  @MaxLength(32)
  webhookTimestamp?: string;
}

/** The cross-field rules of SignDto (SIGN_SCHEME_RULE): 400 VALIDATION_FAILED, naming the field. */
export function checkSignScheme(dto: { scheme?: SigningScheme; webhookId?: string }): void {
  if (dto.scheme !== 'standard-webhooks' && dto.webhookId !== undefined)
    throw badRequest('webhookId goes with scheme "standard-webhooks"', [
      { field: 'webhookId', message: 'only with scheme "standard-webhooks"' },
    ]);
}

/** The cross-field rules of VerifySignatureDto (VERIFY_SCHEME_RULE). */
export function checkVerifyScheme(dto: { scheme?: SigningScheme; webhookId?: string; webhookTimestamp?: string }): void {
  if (dto.scheme === 'standard-webhooks') {
    const missing = (['webhookId', 'webhookTimestamp'] as const).filter((f) => dto[f] === undefined);
    if (missing.length > 0)
      throw badRequest(
        'scheme "standard-webhooks" needs webhookId and webhookTimestamp',
        missing.map((field) => ({ field, message: 'required with scheme "standard-webhooks"' })),
      );
    return;
  }
  const extra = (['webhookId', 'webhookTimestamp'] as const).filter((f) => dto[f] !== undefined);
  if (extra.length > 0)
    throw badRequest(
      'webhookId and webhookTimestamp go with scheme "standard-webhooks"',
      extra.map((field) => ({ field, message: 'only with scheme "standard-webhooks"' })),
    );
}
