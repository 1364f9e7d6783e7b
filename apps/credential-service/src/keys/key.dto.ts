/**
 * Request bodies of the management API (README), validated with class-validator; unknown fields
 * are refused. Shapes here are documented in OpenAPI through the @ApiProperty decorators.
 */
import { applyDecorators } from '@nestjs/common';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { ArrayMaxSize, IsArray, IsIn, IsObject, IsString, Length, MaxLength, ValidateBy, ValidateIf } from 'class-validator';
import {
  DISPLAY_SAFE_RULE,
  isDisplaySafe,
  KEY_KINDS,
  MAX_ALLOWED_IPS,
  MAX_EXTERNAL_ID_LENGTH,
  MAX_PERMISSION_LENGTH,
  MAX_ALLOWED_ORIGINS,
  MAX_PERMISSIONS,
  PERMISSION_PATTERN,
  parseIsoInstant,
  quotedChoices,
  SIGNING_ALGORITHMS,
  SIGNING_SCHEMES,
  WEBHOOK_FORMATS,
  type KeyKind,
  type SecretSlot,
  type SigningAlgorithm,
  type SigningScheme,
  type WebhookFormat,
} from '@cs/domain';
import { ALLOWED_IP_SCHEMA, ApiBodyRules } from '../http/openapi';
import { badRequest } from '../http/problem';

/**
 * Display-safe text in OpenAPI (isDisplaySafe): no C0/C1 controls, line or paragraph separators,
 * bidi embeddings, overrides or isolates (unpaired surrogates are refused too; Unicode text has none).
 */
const DISPLAY_SAFE_PATTERN = '^[^\\u0000-\\u001f\\u007f-\\u009f\\u2028\\u2029\\u202a-\\u202e\\u2066-\\u2069]*$';
const INSTANT_DOC = { type: String, format: 'date-time', example: '2026-12-01T12:00:00Z' } as const;

export const ISO_INSTANT_MESSAGE = 'must be an ISO-8601 date-time with a time zone on a day the calendar has, e.g. 2026-12-01T12:00:00Z';
const SLOTS: SecretSlot[] = ['current', 'previous'];

/**
 * An optional field: absent means the default; null is refused, not read as absent (nor as "now",
 * nor stored). Fields where null means something (expiresAt) say so themselves.
 */
export function Optional(): PropertyDecorator {
  return applyDecorators(
    ValidateIf((_object: object, value: unknown) => value !== undefined),
    ValidateBy({
      name: 'notNull',
      validator: { validate: (value) => value !== null, defaultMessage: () => '$property must not be null; leave it out instead' },
    }),
  );
}

/** A real instant: ISO-8601 with an offset, on a day the month has (libs/domain parseIsoInstant). */
function IsIsoInstant(): PropertyDecorator {
  return ValidateBy({
    name: 'isIsoInstant',
    validator: { validate: (value) => parseIsoInstant(value) !== null, defaultMessage: () => `$property ${ISO_INSTANT_MESSAGE}` },
  });
}

/** Text shown to people and kept in the history: no control, bidi formatting or unpaired surrogate characters. */
function IsDisplaySafe(): PropertyDecorator {
  return ValidateBy({
    name: 'isDisplaySafe',
    validator: {
      validate: (value) => typeof value !== 'string' || isDisplaySafe(value),
      defaultMessage: () => `$property ${DISPLAY_SAFE_RULE}`,
    },
  });
}

/** An optional allow-list of IPv4/IPv6 addresses and CIDR ranges (checked in depth by the domain). */
function AllowedIpsProperty(doc: { example?: string[]; description?: string }): PropertyDecorator {
  return applyDecorators(
    ApiPropertyOptional({
      type: 'array',
      items: ALLOWED_IP_SCHEMA,
      maxItems: MAX_ALLOWED_IPS,
      ...doc,
    }),
    Optional(),
    IsArray(),
    ArrayMaxSize(MAX_ALLOWED_IPS),
    IsString({ each: true }),
    MaxLength(64, { each: true }),
  );
}

/**
 * Optional permissions: the shape here; the format and the API-keys-only rule are the domain's
 * (INVALID_PERMISSIONS, PERMISSIONS_NOT_APPLICABLE).
 */
function PermissionsProperty(description: string): PropertyDecorator {
  return applyDecorators(
    ApiPropertyOptional({
      type: 'array',
      items: { type: 'string', maxLength: MAX_PERMISSION_LENGTH, pattern: PERMISSION_PATTERN.source },
      maxItems: MAX_PERMISSIONS,
      example: ['payments:write', 'refunds:read'],
      description,
    }),
    Optional(),
    IsArray(),
    ArrayMaxSize(MAX_PERMISSIONS),
    IsString({ each: true }),
  );
}

/** Optional allowed origins of a publishable key (each origin's rules are the domain's: INVALID_ALLOWED_ORIGINS). */
function AllowedOriginsProperty(description: string): PropertyDecorator {
  return applyDecorators(
    ApiPropertyOptional({
      type: 'array',
      items: { type: 'string', maxLength: 270 },
      maxItems: MAX_ALLOWED_ORIGINS,
      example: ['https://shop.example'],
      description,
    }),
    Optional(),
    IsArray(),
    ArrayMaxSize(MAX_ALLOWED_ORIGINS),
    IsString({ each: true }),
  );
}

/** Optional metadata: a JSON object (size, depth and the no-secrets rule are the domain's: INVALID_METADATA, SECRET_IN_METADATA). */
function MetadataProperty(description: string): PropertyDecorator {
  return applyDecorators(
    ApiPropertyOptional({ type: 'object', additionalProperties: true, example: { team: 'checkout' }, description }),
    Optional(),
    IsObject({ message: 'metadata must be a JSON object' }),
  );
}

/** Optional external id: the owner's label in the caller's system (INVALID_EXTERNAL_ID beyond the shape). */
function ExternalIdProperty(description: string, minLength: number): PropertyDecorator {
  return applyDecorators(
    ApiPropertyOptional({
      minLength,
      maxLength: MAX_EXTERNAL_ID_LENGTH,
      pattern: DISPLAY_SAFE_PATTERN,
      example: 'merchant-42',
      description,
    }),
    Optional(),
    IsString(),
    Length(minLength, MAX_EXTERNAL_ID_LENGTH),
    IsDisplaySafe(),
  );
}

export class GenerateKeyDto {
  @ApiProperty({
    enum: KEY_KINDS,
    description:
      '"api" authenticates requests; "signing" is an HMAC secret that signs payloads; ' +
      '"publishable" sits in browser pages of its allowed origins (not a secret)',
  })
  @IsIn(KEY_KINDS as KeyKind[], { message: `kind must be ${quotedChoices(KEY_KINDS)}` })
  kind!: KeyKind;

  @ApiPropertyOptional({ minLength: 1, maxLength: 100, pattern: DISPLAY_SAFE_PATTERN, example: 'Checkout widget' })
  @Optional()
  @IsString()
  @Length(1, 100)
  @IsDisplaySafe()
  name?: string;

  @AllowedIpsProperty({ example: ['203.0.113.7', '10.0.0.0/8', '2001:db8::/32'] })
  allowedIps?: string[];

  @ApiPropertyOptional({
    enum: WEBHOOK_FORMATS,
    default: 'single',
    description: 'webhook output: one JSON document, or one field per line',
  })
  @Optional()
  @IsIn(WEBHOOK_FORMATS as WebhookFormat[])
  webhookFormat?: WebhookFormat;

  @PermissionsProperty('API keys only; at most 50, duplicates removed, order kept; absent or empty: unrestricted')
  permissions?: string[];

  @MetadataProperty('a JSON object of at most 4096 bytes, 5 levels deep, with no secret-like string; returned by verify')
  metadata?: Record<string, unknown>;

  @ExternalIdProperty('the owner’s id in your system; returned by verify', 1)
  externalId?: string;

  @AllowedOriginsProperty(
    'publishable keys only, and required for them: ' +
      'the web origins (https://host[:port]; http only for localhost) whose pages may use the key',
  )
  allowedOrigins?: string[];

  @ApiPropertyOptional({
    enum: SIGNING_SCHEMES,
    default: 'stripe',
    description:
      'signing keys only: "stripe" (one t=…,v1=… header, sig_live_… secrets) or "standard-webhooks" ' +
      '(webhook-id, webhook-timestamp and webhook-signature headers, whsec_… secrets); another kind: 422 SCHEME_NOT_APPLICABLE',
  })
  @Optional()
  @IsIn(SIGNING_SCHEMES as SigningScheme[])
  scheme?: SigningScheme;

  @ApiPropertyOptional({
    enum: SIGNING_ALGORITHMS,
    default: 'hmac-sha256',
    description:
      'signing keys only: "ed25519" needs scheme "standard-webhooks" (422 ALGORITHM_NOT_APPLICABLE otherwise); its private key ' +
      'never leaves the service, the answer’s secret is its public key (whpk_…)',
  })
  @Optional()
  @IsIn(SIGNING_ALGORITHMS as SigningAlgorithm[])
  algorithm?: SigningAlgorithm;
}

@ApiBodyRules({ oneOf: [{ required: ['oldKeyExpiresIn'] }, { required: ['oldKeyExpiresAt'] }] })
export class RegenerateKeyDto {
  @ApiPropertyOptional({
    example: 'PT1H',
    maxLength: 40,
    pattern: '^(now|P([0-9]+W|(?=[0-9T])([0-9]+D)?(T(?=[0-9])([0-9]+H)?([0-9]+M)?([0-9]+S)?)?))$',
    description:
      '"now", or an ISO-8601 duration (PT1H, P1D, P7D; weeks, days, hours, minutes, seconds; at most 366 days) after which ' +
      'the old secret expires; give this or oldKeyExpiresAt',
  })
  @ValidateIf((o: RegenerateKeyDto) => o.oldKeyExpiresIn !== undefined || o.oldKeyExpiresAt === undefined)
  @IsString({ message: 'give oldKeyExpiresIn ("now" or an ISO-8601 duration such as PT1H) or oldKeyExpiresAt' })
  @MaxLength(40)
  oldKeyExpiresIn?: string;

  @ApiPropertyOptional({
    ...INSTANT_DOC,
    description: 'when the old secret expires (a past time ends it now); null is refused',
  })
  @Optional()
  @IsIsoInstant()
  oldKeyExpiresAt?: string;
}

export class SetExpiryDto {
  @ApiProperty({
    ...INSTANT_DOC,
    nullable: true,
    description: 'null removes the expiry of the current secret',
  })
  @ValidateIf((o: SetExpiryDto) => o.expiresAt !== null)
  @IsString({ message: 'expiresAt must be an ISO-8601 date-time or null' })
  @IsIsoInstant()
  expiresAt!: string | null;

  @ApiPropertyOptional({ enum: SLOTS, default: 'current' })
  @Optional()
  @IsIn(SLOTS)
  version?: SecretSlot;
}

export class RevealKeyDto {
  @ApiPropertyOptional({ enum: SLOTS, default: 'current', description: 'reveal the previous secret while it is in its grace period' })
  @Optional()
  @IsIn(SLOTS)
  version?: SecretSlot;
}

@ApiBodyRules({ minProperties: 1 })
export class UpdateKeyDto {
  @ApiPropertyOptional({ minLength: 1, maxLength: 100, pattern: DISPLAY_SAFE_PATTERN })
  @Optional()
  @IsString()
  @Length(1, 100)
  @IsDisplaySafe()
  name?: string;

  @AllowedIpsProperty({ description: 'an empty list removes the restriction' })
  allowedIps?: string[];

  @ApiPropertyOptional({ enum: WEBHOOK_FORMATS })
  @Optional()
  @IsIn(WEBHOOK_FORMATS as WebhookFormat[])
  webhookFormat?: WebhookFormat;

  @PermissionsProperty('the whole new list (API keys only); an empty list makes the key unrestricted')
  permissions?: string[];

  @MetadataProperty('the whole new object, replacing the old one (not merged); {} removes it')
  metadata?: Record<string, unknown>;

  @ExternalIdProperty('the new owner id; "" removes it', 0)
  externalId?: string;

  @AllowedOriginsProperty('publishable keys only: the whole new list of allowed origins (at least one)')
  allowedOrigins?: string[];
}

/**
 * An update must change something: the one rule for every transport (HTTP answers 400
 * VALIDATION_FAILED; gRPC INVALID_ARGUMENT, the field names in snake_case).
 */
export function requireSomeKeyUpdate(body: UpdateKeyDto): void {
  if (
    body.name === undefined &&
    body.allowedIps === undefined &&
    body.webhookFormat === undefined &&
    body.permissions === undefined &&
    body.metadata === undefined &&
    body.externalId === undefined &&
    body.allowedOrigins === undefined
  ) {
    throw badRequest('give at least one of name, allowedIps, webhookFormat, permissions, metadata, externalId, allowedOrigins');
  }
}

export class RevokeKeyDto {
  @ApiPropertyOptional({ maxLength: 200, pattern: DISPLAY_SAFE_PATTERN, example: 'leaked in a public repository' })
  @Optional()
  @IsString()
  @MaxLength(200)
  @IsDisplaySafe()
  reason?: string;
}

export class SuspendKeyDto {
  @ApiPropertyOptional({ maxLength: 200, pattern: DISPLAY_SAFE_PATTERN, example: 'unusual traffic, investigating' })
  @Optional()
  @IsString()
  @MaxLength(200)
  @IsDisplaySafe()
  reason?: string;
}
