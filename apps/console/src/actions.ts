/**
 * The changes a person makes, as plain data so that one interrupted by a step-up (RFC 9470) can be
 * kept in sessionStorage across the redirect and resumed: names, IP ranges, choices — never a secret.
 */
import type { JsonBody } from '@cs/client';
import { api, onAccount, onKey, unwrap, type KeyView, type LeakPolicyView } from './api';

export type Action =
  | { kind: 'generate'; body: JsonBody<'generateKey'> }
  | { kind: 'regenerate'; keyId: string; body: JsonBody<'regenerateKey'> }
  | { kind: 'expiry'; keyId: string; body: JsonBody<'setKeyExpiry'> }
  | { kind: 'reveal'; keyId: string; version: 'current' | 'previous' }
  | { kind: 'update'; keyId: string; body: JsonBody<'updateKey'> }
  | { kind: 'revoke'; keyId: string }
  | { kind: 'suspend'; keyId: string; body: JsonBody<'suspendKey'> }
  | { kind: 'resume'; keyId: string }
  | { kind: 'leak-policy'; body: JsonBody<'setLeakPolicy'> };

export type Outcome =
  | { kind: 'secret'; key: KeyView; secret: string; regenerated: boolean }
  | { kind: 'revealed'; keyId: string; version: 'current' | 'previous'; secret: string }
  | { kind: 'key'; key: KeyView; message: string }
  | { kind: 'leak-policy'; policy: LeakPolicyView; message: string };

/** The account's leak policy choices as the console words them. */
export const LEAK_POLICY_LABEL: Record<LeakPolicyView['policy'], string> = {
  revoke: 'Revoke it at once',
  alert: 'Only alert me',
};

export async function run(apiBase: string, accountId: string, action: Action): Promise<Outcome> {
  const client = api(apiBase);
  switch (action.kind) {
    case 'generate': {
      const answer = unwrap(await client.POST('/v1/accounts/{accountId}/keys', { ...onAccount(accountId), body: action.body }));
      return { kind: 'secret', key: answer.key, secret: answer.secret, regenerated: false };
    }
    case 'regenerate': {
      const answer = unwrap(
        await client.POST('/v1/accounts/{accountId}/keys/{keyId}/regenerate', { ...onKey(accountId, action.keyId), body: action.body }),
      );
      return { kind: 'secret', key: answer.key, secret: answer.secret, regenerated: true };
    }
    case 'expiry': {
      const key = unwrap(
        await client.POST('/v1/accounts/{accountId}/keys/{keyId}/expiry', { ...onKey(accountId, action.keyId), body: action.body }),
      );
      return { kind: 'key', key, message: `Expiry of ${key.name || key.start} set` };
    }
    case 'reveal': {
      const answer = unwrap(
        await client.POST('/v1/accounts/{accountId}/keys/{keyId}/reveal', {
          ...onKey(accountId, action.keyId),
          body: action.version === 'previous' ? { version: 'previous' } : {},
        }),
      );
      return { kind: 'revealed', keyId: action.keyId, version: action.version, secret: answer.secret };
    }
    case 'update': {
      const key = unwrap(
        await client.PATCH('/v1/accounts/{accountId}/keys/{keyId}', { ...onKey(accountId, action.keyId), body: action.body }),
      );
      return { kind: 'key', key, message: `${key.name || key.start} saved` };
    }
    case 'revoke': {
      const key = unwrap(await client.DELETE('/v1/accounts/{accountId}/keys/{keyId}', { ...onKey(accountId, action.keyId), body: {} }));
      return { kind: 'key', key, message: `${key.name || key.start} deleted (revoked)` };
    }
    case 'suspend': {
      const key = unwrap(
        await client.POST('/v1/accounts/{accountId}/keys/{keyId}/suspend', { ...onKey(accountId, action.keyId), body: action.body }),
      );
      return { kind: 'key', key, message: `${key.name || key.start} suspended` };
    }
    case 'resume': {
      const key = unwrap(await client.POST('/v1/accounts/{accountId}/keys/{keyId}/resume', onKey(accountId, action.keyId)));
      return { kind: 'key', key, message: `${key.name || key.start} resumed` };
    }
    case 'leak-policy': {
      const policy = unwrap(await client.PUT('/v1/accounts/{accountId}/leak-policy', { ...onAccount(accountId), body: action.body }));
      return { kind: 'leak-policy', policy, message: `Leak policy saved: ${LEAK_POLICY_LABEL[policy.policy]}` };
    }
  }
}
