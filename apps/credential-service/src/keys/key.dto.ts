/**
 * Request bodies of the management API (API.md), validated with class-validator; unknown fields
 * are refused. Shapes here are documented in OpenAPI through the @ApiProperty decorators.
 */
import { applyDecorators } from '@nestjs/common';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import {
  ArrayMaxSize,
  IsArray,
  IsIn,
  IsOptional,
  IsString,
  Length,
  Matches,
  MaxLength,
  ValidateIf,
} from 'class-validator';
import { KEY_KINDS, MAX_ALLOWED_IPS, WEBHOOK_FORMATS, type KeyKind, type SecretSlot, type WebhookFormat } from '@cs/domain';
import { badRequest } from '../http/problem';

/** ISO-8601 date-time with an explicit offset: a time without one means different instants to different clients. */
export const ISO_INSTANT = /^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])T([01]\d|2[0-3]):[0-5]\d(:[0-5]\d(\.\d{1,9})?)?(Z|[+-]([01]\d|2[0-3]):[0-5]\d)$/;
const ISO_INSTANT_MESSAGE = '$property must be an ISO-8601 date-time with a time zone, e.g. 2026-12-01T12:00:00Z';
const SLOTS: SecretSlot[] = ['current', 'previous'];

/** An optional allow-list of IPv4/IPv6 addresses and CIDR ranges (checked in depth by the domain). */
function AllowedIpsProperty(doc: { example?: string[]; description?: string }): PropertyDecorator {
  return applyDecorators(
    ApiPropertyOptional({ type: [String], maxItems: MAX_ALLOWED_IPS, ...doc }),
    IsOptional(),
    IsArray(),
    ArrayMaxSize(MAX_ALLOWED_IPS),
    IsString({ each: true }),
    MaxLength(64, { each: true }),
  );
}

export class GenerateKeyDto {
  @ApiProperty({ enum: KEY_KINDS, description: '"api" authenticates requests; "signing" is an HMAC secret that signs payloads' })
  @IsIn(KEY_KINDS as KeyKind[], { message: 'kind must be "api" or "signing"' })
  kind!: KeyKind;

  @ApiPropertyOptional({ maxLength: 100, example: 'Checkout widget' })
  @IsOptional()
  @IsString()
  @Length(1, 100)
  name?: string;

  @AllowedIpsProperty({ example: ['203.0.113.7', '10.0.0.0/8', '2001:db8::/32'] })
  allowedIps?: string[];

  @ApiPropertyOptional({ enum: WEBHOOK_FORMATS, default: 'single', description: 'webhook output: one JSON document, or one field per line' })
  @IsOptional()
  @IsIn(WEBHOOK_FORMATS as WebhookFormat[])
  webhookFormat?: WebhookFormat;
}

export class RegenerateKeyDto {
  @ApiPropertyOptional({ example: 'PT1H', description: '"now", or an ISO-8601 duration (PT1H, P1D, P7D) after which the old secret expires' })
  @ValidateIf((o: RegenerateKeyDto) => o.oldKeyExpiresIn !== undefined || o.oldKeyExpiresAt === undefined)
  @IsString({ message: 'give oldKeyExpiresIn ("now" or an ISO-8601 duration such as PT1H) or oldKeyExpiresAt' })
  @MaxLength(40)
  oldKeyExpiresIn?: string;

  @ApiPropertyOptional({ example: '2026-12-01T12:00:00Z', description: 'when the old secret expires (a past time ends it now)' })
  @IsOptional()
  @IsString()
  @Matches(ISO_INSTANT, { message: ISO_INSTANT_MESSAGE })
  oldKeyExpiresAt?: string;
}

export class SetExpiryDto {
  @ApiProperty({ nullable: true, type: String, example: '2026-12-01T12:00:00Z', description: 'null removes the expiry of the current secret' })
  @ValidateIf((o: SetExpiryDto) => o.expiresAt !== null)
  @IsString({ message: 'expiresAt must be an ISO-8601 date-time or null' })
  @Matches(ISO_INSTANT, { message: ISO_INSTANT_MESSAGE })
  expiresAt!: string | null;

  @ApiPropertyOptional({ enum: SLOTS, default: 'current' })
  @IsOptional()
  @IsIn(SLOTS)
  version?: SecretSlot;
}

export class RevealKeyDto {
  @ApiPropertyOptional({ enum: SLOTS, default: 'current', description: 'reveal the previous secret while it is in its grace period' })
  @IsOptional()
  @IsIn(SLOTS)
  version?: SecretSlot;
}

export class UpdateKeyDto {
  @ApiPropertyOptional({ maxLength: 100 })
  @IsOptional()
  @IsString()
  @Length(1, 100)
  name?: string;

  @AllowedIpsProperty({ description: 'an empty list removes the restriction' })
  allowedIps?: string[];

  @ApiPropertyOptional({ enum: WEBHOOK_FORMATS })
  @IsOptional()
  @IsIn(WEBHOOK_FORMATS as WebhookFormat[])
  webhookFormat?: WebhookFormat;
}

/**
 * An update must change something: the one rule for every transport (HTTP answers 400
 * VALIDATION_FAILED; gRPC INVALID_ARGUMENT, the field names in snake_case).
 */
export function requireSomeKeyUpdate(body: UpdateKeyDto): void {
  if (body.name === undefined && body.allowedIps === undefined && body.webhookFormat === undefined) {
    throw badRequest('give at least one of name, allowedIps, webhookFormat');
  }
}

export class RevokeKeyDto {
  @ApiPropertyOptional({ maxLength: 200, example: 'leaked in a public repository' })
  @IsOptional()
  @IsString()
  @MaxLength(200)
  reason?: string;
}
