/** Body of POST /v1/audit/verify for the OpenAPI document (the report of libs/event-store chain-verifier.ts). */
import { ApiProperty } from '@nestjs/swagger';
import type { ChainBreak, ChainBreakKind, ChainReport } from '@cs/event-store';

const BREAK_KINDS: ChainBreakKind[] = ['hash-mismatch', 'revision-gap', 'reorder', 'chain-missing', 'chain-malformed', 'unreadable'];

export class ChainPreviousAnswer {
  @ApiProperty({ type: Number, nullable: true, example: 1, description: 'null for an unreadable event: the last event read before it' })
  revision!: number | null;

  @ApiProperty({ example: '4' })
  position!: string;
}

export class ChainBreakAnswer implements ChainBreak {
  @ApiProperty({
    enum: BREAK_KINDS,
    description:
      'hash-mismatch: the link is not the hash of the event before it (that event, or this link, changed); revision-gap: events ' +
      'missing before it; reorder: a revision after a higher one; chain-missing: no link in a chained stream; chain-malformed: ' +
      'a link of no known version; unreadable: the store cannot read the next event (not JSON), the check stopped',
  })
  kind!: ChainBreakKind;

  @ApiProperty({ type: String, nullable: true, example: 'key-key_3fJ9kQ2mX7pL0aB4cD8eF1gH' })
  streamId!: string | null;

  @ApiProperty({ type: Number, nullable: true, example: 2 })
  revision!: number | null;

  @ApiProperty({ type: String, nullable: true, example: '7', description: 'the store position of the event, as a string (64-bit)' })
  position!: string | null;

  @ApiProperty({ type: String, nullable: true, format: 'uuid' })
  eventId!: string | null;

  @ApiProperty({ type: ChainPreviousAnswer, nullable: true, description: 'the event before it in its stream, as stored; null: none' })
  previous!: ChainPreviousAnswer | null;

  @ApiProperty({ example: 'the link does not match the hash of revision 1: that event, or this event’s link, was changed' })
  detail!: string;
}

export class ChainReportAnswer implements ChainReport {
  @ApiProperty({ description: 'no break found: every chained event links to the event before it in its stream' })
  intact!: boolean;

  @ApiProperty({ description: 'events read (system `$` streams are no part of any chain)', example: 14 })
  events!: number;

  @ApiProperty({ example: 4 })
  streams!: number;

  @ApiProperty({ description: 'events that carry metadata.chain', example: 14 })
  chainedEvents!: number;

  @ApiProperty({ description: 'events written before their stream’s chain started: not covered', example: 0 })
  legacyEvents!: number;

  @ApiProperty({ description: 'streams with no chained event (all legacy): reported, not failed', example: 0 })
  legacyStreams!: number;

  @ApiProperty({ description: 'streams whose chain starts after legacy events (its first link covers the last of them)', example: 0 })
  lateStartStreams!: number;

  @ApiProperty({ description: 'breaks found (the check reads on past a break)', example: 0 })
  breaks!: number;

  @ApiProperty({ type: ChainBreakAnswer, nullable: true, description: 'the first break in position order; null when intact' })
  firstBreak!: ChainBreakAnswer | null;

  @ApiProperty({
    type: String,
    nullable: true,
    example: '14',
    description: 'position of the last event read: the report covers the store up to it',
  })
  lastPosition!: string | null;

  @ApiProperty({ example: 12 })
  durationMs!: number;
}
