/**
 * Reads on the CQRS query bus: key views from the validity read model, history from the event
 * store itself (auditors read what was recorded, not a projection of it).
 */
import { Inject } from '@nestjs/common';
import { QueryHandler, type IQueryHandler } from '@nestjs/cqrs';
import { toHistoryEntry, toKeyView, validityAt, type HistoryEntry, type KeyView, type ValidityAt } from '@cs/application';
import { type Infrastructure } from '@cs/composition';
import { keyStreamId } from '@cs/domain';
import { INFRASTRUCTURE } from '../infrastructure/tokens';

export class GetKeyQuery {
  constructor(readonly accountId: string, readonly keyId: string) {}
}
export class ListKeysQuery {
  constructor(readonly accountId: string) {}
}
export class KeyHistoryQuery {
  constructor(readonly accountId: string, readonly keyId: string) {}
}

@QueryHandler(GetKeyQuery)
export class GetKeyHandler implements IQueryHandler<GetKeyQuery, KeyView | null> {
  constructor(@Inject(INFRASTRUCTURE) private readonly infra: Infrastructure) {}
  async execute({ accountId, keyId }: GetKeyQuery): Promise<KeyView | null> {
    const record = await this.infra.index.getKey(keyId);
    return record && record.accountId === accountId ? toKeyView(record) : null;
  }
}

@QueryHandler(ListKeysQuery)
export class ListKeysHandler implements IQueryHandler<ListKeysQuery, KeyView[]> {
  constructor(@Inject(INFRASTRUCTURE) private readonly infra: Infrastructure) {}
  async execute({ accountId }: ListKeysQuery): Promise<KeyView[]> {
    const records = await this.infra.index.listKeys(accountId);
    const now = Date.now();
    return records.map((r) => toKeyView(r, now)).sort((a, b) => a.createdAt.localeCompare(b.createdAt) || a.id.localeCompare(b.id));
  }
}

@QueryHandler(KeyHistoryQuery)
export class KeyHistoryHandler implements IQueryHandler<KeyHistoryQuery, HistoryEntry[] | null> {
  constructor(@Inject(INFRASTRUCTURE) private readonly infra: Infrastructure) {}
  async execute({ accountId, keyId }: KeyHistoryQuery): Promise<HistoryEntry[] | null> {
    const events = await this.infra.store.readStream(keyStreamId(keyId));
    if (events.length === 0 || events[0].data.accountId !== accountId) return null;
    return events.map(toHistoryEntry);
  }
}


export class KeyValidityAtQuery {
  constructor(readonly accountId: string, readonly keyId: string, readonly at: Date, readonly ip: string | undefined) {}
}

@QueryHandler(KeyValidityAtQuery)
export class KeyValidityAtHandler implements IQueryHandler<KeyValidityAtQuery, ValidityAt | null> {
  constructor(@Inject(INFRASTRUCTURE) private readonly infra: Infrastructure) {}
  async execute({ accountId, keyId, at, ip }: KeyValidityAtQuery): Promise<ValidityAt | null> {
    const events = await this.infra.store.readStream(keyStreamId(keyId));
    if (events.length === 0 || events[0].data.accountId !== accountId) return null;
    return validityAt(keyId, events, at, ip);
  }
}

export class AccountHistoryQuery {
  constructor(readonly accountId: string, readonly limit: number) {}
}

/** Every event of every key of the account, oldest first (the account's audit trail). */
@QueryHandler(AccountHistoryQuery)
export class AccountHistoryHandler implements IQueryHandler<AccountHistoryQuery, (HistoryEntry & { keyId: string })[]> {
  constructor(@Inject(INFRASTRUCTURE) private readonly infra: Infrastructure) {}
  async execute({ accountId, limit }: AccountHistoryQuery): Promise<(HistoryEntry & { keyId: string })[]> {
    const keys = await this.infra.index.listKeys(accountId);
    const streams = await Promise.all(keys.map((key) => this.infra.store.readStream(keyStreamId(key.keyId))));
    return streams
      .flat()
      .sort((a, b) => (a.position < b.position ? -1 : a.position > b.position ? 1 : a.revision - b.revision))
      .slice(-limit)
      .map((event) => ({ keyId: String(event.data.keyId), ...toHistoryEntry(event) }));
  }
}

export const KEY_QUERY_HANDLERS = [GetKeyHandler, ListKeysHandler, KeyHistoryHandler, KeyValidityAtHandler, AccountHistoryHandler];
