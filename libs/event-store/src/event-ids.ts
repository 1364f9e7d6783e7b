/**
 * Event ids derived from the command that decided the events, so that sending the same decision
 * twice is idempotent on the server.
 *
 * EventStoreDB (and KurrentDB) deduplicate by event id: an append whose expected revision is behind
 * the stream, and whose event ids are exactly the ids of the events after that revision, is answered
 * with the first write's result instead of WrongExpectedVersion (IndexWriter.CheckCommit; the double's
 * idempotentReplay). That is what makes a retry after a lost answer (a commit timeout, a cut
 * connection) safe: the retry either writes the events or finds them written.
 *
 * The id is a name-based (v5) UUID of the stream, the expected revision, the event's index in the
 * batch and the event itself (type, data, metadata). The content is part of the name on purpose: the
 * server compares ids only, so ids from (stream, revision, index) alone would make a *different*
 * command decided at the same revision by a concurrent writer look like a replay of the first one,
 * and be answered "success" although none of its events were written. With the content in the name,
 * only a byte-for-byte identical decision (same actor, correlation id, `occurredAt`, data) shares ids.
 */
import { createHash } from 'node:crypto';
import type { ExpectedRevision, NewEvent } from './event-store.port';

/** The name space of these ids (RFC 9562 §5.5); fixed, so ids are the same in every process. */
const NAMESPACE = Buffer.from('5c0b6c1e8f2a4d3b9a7e1f0d2c4b6a89', 'hex');

/** The id of the `index`-th event of a batch appended to `streamId` at `expectedRevision`. */
export function commandEventId(streamId: string, expectedRevision: ExpectedRevision, index: number, event: Omit<NewEvent, 'id'>): string {
  const name = JSON.stringify([streamId, String(expectedRevision), index, event.type, event.data, event.metadata]);
  const hash = createHash('sha1').update(NAMESPACE).update(name, 'utf8').digest();
  hash[6] = (hash[6] & 0x0f) | 0x50; // version 5
  hash[8] = (hash[8] & 0x3f) | 0x80; // RFC 9562 variant
  const hex = hash.subarray(0, 16).toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** `event` with its command-derived id (see commandEventId). */
export function withCommandEventId<E extends Omit<NewEvent, 'id'>>(
  streamId: string,
  expectedRevision: ExpectedRevision,
  index: number,
  event: E,
): E & { id: string } {
  return { id: commandEventId(streamId, expectedRevision, index, event), ...event };
}
