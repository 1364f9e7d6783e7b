import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsInt, IsString, Max, MaxLength, Min } from 'class-validator';
import { Optional } from '../keys/key.dto';
import { MAX_TOLERANCE_SECONDS } from './signing.service';

export type PayloadEncoding = 'utf8' | 'base64';

export class SignDto {
  @ApiProperty({ description: 'the exact payload bytes to sign, as text or base64 (see payloadEncoding)' })
  @IsString()
  payload!: string;

  @ApiPropertyOptional({ enum: ['utf8', 'base64'], default: 'utf8' })
  @Optional()
  @IsIn(['utf8', 'base64'])
  payloadEncoding?: PayloadEncoding;
}

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
