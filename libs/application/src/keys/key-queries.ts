/**
 * Reads: key views from the validity read model (answered only while it is trusted), a key's history
 * and validity-at from the event store itself (auditors read what was recorded, not a projection of it).
 * The account's history is a read model of its own: history/account-history.ts.
 */
import { Inject, Optional } from '@nestjs/common';
import { Query, QueryHandler, type IQueryHandler } from '@nestjs/cqrs';
import { keyStreamId } from '@cs/domain';
import { EVENT_STORE, type EventStore } from '@cs/event-store';
import { VALIDITY_INDEX, type ValidityIndex } from '@cs/validity';
import { UsageReads, withLastUsed } from '../usage/usage-queries';
import { validityAt, type ValidityAt } from '../validity-at';
import { toHistoryEntry, toKeyView, type HistoryEntry, type KeyView } from '../views';

/** A key of the account, or null (another account's key is null too: indistinguishable from a missing one). */
export class GetKey extends Query<KeyView | null> {
  constructor(
    readonly accountId: string,
    readonly keyId: string,
  ) {
    super();
  }
}

export class KeyHistory extends Query<HistoryEntry[] | null> {
  constructor(
    readonly accountId: string,
    readonly keyId: string,
  ) {
    super();
  }
}

export class KeyValidityAt extends Query<ValidityAt | null> {
  constructor(
    readonly accountId: string,
    readonly keyId: string,
    readonly at: Date,
    readonly ip: string | undefined,
  ) {
    super();
  }
}

@QueryHandler(GetKey)
export class GetKeyHandler implements IQueryHandler<GetKey> {
  constructor(
    @Inject(VALIDITY_INDEX) private readonly index: ValidityIndex,
    @Optional() @Inject(UsageReads) private readonly usage?: UsageReads,
  ) {}
  async execute({ accountId, keyId }: GetKey): Promise<KeyView | null> {
    const record = await this.index.getKey(keyId);
    if (!record || record.accountId !== accountId) return null;
    return (await withLastUsed([toKeyView(record)], this.usage))[0];
  }
}

@QueryHandler(KeyHistory)
export class KeyHistoryHandler implements IQueryHandler<KeyHistory> {
  constructor(@Inject(EVENT_STORE) private readonly store: EventStore) {}
  async execute({ accountId, keyId }: KeyHistory): Promise<HistoryEntry[] | null> {
    const events = await this.store.readStream(keyStreamId(keyId));
    if (events.length === 0 || events[0].data.accountId !== accountId) return null;
    return events.map(toHistoryEntry);
  }
}

@QueryHandler(KeyValidityAt)
export class KeyValidityAtHandler implements IQueryHandler<KeyValidityAt> {
  constructor(@Inject(EVENT_STORE) private readonly store: EventStore) {}
  async execute({ accountId, keyId, at, ip }: KeyValidityAt): Promise<ValidityAt | null> {
    const events = await this.store.readStream(keyStreamId(keyId));
    if (events.length === 0 || events[0].data.accountId !== accountId) return null;
    return validityAt(keyId, events, at, ip);
  }
}
