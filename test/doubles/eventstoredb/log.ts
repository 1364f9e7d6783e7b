/**
 * The double's storage: one append-only transaction log, as in EventStoreDB, with per-stream
 * indexes over it. Kept outside the gRPC server so `restart()` can bind a new server to the same
 * data, the way a real node reopens its database.
 */

export interface StoredEvent {
  id: string;
  streamId: string;
  revision: bigint;
  /** Commit position; EventStoreDB (20+) reports prepare === commit for non-transactional writes. */
  position: bigint;
  type: string;
  contentType: string;
  data: Uint8Array;
  customMetadata: Uint8Array;
  /** 100ns ticks since the Unix epoch, the way the server stamps `created`. */
  createdTicks: bigint;
}

export interface ProposedEvent {
  id: string;
  type: string;
  contentType: string;
  data: Uint8Array;
  customMetadata: Uint8Array;
}

/** ANY / NO_STREAM / STREAM_EXISTS or an exact revision, as on the wire. */
export type ExpectedState = { kind: 'any' } | { kind: 'no_stream' } | { kind: 'stream_exists' } | { kind: 'revision'; revision: bigint };

export type AppendOutcome =
  | { ok: true; currentRevision: bigint | null; position: bigint | null }
  | { ok: false; reason: 'wrong_expected_version'; currentRevision: bigint | null }
  | { ok: false; reason: 'stream_deleted' };

/** The revision EventStoreDB gives a tombstone (EventNumber.DeletedStream = long.MaxValue). */
export const TOMBSTONE_REVISION = 9_223_372_036_854_775_807n;
/** The tombstone's event type (SystemEventTypes.StreamDeleted). */
export const TOMBSTONE_TYPE = '$streamDeleted';

type Listener = (event: StoredEvent) => void;

/** Record header overhead, so positions advance like byte offsets rather than 1, 2, 3 (adapters
 *  must not assume positions are dense). */
const RECORD_OVERHEAD = 94n;
/** A fresh EventStoreDB log does not start at 0: the epoch and system records come first. */
const FIRST_POSITION = 1_792n;

export class EsdbLog {
  private readonly all: StoredEvent[] = [];
  private readonly streams = new Map<string, StoredEvent[]>();
  /** Hard-deleted streams and their tombstone record (also in `all`). */
  private readonly tombstones = new Map<string, StoredEvent>();
  /** Soft-deleted streams: events below this revision are hidden from stream reads. */
  private readonly truncatedBefore = new Map<string, bigint>();
  private readonly listeners = new Set<Listener>();
  private nextPosition = FIRST_POSITION;

  constructor(options: { seedSystemEvents?: boolean } = {}) {
    // A real node's $all is never empty: users, settings and stats are written on startup. Seeding
    // a few keeps clients honest about skipping `$` streams and event types.
    if (options.seedSystemEvents ?? true) {
      this.append('$users', { kind: 'any' }, [systemEvent('$User', { loginName: 'admin' })]);
      this.append('$user-admin', { kind: 'any' }, [systemEvent('$UserCreated', { loginName: 'admin' })]);
      this.append('$settings', { kind: 'any' }, [systemEvent('$settings', { $userStreamAcl: {} })]);
    }
  }

  /** Atomic: the expected-state check and the write happen in one synchronous step. */
  append(streamId: string, expected: ExpectedState, events: ProposedEvent[]): AppendOutcome {
    if (this.tombstones.has(streamId)) return { ok: false, reason: 'stream_deleted' };
    const stream = this.streams.get(streamId);
    const current = this.currentRevision(streamId);
    const replayed = stream ? idempotentReplay(stream, expected, events) : null;
    if (replayed) return { ok: true, currentRevision: replayed.revision, position: replayed.position };
    if (!expectationHolds(expected, current)) return { ok: false, reason: 'wrong_expected_version', currentRevision: current };
    if (events.length === 0) return { ok: true, currentRevision: current, position: null };

    const target = stream ?? [];
    if (!stream) this.streams.set(streamId, target);
    // A soft-deleted stream comes back on the next write, its revisions carrying on.
    this.truncatedBefore.delete(streamId);
    const written = events.map((e) => this.record(streamId, BigInt(target.length), e, target));
    this.publish(written);
    const last = written[written.length - 1];
    return { ok: true, currentRevision: last.revision, position: last.position };
  }

  /**
   * Streams/Tombstone: writes a `$streamDeleted` record (revision long.MaxValue) into the stream
   * itself; from then on reads and subscriptions of the stream fail with StreamDeleted and every
   * append to it is refused, whatever its expected revision.
   */
  tombstone(streamId: string, expected: ExpectedState): AppendOutcome {
    if (this.tombstones.has(streamId)) return { ok: false, reason: 'stream_deleted' };
    const current = this.currentRevision(streamId);
    if (!expectationHolds(expected, current)) return { ok: false, reason: 'wrong_expected_version', currentRevision: current };
    const stored = this.record(streamId, TOMBSTONE_REVISION, {
      id: globalThis.crypto.randomUUID(),
      type: TOMBSTONE_TYPE,
      contentType: 'application/octet-stream',
      data: new Uint8Array(),
      customMetadata: new Uint8Array(),
    });
    this.tombstones.set(streamId, stored);
    this.publish([stored]);
    return { ok: true, currentRevision: null, position: stored.position };
  }

  /** Streams/Delete (soft): a `$metadata` event with `$tb` in `$$stream`; the stream reads as not
   *  found until it is written again. */
  softDelete(streamId: string, expected: ExpectedState): AppendOutcome {
    if (this.tombstones.has(streamId)) return { ok: false, reason: 'stream_deleted' };
    const current = this.currentRevision(streamId);
    if (!expectationHolds(expected, current)) return { ok: false, reason: 'wrong_expected_version', currentRevision: current };
    const tb = current === null ? 0n : current + 1n;
    const meta = this.append(`$$${streamId}`, { kind: 'any' }, [systemEvent('$metadata', { $tb: Number(tb) })]);
    this.truncatedBefore.set(streamId, tb);
    return meta.ok ? { ok: true, currentRevision: null, position: meta.position } : meta;
  }

  isTombstoned(streamId: string): boolean {
    return this.tombstones.has(streamId);
  }

  /** What the server's CheckCommit sees: the last revision, or null for no (or a soft-deleted) stream. */
  private currentRevision(streamId: string): bigint | null {
    const stream = this.streams.get(streamId);
    if (!stream || stream.length === 0 || this.truncatedBefore.has(streamId)) return null;
    return BigInt(stream.length - 1);
  }

  private record(streamId: string, revision: bigint, e: ProposedEvent, target?: StoredEvent[]): StoredEvent {
    const createdTicks = BigInt(Date.now()) * 10_000n;
    const stored: StoredEvent = { ...e, streamId, revision, position: this.nextPosition, createdTicks };
    this.nextPosition += RECORD_OVERHEAD + BigInt(streamId.length + e.type.length + e.data.length + e.customMetadata.length);
    target?.push(stored);
    this.all.push(stored);
    return stored;
  }

  private publish(written: StoredEvent[]): void {
    for (const event of written) for (const listener of [...this.listeners]) listener(event);
  }

  /** The stream's readable events (a soft delete hides those before it); undefined when the stream
   *  does not exist or was soft-deleted and not written since. Tombstoned streams: see isTombstoned. */
  stream(streamId: string): readonly StoredEvent[] | undefined {
    const stream = this.streams.get(streamId);
    const tb = this.truncatedBefore.get(streamId);
    if (!stream || tb === undefined) return stream;
    return tb >= BigInt(stream.length) ? undefined : stream;
  }

  /** The writer checkpoint: where the next record will go (what reading from END starts at). */
  get head(): bigint {
    return this.nextPosition;
  }

  /** The position of the last record written (the server's LastIndexedPosition); 0 for an empty log. */
  get lastPosition(): bigint {
    return this.all.length > 0 ? this.all[this.all.length - 1].position : 0n;
  }

  /** A record boundary: where a record starts, the start of the log, or the writer checkpoint. Reads
   *  from anywhere else land inside a record, which the server refuses as an invalid position. */
  isBoundary(position: bigint): boolean {
    if (position === 0n || position === this.nextPosition) return true;
    const index = this.indexAtOrAfter(position);
    return index < this.all.length && this.all[index].position === position;
  }

  /** The log in commit order; callers slice it themselves. */
  get events(): readonly StoredEvent[] {
    return this.all;
  }

  /** Index of the first event at or after `position`. */
  indexAtOrAfter(position: bigint): number {
    let lo = 0;
    let hi = this.all.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.all[mid].position < position) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** Open live subscriptions, so tests can check that cancelling one detaches it. */
  get subscriberCount(): number {
    return this.listeners.size;
  }

  /** Synchronous with the write, so a subscriber that registers and then reads history in the same
   *  tick cannot miss or double-count an event. */
  onAppended(listener: Listener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}

function expectationHolds(expected: ExpectedState, current: bigint | null): boolean {
  switch (expected.kind) {
    case 'any':
      return true;
    case 'no_stream':
      return current === null;
    case 'stream_exists':
      return current !== null;
    case 'revision':
      return current === expected.revision;
  }
}

/**
 * EventStoreDB makes writes idempotent by event id: re-sending an append that already succeeded
 * (same ids, same expected revision, or `any` with the ids in the stream) answers success with the
 * original result instead of writing twice or failing the revision check.
 */
function idempotentReplay(stream: readonly StoredEvent[], expected: ExpectedState, events: ProposedEvent[]): StoredEvent | null {
  if (events.length === 0) return null;
  let base: number;
  if (expected.kind === 'revision') base = Number(expected.revision) + 1;
  else if (expected.kind === 'no_stream') base = 0;
  else if (expected.kind === 'any') base = stream.findIndex((e) => e.id === events[0].id);
  else return null;
  if (base < 0 || base + events.length > stream.length) return null;
  const matches = events.every((e, i) => stream[base + i].id === e.id);
  return matches ? stream[base + events.length - 1] : null;
}

export function systemEvent(type: string, data: unknown): ProposedEvent {
  return {
    id: globalThis.crypto.randomUUID(),
    type,
    contentType: 'application/json',
    data: Buffer.from(JSON.stringify(data)),
    customMetadata: new Uint8Array(),
  };
}
