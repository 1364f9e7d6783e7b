/**
 * The auditor's question (README, "A walk-through with curl": history and validity-at): was key K valid, from IP X,
 * at time T? Answered by replaying the key's recorded events up to T through the same projection
 * and verdict as the live hot path, so the answer is what verify would have said at that instant.
 */
import type { RecordedEvent } from '@cs/event-store';
import { validityEntries, verdict, type KeyRecord, type KeyStatus, type VerifyCode } from '@cs/validity';
import { projectRecorded } from './key-command-executor';

export interface SecretValidityAt {
  version: number;
  start: string;
  valid: boolean;
  code: VerifyCode;
  expiresAt: string | null;
}

export interface ValidityAt {
  keyId: string;
  at: string;
  ip: string | null;
  /** The key's recorded status at that instant; null if it did not exist yet. */
  status: KeyStatus | null;
  /** The secrets that existed at that instant, newest first, each with the verdict verify would have given. */
  secrets: SecretValidityAt[];
  /** The last event taken into account (its id and time), so the answer can be traced. */
  asOfEvent: { id: string; type: string; time: string } | null;
}

/** A key's events decided at or before `at` (their occurredAt: the decider's clock, as verify's). */
const eventsUntil = (events: RecordedEvent[], at: Date): RecordedEvent[] =>
  events.filter((event) => Date.parse(event.metadata.occurredAt) <= at.getTime());

/** The key's record as it was at `at`; null if it did not exist yet. */
export function recordAt(events: RecordedEvent[], at: Date): KeyRecord | null {
  return projectRecorded(eventsUntil(events, at));
}

export function validityAt(keyId: string, events: RecordedEvent[], at: Date, ip: string | undefined): ValidityAt {
  const until = eventsUntil(events, at);
  const record = projectRecorded(until);
  const last = until[until.length - 1];
  const base = {
    keyId,
    at: at.toISOString(),
    ip: ip ?? null,
    asOfEvent: last ? { id: last.id, type: last.type, time: last.metadata.occurredAt } : null,
  };
  if (!record) return { ...base, status: null, secrets: [] };
  const entries = validityEntries(record);
  const secrets = [record.current, ...(record.previous ? [record.previous] : []), ...record.retired]
    .sort((a, b) => b.version - a.version)
    .map((secret) => {
      const answer = verdict(entries.get(secret.hash) ?? null, ip, at.getTime());
      return { version: secret.version, start: secret.start, valid: answer.valid, code: answer.code, expiresAt: secret.expiresAt };
    });
  return { ...base, status: record.status, secrets };
}
