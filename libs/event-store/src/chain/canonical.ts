/**
 * The canonical form of a stored event and its hash: what every event's `metadata.chain.prev` holds for
 * the event before it in its stream (README, "Audit trail"; docs/events.md, "Hash chain"). One module,
 * so the service's chain, `npm run audit:verify`, the admin check and the history export agree; the
 * offline checker (scripts/audit-check-export.js) re-implements these few lines in plain Node.
 *
 * Canonical JSON (RFC 8785 JCS for the JSON the store gives back): objects with their keys sorted by
 * UTF-16 code units, no whitespace, strings and numbers as ECMAScript's JSON.stringify writes them,
 * members whose value is undefined left out (as JSON.stringify does). The event's canonical form is the
 * canonical JSON of exactly {streamId, revision, id, type, data, metadata} — metadata with its `chain`
 * member — and never position or recordedAt, which the store assigns (SQLite and EventStoreDB differ).
 * Its hash is SHA-256 over the UTF-8 bytes, lower-case hex.
 */
import { createHash } from 'node:crypto';

/** Version of the chain's rules; a change of the canonical form or the hash gets a new one. */
export const CHAIN_VERSION = 1;

/** What an event's `metadata.chain` holds: the hash of the previous event of its stream, or null for the first. */
export interface ChainLink {
  v: typeof CHAIN_VERSION;
  prev: string | null;
}

/** The fields an event's hash covers (a RecordedEvent has them, and more). */
export interface HashableEvent {
  streamId: string;
  revision: number;
  id: string;
  type: string;
  data: unknown;
  metadata: unknown;
}

const HEX_HASH = /^[0-9a-f]{64}$/;

/** RFC 8785-style canonical JSON of a JSON value (what JSON.parse gives back). */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value === 'boolean' || typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new TypeError('canonical JSON has no form for a non-finite number');
    return JSON.stringify(value);
  }
  if (Array.isArray(value)) return `[${value.map((item) => (item === undefined ? 'null' : canonicalJson(item))).join(',')}]`;
  if (typeof value === 'object') {
    const record = value as Record<string, unknown>;
    const members = Object.keys(record)
      .filter((key) => record[key] !== undefined)
      .sort()
      .map((key) => `${JSON.stringify(key)}:${canonicalJson(record[key])}`);
    return `{${members.join(',')}}`;
  }
  throw new TypeError(`canonical JSON has no form for a ${typeof value}`);
}

/** The canonical form of an event: the bytes its hash is taken over. */
export function canonicalEvent(event: HashableEvent): string {
  const { streamId, revision, id, type, data, metadata } = event;
  return canonicalJson({ streamId, revision, id, type, data, metadata });
}

/** SHA-256 of the event's canonical form, lower-case hex. */
export function eventHash(event: HashableEvent): string {
  return createHash('sha256').update(canonicalEvent(event), 'utf8').digest('hex');
}

/**
 * An event's chain link: `absent` for an event written before the chain (or by a writer that does not
 * keep it), `malformed` when the member is there but not a link of a known version.
 */
export function chainLinkOf(metadata: unknown): ChainLink | 'absent' | 'malformed' {
  if (metadata === null || typeof metadata !== 'object') return 'absent';
  const chain = (metadata as Record<string, unknown>).chain;
  if (chain === undefined) return 'absent';
  if (chain === null || typeof chain !== 'object') return 'malformed';
  const { v, prev } = chain as Record<string, unknown>;
  if (v !== CHAIN_VERSION) return 'malformed';
  if (prev !== null && (typeof prev !== 'string' || !HEX_HASH.test(prev))) return 'malformed';
  return { v: CHAIN_VERSION, prev };
}
