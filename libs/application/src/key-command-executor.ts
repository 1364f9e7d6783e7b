/**
 * The command pipeline, in one place for every transport and for the expiry scheduler:
 * read the key's stream, fold, decide, append with the expected revision, then apply the same
 * events to the validity index inline so a revoke is in force when the call returns.
 */
import { randomUUID } from 'node:crypto';
import {
  decide,
  decodeKeyEvent,
  encodeKeyEvent,
  evolve,
  initialState,
  keyStreamId,
  type KeyCommand,
  type KeyEvent,
  type KeyState,
  type Rejection,
} from '@cs/domain';
import { WrongExpectedRevisionError, withCommandEventId, type EventMetadata, type EventStore, type RecordedEvent } from '@cs/event-store';
import { projectKeyEvent, type KeyRecord, type ValidityIndex } from '@cs/validity';

export type Actor = EventMetadata['actor'];

export interface CommandContext {
  actor: Actor;
  correlationId?: string;
  causationId?: string | null;
  /**
   * The key version (stream revision) the caller last saw, e.g. from If-Match. When given, the
   * command is refused as a concurrent change unless the key is still at exactly that version, so
   * two people acting on the same view cannot both succeed.
   */
  expectedVersion?: number;
}

/** Rejections from the decider plus the pipeline's own: a lost optimistic-concurrency race. */
export type CommandRejection = Rejection | { code: 'CONCURRENT_CHANGE'; message: string };

export type CommandOutcome<T> =
  { ok: true; record: KeyRecord; events: RecordedEvent[]; result: T } | { ok: false; rejection: CommandRejection };

export type Clock = () => Date;

/** Builds the command from the folded state (new secrets need the next secret version). */
export type CommandBuilder<T> = (state: KeyState) => { command: KeyCommand; result: T };

export class KeyCommandExecutor {
  constructor(
    private readonly store: EventStore,
    private readonly index: ValidityIndex,
    private readonly clock: Clock = () => new Date(),
    private readonly onIndexWriteFailed?: (error: Error) => void,
    /** How long a command waits for its inline index write before it answers from the store alone. */
    private readonly inlineWriteTimeoutMs = 500,
  ) {}

  /**
   * `accountId` is the tenant the caller acts for: a key of another account answers KEY_NOT_FOUND,
   * exactly as a missing key does, so callers cannot probe other accounts' key ids.
   */
  async execute<T>(keyId: string, accountId: string, build: CommandBuilder<T>, context: CommandContext): Promise<CommandOutcome<T>> {
    const streamId = keyStreamId(keyId);
    const history = await this.store.readStream(streamId);
    const state = foldRecorded(history);
    if (state.status !== 'absent' && state.props.accountId !== accountId) {
      return { ok: false, rejection: { code: 'KEY_NOT_FOUND', message: 'key not found' } };
    }
    const currentVersion = history.length === 0 ? undefined : history[history.length - 1].revision;
    if (context.expectedVersion !== undefined && state.status !== 'absent' && currentVersion !== context.expectedVersion) {
      return {
        ok: false,
        rejection: {
          code: 'CONCURRENT_CHANGE',
          message: `the key is at version ${currentVersion}, not ${context.expectedVersion}; read it again and retry`,
        },
      };
    }
    const { command, result } = build(state);
    const now = this.clock();
    const decision = decide(command, state, now);
    if (!decision.ok) return decision;

    let appended: RecordedEvent[] = [];
    if (decision.events.length > 0) {
      const metadata = this.metadata(context, now);
      const newEvents = decision.events.map((event, index) => {
        const { type, data, schemaVersion } = encodeKeyEvent(event);
        return withCommandEventId(streamId, currentVersion ?? 'no_stream', index, { type, data, metadata: { ...metadata, schemaVersion } });
      });
      const expectedRevision = currentVersion ?? 'no_stream';
      try {
        const written = await this.store.appendToStream(streamId, newEvents, { expectedRevision });
        const first = written.nextExpectedRevision - newEvents.length + 1;
        appended = newEvents.map((event, i) => ({
          ...event,
          streamId,
          revision: first + i,
          position: written.position,
          recordedAt: now,
        }));
      } catch (error) {
        if (error instanceof WrongExpectedRevisionError) {
          return {
            ok: false,
            rejection: { code: 'CONCURRENT_CHANGE', message: 'the key was changed concurrently; read it again and retry' },
          };
        }
        throw error;
      }
    }
    const record = projectRecorded([...history, ...appended]);
    if (!record) return { ok: false, rejection: { code: 'KEY_NOT_FOUND', message: 'key not found' } };
    // The inline projection: the catch-up projector applies the same events again (revision-guarded).
    // The command stands on the event store alone: if the index cannot take the write (down, stalled),
    // the command still succeeds, and this process distrusts the index until it has applied these
    // events (index-trust.ts), so a revoke is in force for every answer from the moment it is recorded.
    if (appended.length > 0) {
      try {
        await boundedBy(this.index.write(record), this.inlineWriteTimeoutMs);
      } catch (error) {
        this.index.trust.requirePosition(appended[appended.length - 1].position);
        this.onIndexWriteFailed?.(error as Error);
      }
    }
    return { ok: true, record, events: appended, result };
  }

  private metadata(context: CommandContext, now: Date): Pick<EventMetadata, 'actor' | 'correlationId' | 'causationId' | 'occurredAt'> {
    return {
      actor: context.actor,
      correlationId: context.correlationId ?? randomUUID(),
      causationId: context.causationId ?? null,
      occurredAt: now.toISOString(),
    };
  }
}

/**
 * The stored event as a KeyEvent, through the key-event codec (libs/domain key-event-codec.ts, where
 * upcasters go): null for an event that is not a key event; throws EventDecodeError for one that
 * cannot be read, so a fold or a projection stops at it instead of deciding on a guess.
 */
export function toKeyEvent(recorded: RecordedEvent): KeyEvent | null {
  return decodeKeyEvent(recorded);
}

export function foldRecorded(events: RecordedEvent[]): KeyState {
  let state = initialState();
  for (const recorded of events) {
    const event = toKeyEvent(recorded);
    if (event) state = evolve(state, event);
  }
  return state;
}

export function actorId(actor: Actor): string {
  return actor.type === 'user' ? actor.sub : `system:${actor.name}`;
}

export function projectRecorded(events: RecordedEvent[], start: KeyRecord | null = null): KeyRecord | null {
  let record = start;
  for (const recorded of events) {
    const event = toKeyEvent(recorded);
    if (!event) continue;
    record = projectKeyEvent(record, {
      event,
      revision: recorded.revision,
      occurredAt: recorded.metadata.occurredAt,
      actorId: actorId(recorded.metadata.actor),
    });
  }
  return record;
}

/** Rejects after `ms` if `work` has not settled; `work` goes on (a late write is revision-guarded, so harmless). */
function boundedBy<T>(work: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`the index write took longer than ${ms} ms`)), ms);
  });
  work.catch(() => undefined); // settles after the timeout: nobody else awaits it
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}
