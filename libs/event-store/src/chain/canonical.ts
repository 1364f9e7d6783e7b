/**
 * The canonical form of a stored event and its hash: what every event's `metadata.chain.prev` holds for
 * the event before it in its stream (README, "Audit trail"; docs/events.md, "Hash chain"). One module,
 * so the service's chain, `npm run audit:verify`, the admin check and the history export agree; the
 * offline checker (scripts/audit-check-export.js) re-implements these few lines in plain Node.
 *
 * Canonical JSON (RFC 8785 JCS for the JSON the store gives back): objects with their keys sorted by
 * UTF-16 code units, no whitespace, strings and numbers as ECMAScript's JSON.stringify writes them,
 * members whose value is undefined left out (as JSON.stringify does). The event's canonical form is the
 * canonical JSON of exactly {streamId, revision, id, type, data, secretDigest, metadata} in its audit
 * form (auditForm: `data.secret` without its `hash` and `sealed` members, and `secretDigest`, the
 * SHA-256 of their canonical JSON, in their place; no secretDigest for data without them) — metadata
 * with its `chain` member — and never position or recordedAt, which the store assigns (SQLite and
 * EventStoreDB differ). Its hash is SHA-256 over the UTF-8 bytes, lower-case hex. The audit form is
 * what history exports carry: they never hold a secret's hash or sealed copy, and the chain still
 * covers both, through their digest.
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
  /** As stored, or in its audit form (then with secretDigest, when the stored data had secret material). */
  data: unknown;
  /** Only for data in its audit form: the digest auditForm put in place of the secret material. */
  secretDigest?: string;
  metadata: unknown;
}

/** The members of an event's `data.secret` that are secret material: a hash of the secret, its sealed copy. */
export const SECRET_MATERIAL_MEMBERS: readonly string[] = ['hash', 'sealed'];

/** An event's data as exports and audit trails may show it, and the digest of what was taken out. */
export interface AuditForm {
  data: unknown;
  secretDigest?: string;
}

const sha256Hex = (text: string): string => createHash('sha256').update(text, 'utf8').digest('hex');

/**
 * The data without its secret material: `data.secret`'s `hash` and `sealed` members taken out, and
 * `secretDigest`, the SHA-256 of the canonical JSON of an object of just those members, in their
 * place. Data whose `secret` has neither (or that has no `secret` object) is its own audit form.
 */
export function auditForm(data: unknown): AuditForm {
  if (data === null || typeof data !== 'object' || Array.isArray(data)) return { data };
  const secret = (data as Record<string, unknown>).secret;
  if (secret === null || typeof secret !== 'object' || Array.isArray(secret)) return { data };
  const material: Record<string, unknown> = {};
  const rest: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(secret)) {
    if (SECRET_MATERIAL_MEMBERS.includes(name)) material[name] = value;
    else rest[name] = value;
  }
  if (Object.keys(material).length === 0) return { data };
  return { data: { ...(data as Record<string, unknown>), secret: rest }, secretDigest: sha256Hex(canonicalJson(material)) };
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

/**
 * The canonical form of an event: the bytes its hash is taken over. An event given with a
 * secretDigest is taken to be in its audit form already (an export's line); else its data is put in
 * its audit form here.
 */
export function canonicalEvent(event: HashableEvent): string {
  const { streamId, revision, id, type, metadata } = event;
  const { data, secretDigest } = event.secretDigest === undefined ? auditForm(event.data) : event;
  return canonicalJson({ streamId, revision, id, type, data, secretDigest, metadata });
}

/** SHA-256 of the event's canonical form, lower-case hex. */
export function eventHash(event: HashableEvent): string {
  return sha256Hex(canonicalEvent(event));
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
