/** The list's query parameters in OpenAPI (list-input.ts checks them). */
import { applyDecorators } from '@nestjs/common';
import { ApiQuery } from '@nestjs/swagger';
import { DEFAULT_KEY_PAGE_LIMIT, KEY_VIEW_STATUSES, MAX_KEY_PAGE_LIMIT } from '@cs/application';
import { KEY_KINDS } from '@cs/domain';

export const KeyListQueries = (): MethodDecorator =>
  applyDecorators(
    ApiQuery({
      name: 'status',
      required: false,
      description: 'only keys with this status',
      schema: { type: 'string', enum: [...KEY_VIEW_STATUSES] },
    }),
    ApiQuery({ name: 'kind', required: false, description: 'only keys of this kind', schema: { type: 'string', enum: [...KEY_KINDS] } }),
    ApiQuery({
      name: 'limit',
      required: false,
      description: 'at most this many keys in the page',
      schema: { type: 'integer', minimum: 1, maximum: MAX_KEY_PAGE_LIMIT, default: DEFAULT_KEY_PAGE_LIMIT },
    }),
    ApiQuery({
      name: 'cursor',
      required: false,
      description: "the previous page's nextCursor, unchanged (opaque; the same filters must be given again)",
      schema: { type: 'string', maxLength: 200, pattern: '^[A-Za-z0-9_-]+$' },
    }),
    ApiQuery({
      name: 'at',
      required: false,
      description:
        'the keys as they were at this instant (ISO 8601 with a time zone, not in the future): each key replayed from its events ' +
        'up to then, as validity-at does; keys made later are left out; statuses, expiries, IPs and names are those of then; no lastUsedAt',
      schema: { type: 'string', format: 'date-time', example: '2026-12-01T12:00:00Z' },
    }),
  );
