/**
 * The projection's pure evolve: one key's read model from its events. Applied inline by the
 * command handler and again by the catch-up subscription; the index's revision guard makes the
 * second application a no-op.
 */
import { scopeProps, signingFields, withoutNulls, type KeyEvent } from '@cs/domain';
import { MAX_RETIRED_SECRETS, type KeyRecord, type SecretRecord } from './key-record';
import { projectSuspension } from './suspension-projection';

export interface ProjectableEvent {
  event: KeyEvent;
  revision: number;
  occurredAt: string;
  actorId: string;
}

const retire = (record: KeyRecord, secret: SecretRecord, status: SecretRecord['status']): SecretRecord[] =>
  [{ ...secret, status }, ...record.retired.filter((s) => s.hash !== secret.hash)].slice(0, MAX_RETIRED_SECRETS);

export function projectKeyEvent(record: KeyRecord | null, { event, revision, occurredAt, actorId }: ProjectableEvent): KeyRecord | null {
  if (event.type === 'KeyGenerated') {
    const { keyId, accountId, kind, name, allowedIps, webhookFormat, secret } = event.data;
    return {
      keyId,
      accountId,
      kind,
      name,
      status: 'active',
      createdAt: occurredAt,
      createdBy: actorId,
      updatedAt: occurredAt,
      allowedIps,
      webhookFormat,
      version: revision,
      current: {
        version: secret.version,
        hash: secret.hash,
        start: secret.start,
        expiresAt: null,
        status: 'active',
        ...secretValue(secret),
      },
      previous: null,
      retired: [],
      ...scopeProps(event.data),
      ...signingFields(event.data),
    };
  }
  if (!record) return null;
  const next: KeyRecord = { ...record, version: revision, updatedAt: occurredAt };
  switch (event.type) {
    case 'KeyRotated': {
      const { secret, previousExpiresAt } = event.data;
      const retired = record.previous ? retire(record, record.previous, 'expired') : record.retired;
      const previous = record.status === 'expired' ? null : { ...record.current, expiresAt: previousExpiresAt };
      return {
        ...next,
        status: 'active',
        retired: record.status === 'expired' ? retire({ ...record, retired }, record.current, 'expired') : retired,
        previous,
        current: {
          version: secret.version,
          hash: secret.hash,
          start: secret.start,
          expiresAt: null,
          status: 'active',
          ...secretValue(secret),
        },
      };
    }
    case 'KeyExpirySet': {
      const { slot, expiresAt } = event.data;
      if (slot === 'current') return { ...next, current: { ...record.current, expiresAt } };
      return record.previous ? { ...next, previous: { ...record.previous, expiresAt } } : next;
    }
    case 'KeyExpired': {
      const { slot, secretVersion } = event.data;
      if (slot === 'previous' && record.previous?.version === secretVersion) {
        return { ...next, previous: null, retired: retire(record, record.previous, 'expired') };
      }
      if (slot === 'current' && record.current.version === secretVersion) {
        return { ...next, status: record.status === 'revoked' ? 'revoked' : 'expired', current: { ...record.current, status: 'expired' } };
      }
      return next;
    }
    case 'KeyUpdated':
      return { ...next, ...withoutNulls(event.data.changes) };
    case 'KeyRevoked':
      return {
        ...next,
        status: 'revoked',
        current: { ...record.current, status: 'revoked' },
        previous: record.previous ? { ...record.previous, status: 'revoked' } : null,
      };
    case 'KeyRevealed':
    case 'KeyExpiryWarned':
    case 'KeyLeakReported': // what it did is the KeyRevoked recorded with it, if any
      return next;
    case 'KeySuspended':
    case 'KeyResumed':
      return projectSuspension(next, event);
    default: {
      const unreachable: never = event;
      throw new Error(`unhandled event ${JSON.stringify(unreachable)}`);
    }
  }
}

/** A publishable key's whole value, or an Ed25519 key's public key, kept with its secret record for views (never a secret). */
function secretValue(secret: { value?: string; publicKey?: string }): { value?: string; publicKey?: string } {
  return {
    ...(secret.value === undefined ? {} : { value: secret.value }),
    ...(secret.publicKey === undefined ? {} : { publicKey: secret.publicKey }),
  };
}
