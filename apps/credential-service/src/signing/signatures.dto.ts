import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsInt, IsString, Max, MaxLength, Min } from 'class-validator';
import { Optional } from '../keys/key.dto';
import { ApiBodyRules } from '../http/openapi';

/** payloadBytes: a base64 payload must be base64 (standard or URL-safe alphabet). */
export const BASE64_PATTERN = /^[A-Za-z0-9+/_-]*={0,2}$/;
const BASE64_RULE = {
  if: { properties: { payloadEncoding: { const: 'base64' } }, required: ['payloadEncoding'] },
  then: { properties: { payload: { pattern: BASE64_PATTERN.source } } },
};
import { MAX_TOLERANCE_SECONDS } from './signing.service';

export type PayloadEncoding = 'utf8' | 'base64';

@ApiBodyRules(BASE64_RULE)
export class SignDto {
  @ApiProperty({ description: 'the exact payload bytes to sign, as text or base64 (see payloadEncoding)' })
  @IsString()
  payload!: string;

  @ApiPropertyOptional({ enum: ['utf8', 'base64'], default: 'utf8' })
  @Optional()
  @IsIn(['utf8', 'base64'])
  payloadEncoding?: PayloadEncoding;
}

@ApiBodyRules(BASE64_RULE)
export class VerifySignatureDto extends SignDto {
  @ApiProperty({ maxLength: 8192, example: 't=1700000000,v1=5257a869...' })
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
}
