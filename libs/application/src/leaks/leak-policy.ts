/**
 * The account's leak policy (README, "Secret scanning"): what a leak report of one of its secrets
 * does, `revoke` (the default) or `alert`. Kept as LeakPolicySet events on the account's stream
 * (`account-<accountId>`, beside the signing-key slots), so every change says who made it and when.
 * Appended with the expected revision of that stream: a lost race with a slot reservation is read
 * and decided again.
 */
import { randomUUID } from 'node:crypto';
import { Inject } from '@nestjs/common';
import { Command, CommandHandler, Query, QueryHandler, type ICommandHandler, type IQueryHandler } from '@nestjs/cqrs';
import { accountStreamId, decideLeakPolicy, encodeAccountEvent, leakPolicyOf, type AccountState, type LeakPolicy } from '@cs/domain';
import { EVENT_STORE, WrongExpectedRevisionError, withCommandEventId, type EventStore, type RecordedEvent } from '@cs/event-store';
import { actorId, type CommandContext } from '../key-command-executor';
import { foldAccountRecorded } from '../signing-key-slots';

export interface LeakPolicyView {
  accountId: string;
  policy: LeakPolicy;
  /** When and by whom it was last set; null for an account that never set it (the default applies). */
  setAt: string | null;
  setBy: string | null;
}

/** Attempts before a lost race with another append to the account stream gives up. */
const ATTEMPTS = 5;

export class LeakPolicies {
  constructor(
    private readonly store: EventStore,
    private readonly clock: () => Date = () => new Date(),
  ) {}

  async view(accountId: string): Promise<LeakPolicyView> {
    const history = await this.store.readStream(accountStreamId(accountId));
    return viewOf(accountId, history, foldAccountRecorded(history));
  }

  /** The policy a leak report of this account's key follows now. */
  async policyOf(accountId: string): Promise<LeakPolicy> {
    return leakPolicyOf(foldAccountRecorded(await this.store.readStream(accountStreamId(accountId))));
  }

  async set(accountId: string, policy: LeakPolicy, context: CommandContext): Promise<LeakPolicyView> {
    const streamId = accountStreamId(accountId);
    for (let attempt = 1; ; attempt++) {
      const history = await this.store.readStream(streamId);
      const state = foldAccountRecorded(history);
      const events = decideLeakPolicy(accountId, policy, state);
      if (events.length === 0) return viewOf(accountId, history, state);
      const now = this.clock();
      const expectedRevision = history.length === 0 ? 'no_stream' : history[history.length - 1].revision;
      const metadata = {
        actor: context.actor,
        correlationId: context.correlationId ?? randomUUID(),
        causationId: context.causationId ?? null,
        occurredAt: now.toISOString(),
      };
      const newEvents = events.map((event, index) => {
        const { type, data, schemaVersion } = encodeAccountEvent(event);
        return withCommandEventId(streamId, expectedRevision, index, { type, data, metadata: { ...metadata, schemaVersion } });
      });
      try {
        await this.store.appendToStream(streamId, newEvents, { expectedRevision });
        return { accountId, policy, setAt: metadata.occurredAt, setBy: actorId(context.actor) };
      } catch (error) {
        // Another append to the account stream (a slot reservation, another setting) landed first.
        if (!(error instanceof WrongExpectedRevisionError) || attempt >= ATTEMPTS) throw error;
      }
    }
  }
}

function viewOf(accountId: string, history: RecordedEvent[], state: AccountState): LeakPolicyView {
  const last = [...history].reverse().find((event) => event.type === 'LeakPolicySet');
  return {
    accountId,
    policy: leakPolicyOf(state),
    setAt: last ? last.metadata.occurredAt : null,
    setBy: last ? actorId(last.metadata.actor) : null,
  };
}

export class GetLeakPolicy extends Query<LeakPolicyView> {
  constructor(readonly accountId: string) {
    super();
  }
}

@QueryHandler(GetLeakPolicy)
export class GetLeakPolicyHandler implements IQueryHandler<GetLeakPolicy> {
  private readonly policies: LeakPolicies;
  constructor(@Inject(EVENT_STORE) store: EventStore) {
    this.policies = new LeakPolicies(store);
  }
  execute({ accountId }: GetLeakPolicy): Promise<LeakPolicyView> {
    return this.policies.view(accountId);
  }
}

export class SetLeakPolicy extends Command<LeakPolicyView> {
  constructor(
    readonly accountId: string,
    readonly policy: LeakPolicy,
    readonly context: CommandContext,
  ) {
    super();
  }
}

@CommandHandler(SetLeakPolicy)
export class SetLeakPolicyHandler implements ICommandHandler<SetLeakPolicy> {
  private readonly policies: LeakPolicies;
  constructor(@Inject(EVENT_STORE) store: EventStore) {
    this.policies = new LeakPolicies(store);
  }
  execute({ accountId, policy, context }: SetLeakPolicy): Promise<LeakPolicyView> {
    return this.policies.set(accountId, policy, context);
  }
}
