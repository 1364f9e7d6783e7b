/**
 * The account history query (README, "Account history"): a page of the history read model, never the
 * event store's streams, so it answers for any number of keys and whatever the validity index holds.
 * Before answering it waits briefly for the projection to reach the store's head (a change just made
 * is in the answer); past that it refuses (HistoryUnavailableError, 503 HISTORY_UNAVAILABLE) rather
 * than answer a history it cannot show is whole: a read model that lost rows (its Redis flushed,
 * restarted empty or from an older snapshot) is behind the store until the projection has written
 * them again, and an auditor must not be shown it as the account's history.
 * Exports read the same pages one after the other (`rows()`).
 */
import { Inject } from '@nestjs/common';
import { Query, QueryHandler, type IQueryHandler } from '@nestjs/cqrs';
import { KEY_STREAM_PREFIX } from '@cs/domain';
import type { EventStore, RecordedEvent } from '@cs/event-store';
import {
  HistoryUnavailableError,
  type HistoryDirection,
  type HistoryFilter,
  type HistoryPage,
  type HistoryRow,
  type HistoryStore,
} from '@cs/validity';
import type { HistoryEntry } from '../views';

export type AccountHistoryEntry = HistoryEntry & { keyId: string };

/** How long a read waits for the projection to reach the store's head before answering what it has. */
export const HISTORY_CATCH_UP_WAIT_MS = 2000;

export interface AccountHistoryRequest {
  accountId: string;
  filter: HistoryFilter;
  direction: HistoryDirection;
  /** Exclusive: where the previous page ended. */
  after?: bigint;
  limit: number;
}

export interface AccountHistoryPage extends HistoryPage {
  /** The position the read model had applied when it answered (undefined: nothing yet). */
  position: bigint | undefined;
  /** Whether it had applied every key event stored when the read began. */
  caughtUp: boolean;
}

export class AccountHistory extends Query<AccountHistoryPage> {
  constructor(readonly request: AccountHistoryRequest) {
    super();
  }
}

/** A history row as the JSON answer's entry (today's fields: the stored event's metadata spread out). */
export function toAccountHistoryEntry(row: HistoryRow): AccountHistoryEntry {
  const metadata = row.metadata as Partial<RecordedEvent['metadata']>;
  return {
    keyId: row.keyId,
    id: row.id,
    type: row.type,
    revision: row.revision,
    time: typeof metadata.occurredAt === 'string' ? metadata.occurredAt : row.recordedAt,
    recordedAt: row.recordedAt,
    actor: metadata.actor as HistoryEntry['actor'],
    correlationId: typeof metadata.correlationId === 'string' ? metadata.correlationId : '',
    causationId: typeof metadata.causationId === 'string' ? metadata.causationId : null,
    schemaVersion: typeof metadata.schemaVersion === 'number' ? metadata.schemaVersion : 1,
    data: row.data,
  };
}

/** The reads of the history read model; built by the composition (libs/composition), injected by its class. */
export class AccountHistoryReads {
  constructor(
    private readonly store: Pick<EventStore, 'headPosition'>,
    private readonly history: HistoryStore,
  ) {}

  /** One page, after waiting (at most `waitMs`) for the read model to catch up with the store; refused if it has not. */
  async page(request: AccountHistoryRequest, waitMs = HISTORY_CATCH_UP_WAIT_MS): Promise<AccountHistoryPage> {
    const { position, caughtUp } = await this.current(waitMs);
    const page = await this.guard(() => this.history.page(request));
    await this.stillHolds(position);
    return { ...page, position, caughtUp };
  }

  /**
   * Every matching row from `request.after` on, page by page (constant memory; the consumer pulls).
   * With `since` (the position current() answered), each page is checked as page() checks its one.
   */
  async *rows(request: Omit<AccountHistoryRequest, 'limit'>, pageSize = 1000, since?: bigint): AsyncGenerator<HistoryRow> {
    let after = request.after;
    for (;;) {
      const page = await this.guard(() => this.history.page({ ...request, after, limit: pageSize }));
      await this.stillHolds(since);
      yield* page.rows;
      if (page.next === null) return;
      after = page.next;
    }
  }

  /**
   * After a read: refused (HistoryUnavailableError) if the read model holds less than it did at
   * `position` (the check before the read). The check and the read are separate round trips: a read
   * model that lost rows between them (its Redis flushed, restarted empty or from an older snapshot)
   * was read with rows missing, and its checkpoint, gone or behind, says so now.
   */
  private async stillHolds(position: bigint | undefined): Promise<void> {
    if (position === undefined) return;
    const now = await this.guard(() => this.history.position());
    if (now === undefined || now < position) {
      throw new HistoryUnavailableError({
        message: 'the account history lost rows while it was read (it is being written again)',
      });
    }
  }

  /** freshness(), refused with HistoryUnavailableError when the read model has not caught up. */
  async current(waitMs = HISTORY_CATCH_UP_WAIT_MS): Promise<{ position: bigint | undefined; caughtUp: true }> {
    const { position, caughtUp } = await this.freshness(waitMs);
    if (!caughtUp) {
      throw new HistoryUnavailableError({
        message: 'the account history has not caught up with the event store (it is being built or written again)',
      });
    }
    return { position, caughtUp };
  }

  /**
   * Where the read model is, and whether it has reached the store's last key event, waiting up to
   * `waitMs` for it. A store that does not answer leaves the question open: not caught up.
   */
  async freshness(waitMs = HISTORY_CATCH_UP_WAIT_MS): Promise<{ position: bigint | undefined; caughtUp: boolean }> {
    const head = await this.store.headPosition({ streamPrefixes: [KEY_STREAM_PREFIX] }).then(
      (found) => ({ found }),
      () => null,
    );
    const deadline = Date.now() + waitMs;
    for (;;) {
      const position = await this.guard(() => this.history.position());
      if (head && (head.found === undefined || (position !== undefined && position >= head.found))) return { position, caughtUp: true };
      if (!head || Date.now() >= deadline) return { position, caughtUp: false };
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
  }

  private async guard<T>(read: () => Promise<T>): Promise<T> {
    try {
      return await read();
    } catch (error) {
      throw new HistoryUnavailableError({ cause: error });
    }
  }
}

@QueryHandler(AccountHistory)
export class AccountHistoryHandler implements IQueryHandler<AccountHistory> {
  constructor(@Inject(AccountHistoryReads) private readonly reads: AccountHistoryReads) {}
  execute({ request }: AccountHistory): Promise<AccountHistoryPage> {
    return this.reads.page(request);
  }
}
