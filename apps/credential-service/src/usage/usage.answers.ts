/** Bodies of the key usage answers (README, "Key usage"), for the OpenAPI document. */
import { ApiProperty } from '@nestjs/swagger';
import type { KeyUsageReport, UnusedKey, UnusedKeysReport } from '@cs/application';
import { KEY_KINDS, type KeyKind } from '@cs/domain';
import type { DailyUsage, KeyStatus, UsageRefusedCode } from '@cs/validity';
import { KEY_ID_EXAMPLE } from '../http/answers';

const INSTANT = { type: String, format: 'date-time', example: '2026-12-01T12:00:00.000Z' } as const;
const DAY = { type: String, format: 'date', example: '2026-12-01' } as const;
const COUNT = { type: 'integer', minimum: 0 } as const;

export class RefusedByCodeAnswer implements Record<UsageRefusedCode, number> {
  @ApiProperty(COUNT)
  REVOKED!: number;

  @ApiProperty(COUNT)
  EXPIRED!: number;

  @ApiProperty(COUNT)
  SUSPENDED!: number;

  @ApiProperty(COUNT)
  IP_NOT_ALLOWED!: number;

  @ApiProperty(COUNT)
  ORIGIN_NOT_ALLOWED!: number;

  @ApiProperty(COUNT)
  INSUFFICIENT_PERMISSIONS!: number;
}

export class DailyUsageAnswer implements DailyUsage {
  @ApiProperty({ ...DAY, description: 'a UTC day' })
  day!: string;

  @ApiProperty({ ...COUNT, description: 'verifies answered VALID' })
  valid!: number;

  @ApiProperty({ ...COUNT, description: 'verifies that named this key and were refused' })
  refused!: number;

  @ApiProperty({ type: RefusedByCodeAnswer })
  refusedByCode!: RefusedByCodeAnswer;
}

export class UsageTotalAnswer {
  @ApiProperty(COUNT)
  valid!: number;

  @ApiProperty(COUNT)
  refused!: number;
}

export class KeyUsageAnswer implements KeyUsageReport {
  @ApiProperty({ example: KEY_ID_EXAMPLE })
  keyId!: string;

  @ApiProperty({ ...DAY, description: 'first day of the range (UTC, inclusive)' })
  from!: string;

  @ApiProperty({ ...DAY, description: 'last day of the range (UTC, inclusive)' })
  to!: string;

  @ApiProperty({ ...INSTANT, nullable: true, description: 'the last verify that named this key; null: never within the retention' })
  lastUsedAt!: string | null;

  @ApiProperty({ type: UsageTotalAnswer, description: 'the sums over the range' })
  total!: UsageTotalAnswer;

  @ApiProperty({ type: [DailyUsageAnswer], description: 'every day of the range, oldest first (zeros on days without a verify)' })
  days!: DailyUsageAnswer[];
}

export class UnusedKeyAnswer implements UnusedKey {
  @ApiProperty({ example: KEY_ID_EXAMPLE })
  keyId!: string;

  @ApiProperty()
  name!: string;

  @ApiProperty({ enum: KEY_KINDS })
  kind!: KeyKind;

  @ApiProperty({ enum: ['active', 'expired'] })
  status!: KeyStatus;

  @ApiProperty(INSTANT)
  createdAt!: string;

  @ApiProperty({ ...INSTANT, nullable: true, description: 'null: never used within the retention' })
  lastUsedAt!: string | null;
}

export class UnusedKeysAnswer implements UnusedKeysReport {
  @ApiProperty({ type: 'integer', minimum: 1, example: 90 })
  unusedForDays!: number;

  @ApiProperty({ ...INSTANT, description: 'keys last used before this instant, or never used and created before it, are listed' })
  cutoff!: string;

  @ApiProperty({ type: [UnusedKeyAnswer], description: 'never-used keys first, then by lastUsedAt, oldest first' })
  keys!: UnusedKeyAnswer[];
}
