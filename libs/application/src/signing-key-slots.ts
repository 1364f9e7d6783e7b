/**
 * The signing-key cap on the write side: commands that bring a signing key to life reserve a slot
 * on the account's stream (decided by the pure account decider, appended with the expected revision
 * of that stream) before the key command runs through the ordinary KeyCommandExecutor. The rule and
 * why it holds under concurrency are in libs/domain/src/account.decider.ts; this is the plumbing:
 *
 *   read the key stream → build and decide the key command (a refusal reserves nothing) →
 *   [it takes a slot] read the account stream and every reserved key's stream → decideAccount →
 *   append to `account-<id>` with its expected revision (a lost race: read and decide again, up to
 *   `attempts` times, then CONCURRENT_CHANGE) → KeyCommandExecutor.execute with the command already
 *   built and the key revision read pinned as its expected version.
 *
 * With `attempts` above MAX_ACTIVE_SIGNING_KEYS, racing generates end as 201 or TOO_MANY_KEYS, never
 * CONCURRENT_CHANGE: every lost race is a reservation someone else appended, so after at most 8 of
 * them the account is full and the next decision refuses without appending.
 */
import { randomUUID } from 'node:crypto';
import {
  MAX_ACTIVE_SIGNING_KEYS,
  accountStreamId,
  decide,
  decideAccount,
  decodeAccountEvent,
  encodeAccountEvent,
  evolveAccount,
  initialAccountState,
  keyStreamId,
  keysToConsult,
  mayStillAppend,
  takesSigningKeySlot,
  type AccountEvent,
  type AccountState,
  type ReservedKey,
} from '@cs/domain';
import { WrongExpectedRevisionError, withCommandEventId, type EventStore, type RecordedEvent } from '@cs/event-store';
import { MAX_SIGNATURES } from '@cs/signature';
import {
  foldRecorded,
  type Clock,
  type CommandBuilder,
  type CommandContext,
  type CommandOutcome,
  type CommandRejection,
  type KeyCommandExecutor,
} from './key-command-executor';

export interface SigningKeySlotsOptions {
  clock?: Clock;
  /** Decisions per reservation before a lost race is answered CONCURRENT_CHANGE. */
  attempts?: number;
  /**
   * The account's signing keys known before its account stream existed (not revoked), adopted when
   * the stream is created. Asked only then; the read model is the one per-account listing there is.
   */
  existingSigningKeyIds?: (accountId: string) => Promise<string[]>;
}

// With a grace period each, the capped keys give at most MAX_SIGNATURES signatures per header.
if (MAX_ACTIVE_SIGNING_KEYS * 2 > MAX_SIGNATURES) {
  throw new Error(`${MAX_ACTIVE_SIGNING_KEYS} signing keys could need more than ${MAX_SIGNATURES} signatures per header`);
}

export type SlotReservation = { ok: true; reservedAt: Date } | { ok: false; rejection: CommandRejection };

const concurrentChange = (message: string) => ({ ok: false as const, rejection: { code: 'CONCURRENT_CHANGE' as const, message } });

export class SigningKeySlots {
  private readonly clock: Clock;
  private readonly attempts: number;

  constructor(
    private readonly store: EventStore,
    private readonly executor: KeyCommandExecutor,
    private readonly options: SigningKeySlotsOptions = {},
  ) {
    this.clock = options.clock ?? (() => new Date());
    this.attempts = Math.max(1, options.attempts ?? MAX_ACTIVE_SIGNING_KEYS + 2);
  }

  /**
   * `KeyCommandExecutor.execute` for a command that may bring a signing key to life (generate, or
   * regenerate); any other command, or a key that is not a signing key, goes straight through.
   */
  async execute<T>(keyId: string, accountId: string, build: CommandBuilder<T>, context: CommandContext): Promise<CommandOutcome<T>> {
    const history = await this.store.readStream(keyStreamId(keyId));
    const state = foldRecorded(history);
    // Only a new key or an expired signing key can come to life: anything else (another account's
    // key included) goes through unchanged, and the executor answers as it always does.
    if (
      state.status !== 'absent' &&
      (state.props.accountId !== accountId || state.props.kind !== 'signing' || state.status !== 'expired')
    ) {
      return this.executor.execute(keyId, accountId, build, context);
    }
    const revision = history.length === 0 ? null : history[history.length - 1].revision;
    if (context.expectedVersion !== undefined && revision !== null && revision !== context.expectedVersion) {
      return concurrentChange(`the key is at version ${revision}, not ${context.expectedVersion}; read it again and retry`);
    }
    const built = build(state);
    const now = this.clock();
    if (takesSigningKeySlot(built.command, state)) {
      // Refused commands reserve nothing: decide the key command first.
      const decision = decide(built.command, state, now);
      if (!decision.ok) return decision;
      const reservation = await this.reserve(accountId, keyId, revision, context);
      if (!reservation.ok) return reservation;
      if (!mayStillAppend(reservation.reservedAt, this.clock())) {
        return concurrentChange('the signing-key slot was reserved too long ago to be used; retry');
      }
    }
    // The command was built from the key at `revision`: the executor appends only on that revision.
    return this.executor.execute(keyId, accountId, () => built, { ...context, expectedVersion: revision ?? undefined });
  }

  /** Reserves a signing-key slot of the account for `keyId`, whose stream is at `keyRevision`. */
  async reserve(accountId: string, keyId: string, keyRevision: number | null, context: CommandContext): Promise<SlotReservation> {
    const streamId = accountStreamId(accountId);
    for (let attempt = 1; attempt <= this.attempts; attempt++) {
      const history = await this.store.readStream(streamId);
      const state = foldAccountRecorded(history);
      const existingKeyIds = state.exists ? [] : await this.existingKeyIds(accountId, keyId);
      const command = { type: 'ReserveSigningKeySlot' as const, accountId, keyId, keyRevision, existingKeyIds };
      const keys = await this.readKeys(keysToConsult(command, state));
      const now = this.clock();
      const decision = decideAccount(command, state, keys, now);
      if (!decision.ok) return decision;
      const metadata = {
        actor: context.actor,
        correlationId: context.correlationId ?? randomUUID(),
        causationId: context.causationId ?? null,
        occurredAt: now.toISOString(),
      };
      const expectedRevision = history.length === 0 ? 'no_stream' : history[history.length - 1].revision;
      const events = decision.events.map((event, index) => {
        const { type, data, schemaVersion } = encodeAccountEvent(event);
        return withCommandEventId(streamId, expectedRevision, index, { type, data, metadata: { ...metadata, schemaVersion } });
      });
      try {
        await this.store.appendToStream(streamId, events, {
          expectedRevision: history.length === 0 ? 'no_stream' : history[history.length - 1].revision,
        });
        return { ok: true, reservedAt: now };
      } catch (error) {
        if (!(error instanceof WrongExpectedRevisionError)) throw error;
        // Another reservation landed first: decide again on the account as it is now.
      }
    }
    return concurrentChange("the account's signing keys were changed concurrently; retry");
  }

  private async existingKeyIds(accountId: string, keyId: string): Promise<string[]> {
    const ids = (await this.options.existingSigningKeyIds?.(accountId)) ?? [];
    return ids.filter((id) => id !== keyId);
  }

  private async readKeys(keyIds: string[]): Promise<Record<string, ReservedKey>> {
    const entries = await Promise.all(
      keyIds.map(async (id): Promise<[string, ReservedKey]> => {
        const history = await this.store.readStream(keyStreamId(id));
        return [id, { revision: history.length === 0 ? null : history[history.length - 1].revision, state: foldRecorded(history) }];
      }),
    );
    return Object.fromEntries(entries);
  }
}

/** Through the account-event codec (libs/domain account-event-codec.ts): null for another type; throws EventDecodeError when unreadable. */
export function toAccountEvent(recorded: RecordedEvent): AccountEvent | null {
  return decodeAccountEvent(recorded);
}

export function foldAccountRecorded(events: RecordedEvent[]): AccountState {
  let state = initialAccountState();
  for (const recorded of events) {
    const event = toAccountEvent(recorded);
    if (event) state = evolveAccount(state, event);
  }
  return state;
}
