import { randomUUID } from 'node:crypto';
import {
  WrongExpectedRevisionError,
  type AllStreamSubscription,
  type EventMetadata,
  type EventStore,
  type NewEvent,
  type ReadAllOptions,
  type RecordedEvent,
} from '../event-store.port';

// Helpers for event-store.conformance.ts. Every wait here is bounded, so a broken adapter fails fast
// with a message instead of hanging until jest's 30s timeout.

export const WAIT_MS = 2000;

export const uid = () => randomUUID().replace(/-/g, '').slice(0, 12);

export function metadata(): EventMetadata {
  return {
    actor: { type: 'user', sub: 'user-1', acct: 'acct-1', roles: ['admin'] },
    correlationId: randomUUID(),
    causationId: null,
    occurredAt: '2024-05-06T07:08:09.123Z',
    schemaVersion: 1,
    tenant: 'extra fields survive too',
  };
}

export function newEvents(count: number, tag = 'e'): NewEvent[] {
  return Array.from({ length: count }, (_, n) => ({
    id: randomUUID(),
    type: n % 2 ? 'KeyRotated' : 'KeyIssued',
    data: { n, tag, nested: { list: [1, 'two', null, true] }, text: 'ключ ✓ 🔑' },
    metadata: metadata(),
  }));
}

export function withTimeout<T>(promise: Promise<T>, what: string, ms = WAIT_MS): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms}ms: ${what}`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

export async function readAll(store: EventStore, options?: ReadAllOptions): Promise<RecordedEvent[]> {
  const out: RecordedEvent[] = [];
  for await (const e of store.readAll(options)) out.push(e);
  return out;
}

export async function expectWrongRevision(append: Promise<unknown>, fields: Partial<WrongExpectedRevisionError>): Promise<void> {
  const err = await append.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(WrongExpectedRevisionError);
  expect(err).toMatchObject({ retryable: false, ...fields });
}

/** Drains a subscription in the background, the way a projector's for-await loop would. */
export function collect(sub: AllStreamSubscription) {
  const received: RecordedEvent[] = [];
  let failure: { error: unknown } | undefined;
  let ended = false;
  let notify = () => {};
  const done = (async () => {
    try {
      for await (const e of sub) {
        received.push(e);
        notify();
      }
    } catch (e) {
      failure = { error: e };
    } finally {
      ended = true;
      notify();
    }
  })();
  async function waitFor(count: number): Promise<RecordedEvent[]> {
    const deadline = Date.now() + WAIT_MS;
    while (received.length < count) {
      if (failure) throw failure.error;
      if (ended) throw new Error(`subscription ended after ${received.length} of ${count} events`);
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`timed out waiting for ${count} events, got ${received.length}`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        notify = () => (clearTimeout(timer), resolve());
      });
    }
    return received.slice(0, count);
  }
  return { received, waitFor, done };
}

export const ids = (events: { id: string }[]) => events.map((e) => e.id);

export function expectIncreasing(positions: bigint[]): void {
  for (let i = 1; i < positions.length; i++) expect(positions[i] > positions[i - 1]).toBe(true);
}
