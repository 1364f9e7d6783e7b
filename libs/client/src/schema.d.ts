/**
 * Generated from docs/openapi.json by scripts/openapi-types.js (npm run openapi). Do not edit.
 */

export interface paths {
  '/v1/accounts/{accountId}/keys': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /** List the account's keys; with `at`, as they were at that instant (replayed from their events) */
    get: operations['listKeys'];
    put?: never;
    /** Generate a key (step-up). The secret is in this answer and nowhere else. */
    post: operations['generateKey'];
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/v1/accounts/{accountId}/keys/{keyId}': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /** Get one key */
    get: operations['getKey'];
    put?: never;
    post?: never;
    /** Revoke (step-up): in force everywhere when this call returns */
    delete: operations['revokeKey'];
    options?: never;
    head?: never;
    /** Update name, allowed IPs or webhook format */
    patch: operations['updateKey'];
    trace?: never;
  };
  '/v1/accounts/{accountId}/keys/{keyId}/regenerate': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    get?: never;
    put?: never;
    /** Regenerate (step-up): a new secret; the old one stays valid until the expiry chosen for it */
    post: operations['regenerateKey'];
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/v1/accounts/{accountId}/keys/{keyId}/expiry': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    get?: never;
    put?: never;
    /** Set the expiry of the current secret, or of the previous one during a grace period (step-up) */
    post: operations['setKeyExpiry'];
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/v1/accounts/{accountId}/keys/{keyId}/reveal': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    get?: never;
    put?: never;
    /** Reveal the secret (step-up; recorded as a KeyRevealed event) */
    post: operations['revealKey'];
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/v1/accounts/{accountId}/keys/{keyId}/history': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /** The key's events: type, time, actor, data (never a secret) */
    get: operations['getKeyHistory'];
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/v1/accounts/{accountId}/keys/{keyId}/validity': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /** Was this key valid (from this IP) at this time? Replays the recorded history up to `at`. */
    get: operations['getKeyValidity'];
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/v1/accounts/{accountId}/keys/{keyId}/suspend': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    get?: never;
    put?: never;
    /** Suspend (step-up): verify answers SUSPENDED and signing leaves the key out until it is resumed */
    post: operations['suspendKey'];
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/v1/accounts/{accountId}/keys/{keyId}/resume': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    get?: never;
    put?: never;
    /** Resume a suspended key (step-up): its unexpired secrets verify again */
    post: operations['resumeKey'];
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/v1/accounts/{accountId}/history': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /** Every event of every key of the account, from the history read model: a page (JSON, with nextCursor), or the whole query as an NDJSON or CSV export (Accept or format). Default: the latest `limit` (1000) events, oldest first */
    get: operations['getAccountHistory'];
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/v1/accounts/{accountId}/events': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /** Live changes of the account’s keys (text/event-stream): one event per key notification, named by its CloudEvents type, with its id and data (never a secret); first a `ready` event, then comments as keep-alives */
    get: operations['streamAccountEvents'];
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/v1/accounts/{accountId}/keys/{keyId}/usage': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /** The key's verify counts per UTC day, valid and refused by code (written every USAGE_FLUSH_MS) */
    get: operations['getKeyUsage'];
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/v1/accounts/{accountId}/usage': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /** The account’s keys (revoked ones aside) not verified for `unusedForDays` days, or never and created before then */
    get: operations['getAccountUsage'];
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/v1/verify': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    get?: never;
    put?: never;
    /** Is this API key valid (from this IP)? Answers with a code, never an error, for any key. */
    post: operations['verifyKey'];
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/v1/accounts/{accountId}/signatures': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    get?: never;
    put?: never;
    /** Sign a payload with every signing secret of the account valid now (of the scheme asked for): t=<unix>,v1=<hex>[,v1=...], or with scheme standard-webhooks the webhook-id, webhook-timestamp and webhook-signature headers (v1,<base64> and v1a,<base64> entries) */
    post: operations['signPayload'];
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/v1/accounts/{accountId}/signatures/verify': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    get?: never;
    put?: never;
    /** Verify a signature header (stripe) or the webhook-* headers (standard-webhooks) against the account’s valid signing keys of that scheme: { valid, code } */
    post: operations['verifySignature'];
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/v1/secret-scanning/reports': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    get?: never;
    put?: never;
    /** Leak report from a secret scanning partner (GitHub partner program), signed by the partner: records KeyLeakReported for each token of a key and, under the account’s policy, revokes it */
    post: operations['reportLeaks'];
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/v1/accounts/{accountId}/leak-policy': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /** What a leak report of one of the account’s secrets does: revoke (default) or alert */
    get: operations['getLeakPolicy'];
    /** Set the leak policy (owner or admin, step-up); recorded as LeakPolicySet */
    put: operations['setLeakPolicy'];
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/v1/accounts/{accountId}/jwks.json': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /** The public keys of the account’s valid ed25519 signing keys, as a JWKS (no credential: public key material; kid is "<keyId>.<secret version>"); both keys during a rotation’s grace period */
    get: operations['getAccountJwks'];
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/v1/audit/verify': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    get?: never;
    put?: never;
    /** Recompute the hash chain of every stream of the event store (as npm run audit:verify does): intact, or the first break with its stream, revision and position. A break is an answer (200, intact false), not an error */
    post: operations['verifyAuditChain'];
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/health': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /** The same as /health/ready */
    get: operations['health'];
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/health/ready': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /** Ready: the event store answers and the validity index is trusted and caught up */
    get: operations['healthReady'];
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/health/live': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /** Live: the process is up and serving HTTP */
    get: operations['healthLive'];
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
}
export type webhooks = Record<string, never>;
export interface components {
  schemas: {
    GenerateKeyDto: {
      /**
       * @description "api" authenticates requests; "signing" is an HMAC secret that signs payloads; "publishable" sits in browser pages of its allowed origins (not a secret)
       * @enum {string}
       */
      kind: 'api' | 'signing' | 'publishable';
      /** @example Checkout widget */
      name?: string;
      /**
       * @example [
       *       "203.0.113.7",
       *       "10.0.0.0/8",
       *       "2001:db8::/32"
       *     ]
       */
      allowedIps?: string[];
      /**
       * @description webhook output: one JSON document, or one field per line
       * @default single
       * @enum {string}
       */
      webhookFormat?: 'single' | 'multiple';
      /**
       * @description API keys only; at most 50, duplicates removed, order kept; absent or empty: unrestricted
       * @example [
       *       "payments:write",
       *       "refunds:read"
       *     ]
       */
      permissions?: string[];
      /**
       * @description a JSON object of at most 4096 bytes, 5 levels deep, with no secret-like string; returned by verify
       * @example {
       *       "team": "checkout"
       *     }
       */
      metadata?: {
        [key: string]: unknown;
      };
      /**
       * @description the owner’s id in your system; returned by verify
       * @example merchant-42
       */
      externalId?: string;
      /**
       * @description publishable keys only, and required for them: the web origins (https://host[:port]; http only for localhost) whose pages may use the key
       * @example [
       *       "https://shop.example"
       *     ]
       */
      allowedOrigins?: string[];
      /**
       * @description signing keys only: "stripe" (one t=…,v1=… header, sig_live_… secrets) or "standard-webhooks" (webhook-id, webhook-timestamp and webhook-signature headers, whsec_… secrets); another kind: 422 SCHEME_NOT_APPLICABLE
       * @default stripe
       * @enum {string}
       */
      scheme?: 'stripe' | 'standard-webhooks';
      /**
       * @description signing keys only: "ed25519" needs scheme "standard-webhooks" (422 ALGORITHM_NOT_APPLICABLE otherwise); its private key never leaves the service, the answer’s secret is its public key (whpk_…)
       * @default hmac-sha256
       * @enum {string}
       */
      algorithm?: 'hmac-sha256' | 'ed25519';
    };
    PreviousSecretAnswer: {
      /**
       * @description the first characters of the previous secret
       * @example ak_live_3fJ9
       */
      start: string;
      /**
       * Format: date-time
       * @description when the previous secret stops being valid
       * @example 2026-12-01T12:00:00.000Z
       */
      expiresAt: string;
    };
    KeyViewAnswer: {
      /** @example key_3fJ9kQ2mX7pL0aB4cD8eF1gH */
      id: string;
      /** @example acct_1 */
      accountId: string;
      /** @enum {string} */
      kind: 'api' | 'signing' | 'publishable';
      /**
       * @description empty when none was given
       * @example Checkout widget
       */
      name: string;
      /**
       * @description the first characters of the current secret (never the secret)
       * @example ak_live_9xQ2
       */
      start: string;
      /** @enum {string} */
      status: 'active' | 'revoked' | 'expired' | 'suspended';
      /**
       * Format: date-time
       * @example 2026-12-01T12:00:00.000Z
       */
      createdAt: string;
      /**
       * @description the JWT `sub` of the user who generated it
       * @example user_42
       */
      createdBy: string;
      /**
       * Format: date-time
       * @example 2026-12-01T12:00:00.000Z
       */
      updatedAt: string;
      /**
       * Format: date-time
       * @description when the current secret expires; null: never
       * @example 2026-12-01T12:00:00.000Z
       */
      expiresAt: string | null;
      /** @description the previous secret while it is in its grace period */
      previous: components['schemas']['PreviousSecretAnswer'] | null;
      /**
       * @description empty: no restriction
       * @example [
       *       "203.0.113.0/24"
       *     ]
       */
      allowedIps: string[];
      /** @enum {string} */
      webhookFormat: 'single' | 'multiple';
      /**
       * @description `resource:action`, `resource:*` or `*`; empty: unrestricted
       * @example [
       *       "payments:write",
       *       "refunds:*"
       *     ]
       */
      permissions: string[];
      /**
       * @description JSON object set by the key’s managers (at most 4096 bytes); empty: none
       * @example {
       *       "team": "checkout",
       *       "tier": 2
       *     }
       */
      metadata: {
        [key: string]: unknown;
      };
      /**
       * @description the owner’s id in your system; null: none
       * @example merchant-42
       */
      externalId: string | null;
      /**
       * @description publishable keys only: the web origins whose pages may use the key
       * @example [
       *       "https://shop.example"
       *     ]
       */
      allowedOrigins?: string[];
      /**
       * @description publishable keys only: the whole current key (public by design, meant for browser pages)
       * @example pk_live_3fJ9…
       */
      key?: string;
      /**
       * @description signing keys only: "stripe" (t=…,v1=… header) or "standard-webhooks" (webhook-* headers)
       * @enum {string}
       */
      scheme?: 'stripe' | 'standard-webhooks';
      /**
       * @description signing keys only: "hmac-sha256", or "ed25519" (standard-webhooks v1a)
       * @enum {string}
       */
      algorithm?: 'hmac-sha256' | 'ed25519';
      /**
       * @description ed25519 signing keys only: the current public key (the private key never leaves the service); also in the account’s JWKS
       * @example whpk_MCowBQYDK2VwAyEAo3wyQ1YhR6nGm0nU7Y2nS+3bYtqgCTgq1uo4Bqv3v5A=
       */
      publicKey?: string;
      /**
       * @description the key’s version (0 when generated): its ETag, and what If-Match names
       * @example 3
       */
      version: number;
      /**
       * Format: date-time
       * @description the last verify that named this key (key usage, written every USAGE_FLUSH_MS); in reads (get, list) only; null: never used within the retention, USAGE=off, or usage unavailable right now
       * @example 2026-12-01T12:00:00.000Z
       */
      lastUsedAt?: string | null;
    };
    SecretAnswer: {
      key: components['schemas']['KeyViewAnswer'];
      /**
       * @description the secret: shown in this answer and nowhere else; for an ed25519 signing key its public key (whpk_…), since the private key never leaves the service
       * @example ak_live_9xQ2…
       */
      secret: string;
    };
    KeyListAnswer: {
      keys: components['schemas']['KeyViewAnswer'][];
      /** @description pass as `cursor` (with the same filters) for the next page; null on the last page */
      nextCursor: string | null;
    };
    RegenerateKeyDto: {
      /**
       * @description "now", or an ISO-8601 duration (PT1H, P1D, P7D; weeks, days, hours, minutes, seconds; at most 366 days) after which the old secret expires; give this or oldKeyExpiresAt
       * @example PT1H
       */
      oldKeyExpiresIn?: string;
      /**
       * Format: date-time
       * @description when the old secret expires (a past time ends it now); null is refused
       * @example 2026-12-01T12:00:00Z
       */
      oldKeyExpiresAt?: string;
    } & (unknown | unknown);
    SetExpiryDto: {
      /**
       * Format: date-time
       * @description null removes the expiry of the current secret
       * @example 2026-12-01T12:00:00Z
       */
      expiresAt: string | null;
      /**
       * @default current
       * @enum {string}
       */
      version?: 'current' | 'previous';
    };
    RevealKeyDto: {
      /**
       * @description reveal the previous secret while it is in its grace period
       * @default current
       * @enum {string}
       */
      version?: 'current' | 'previous';
    };
    RevealAnswer: {
      /** @description the secret (the reveal is recorded as a KeyRevealed event) */
      secret: string;
    };
    UpdateKeyDto: {
      name?: string;
      /** @description an empty list removes the restriction */
      allowedIps?: string[];
      /** @enum {string} */
      webhookFormat?: 'single' | 'multiple';
      /**
       * @description the whole new list (API keys only); an empty list makes the key unrestricted
       * @example [
       *       "payments:write",
       *       "refunds:read"
       *     ]
       */
      permissions?: string[];
      /**
       * @description the whole new object, replacing the old one (not merged); {} removes it
       * @example {
       *       "team": "checkout"
       *     }
       */
      metadata?: {
        [key: string]: unknown;
      };
      /**
       * @description the new owner id; "" removes it
       * @example merchant-42
       */
      externalId?: string;
      /**
       * @description publishable keys only: the whole new list of allowed origins (at least one)
       * @example [
       *       "https://shop.example"
       *     ]
       */
      allowedOrigins?: string[];
    };
    RevokeKeyDto: {
      /** @example leaked in a public repository */
      reason?: string;
    };
    HistoryEntryAnswer: {
      /** @description the event id */
      id: string;
      /** @example KeyGenerated */
      type: string;
      revision: number;
      /**
       * Format: date-time
       * @description when it happened
       * @example 2026-12-01T12:00:00.000Z
       */
      time: string;
      /**
       * Format: date-time
       * @description when the event store recorded it
       * @example 2026-12-01T12:00:00.000Z
       */
      recordedAt: string;
      /** @description who did it */
      actor:
        | {
            /** @constant */
            type: 'user';
            sub: string;
            acct: string;
            roles: string[];
          }
        | {
            /** @constant */
            type: 'system';
            name: string;
          };
      correlationId: string;
      causationId: string | null;
      schemaVersion: number;
      /** @description what changed (never a secret or hash) */
      data: {
        [key: string]: unknown;
      };
    };
    HistoryAnswer: {
      events: components['schemas']['HistoryEntryAnswer'][];
    };
    SecretValidityAnswer: {
      version: number;
      start: string;
      valid: boolean;
      /** @enum {string} */
      code:
        | 'VALID'
        | 'MALFORMED'
        | 'NOT_FOUND'
        | 'REVOKED'
        | 'EXPIRED'
        | 'IP_NOT_ALLOWED'
        | 'SUSPENDED'
        | 'ORIGIN_NOT_ALLOWED'
        | 'INSUFFICIENT_PERMISSIONS';
      /**
       * Format: date-time
       * @example 2026-12-01T12:00:00.000Z
       */
      expiresAt: string | null;
    };
    EventReferenceAnswer: {
      id: string;
      type: string;
      /**
       * Format: date-time
       * @example 2026-12-01T12:00:00.000Z
       */
      time: string;
    };
    ValidityAnswer: {
      /** @example key_3fJ9kQ2mX7pL0aB4cD8eF1gH */
      keyId: string;
      /**
       * Format: date-time
       * @example 2026-12-01T12:00:00.000Z
       */
      at: string;
      ip: string | null;
      /**
       * @description null: the key did not exist yet
       * @enum {string|null}
       */
      status: 'active' | 'revoked' | 'expired' | 'suspended' | null;
      /** @description newest first, with what verify would have answered */
      secrets: components['schemas']['SecretValidityAnswer'][];
      /** @description the last event taken into account */
      asOfEvent: components['schemas']['EventReferenceAnswer'] | null;
    };
    SuspendKeyDto: {
      /** @example unusual traffic, investigating */
      reason?: string;
    };
    AccountHistoryEntryAnswer: {
      /** @description the event id */
      id: string;
      /** @example KeyGenerated */
      type: string;
      revision: number;
      /**
       * Format: date-time
       * @description when it happened
       * @example 2026-12-01T12:00:00.000Z
       */
      time: string;
      /**
       * Format: date-time
       * @description when the event store recorded it
       * @example 2026-12-01T12:00:00.000Z
       */
      recordedAt: string;
      /** @description who did it */
      actor:
        | {
            /** @constant */
            type: 'user';
            sub: string;
            acct: string;
            roles: string[];
          }
        | {
            /** @constant */
            type: 'system';
            name: string;
          };
      correlationId: string;
      causationId: string | null;
      schemaVersion: number;
      /** @description what changed (never a secret or hash) */
      data: {
        [key: string]: unknown;
      };
      /** @example key_3fJ9kQ2mX7pL0aB4cD8eF1gH */
      keyId: string;
    };
    AccountHistoryAnswer: {
      /** @description in the order asked for (`latest`: oldest first within the page) */
      events: components['schemas']['AccountHistoryEntryAnswer'][];
      /** @description the cursor of the next page (same filters and order); null at the end */
      nextCursor: string | null;
    };
    UsageTotalAnswer: {
      valid: number;
      refused: number;
    };
    RefusedByCodeAnswer: {
      REVOKED: number;
      EXPIRED: number;
      SUSPENDED: number;
      IP_NOT_ALLOWED: number;
      ORIGIN_NOT_ALLOWED: number;
      INSUFFICIENT_PERMISSIONS: number;
    };
    DailyUsageAnswer: {
      /**
       * Format: date
       * @description a UTC day
       * @example 2026-12-01
       */
      day: string;
      /** @description verifies answered VALID */
      valid: number;
      /** @description verifies that named this key and were refused */
      refused: number;
      refusedByCode: components['schemas']['RefusedByCodeAnswer'];
    };
    KeyUsageAnswer: {
      /** @example key_3fJ9kQ2mX7pL0aB4cD8eF1gH */
      keyId: string;
      /**
       * Format: date
       * @description first day of the range (UTC, inclusive)
       * @example 2026-12-01
       */
      from: string;
      /**
       * Format: date
       * @description last day of the range (UTC, inclusive)
       * @example 2026-12-01
       */
      to: string;
      /**
       * Format: date-time
       * @description the last verify that named this key; null: never within the retention
       * @example 2026-12-01T12:00:00.000Z
       */
      lastUsedAt: string | null;
      /** @description the sums over the range */
      total: components['schemas']['UsageTotalAnswer'];
      /** @description every day of the range, oldest first (zeros on days without a verify) */
      days: components['schemas']['DailyUsageAnswer'][];
    };
    UnusedKeyAnswer: {
      /** @example key_3fJ9kQ2mX7pL0aB4cD8eF1gH */
      keyId: string;
      name: string;
      /** @enum {string} */
      kind: 'api' | 'signing' | 'publishable';
      /** @enum {string} */
      status: 'active' | 'expired';
      /**
       * Format: date-time
       * @example 2026-12-01T12:00:00.000Z
       */
      createdAt: string;
      /**
       * Format: date-time
       * @description null: never used within the retention
       * @example 2026-12-01T12:00:00.000Z
       */
      lastUsedAt: string | null;
    };
    UnusedKeysAnswer: {
      /** @example 90 */
      unusedForDays: number;
      /**
       * Format: date-time
       * @description keys last used before this instant, or never used and created before it, are listed
       * @example 2026-12-01T12:00:00.000Z
       */
      cutoff: string;
      /** @description never-used keys first, then by lastUsedAt, oldest first */
      keys: components['schemas']['UnusedKeyAnswer'][];
    };
    VerifyAnswer: {
      valid: boolean;
      /** @enum {string} */
      code:
        | 'VALID'
        | 'MALFORMED'
        | 'NOT_FOUND'
        | 'REVOKED'
        | 'EXPIRED'
        | 'IP_NOT_ALLOWED'
        | 'SUSPENDED'
        | 'ORIGIN_NOT_ALLOWED'
        | 'INSUFFICIENT_PERMISSIONS';
      /** @example key_3fJ9kQ2mX7pL0aB4cD8eF1gH */
      keyId?: string;
      /** @example acct_1 */
      accountId?: string;
      /** @enum {string} */
      kind?: 'api' | 'signing' | 'publishable';
      /**
       * Format: date-time
       * @example 2026-12-01T12:00:00.000Z
       */
      expiresAt?: string | null;
      /**
       * @description VALID and INSUFFICIENT_PERMISSIONS only: what the key grants; empty: unrestricted
       * @example [
       *       "payments:write",
       *       "refunds:*"
       *     ]
       */
      permissions?: string[];
      /**
       * @description VALID and INSUFFICIENT_PERMISSIONS only: the key’s metadata
       * @example {
       *       "team": "checkout",
       *       "tier": 2
       *     }
       */
      metadata?: {
        [key: string]: unknown;
      };
      /**
       * @description VALID and INSUFFICIENT_PERMISSIONS only: the owner’s id; null: none
       * @example merchant-42
       */
      externalId?: string | null;
      /**
       * @description VALID and INSUFFICIENT_PERMISSIONS only
       * @enum {string}
       */
      webhookFormat?: 'single' | 'multiple';
    };
    SignDto: {
      /** @description the exact payload bytes to sign, as text or base64 (see payloadEncoding) */
      payload: string;
      /**
       * @default utf8
       * @enum {string}
       */
      payloadEncoding?: 'utf8' | 'base64';
      /**
       * @description "stripe": one `t=<unix>,v1=<hex>` header, with the account’s stripe-scheme keys; "standard-webhooks": the `webhook-id`, `webhook-timestamp` and `webhook-signature` headers, with its standard-webhooks keys
       * @default stripe
       * @enum {string}
       */
      scheme?: 'stripe' | 'standard-webhooks';
      /**
       * @description standard-webhooks only: the message id to sign (the same for every retry of one event); absent: a new `msg_…` id
       * @example msg_2KWPBgLlAfxdpx2AI54pPJ85f4W
       */
      webhookId?: string;
    } & (unknown & unknown);
    StandardWebhookHeadersAnswer: {
      /** @example msg_2KWPBgLlAfxdpx2AI54pPJ85f4W */
      'webhook-id': string;
      /**
       * @description unix seconds
       * @example 1764590400
       */
      'webhook-timestamp': string;
      /**
       * @description space-separated: v1,<base64 HMAC-SHA256> per HMAC key, v1a,<base64 Ed25519> per ed25519 key
       * @example v1,K5oZfzN95Z9UVu1EsfQmfVNQhnkZ2pj9o9NDN/H/pI4=
       */
      'webhook-signature': string;
    };
    SignAnswer: {
      /**
       * @description stripe: the signature header; standard-webhooks: the webhook-signature value
       * @example t=1764590400,v1=5257a869e7ecebeda32affa62cdca3fa51cad7e77a0e56ff536d0ce8e108d8bd
       */
      header: string;
      /**
       * @description unix seconds
       * @example 1764590400
       */
      timestamp: number;
      /**
       * @example [
       *       "key_3fJ9kQ2mX7pL0aB4cD8eF1gH"
       *     ]
       */
      keyIds: string[];
      /** @description how many signatures the header carries */
      signatures: number;
      /**
       * @description standard-webhooks only: the message id signed (the webhook-id header)
       * @example msg_2KWPBgLlAfxdpx2AI54pPJ85f4W
       */
      webhookId?: string;
      /** @description standard-webhooks only: the three headers to send */
      headers?: components['schemas']['StandardWebhookHeadersAnswer'];
    };
    VerifySignatureDto: {
      /** @description the exact payload bytes to sign, as text or base64 (see payloadEncoding) */
      payload: string;
      /**
       * @default utf8
       * @enum {string}
       */
      payloadEncoding?: 'utf8' | 'base64';
      /**
       * @description "stripe": one `t=<unix>,v1=<hex>` header, with the account’s stripe-scheme keys; "standard-webhooks": the `webhook-id`, `webhook-timestamp` and `webhook-signature` headers, with its standard-webhooks keys
       * @default stripe
       * @enum {string}
       */
      scheme?: 'stripe' | 'standard-webhooks';
      /**
       * @description the signature header: `t=…,v1=…` (stripe), or the value of `webhook-signature` (standard-webhooks)
       * @example t=1700000000,v1=5257a869...
       */
      header: string;
      /**
       * @description how old (or how far ahead) the timestamp may be, in seconds
       * @default 300
       */
      toleranceSeconds?: number;
      /**
       * @description standard-webhooks only, and required then: the `webhook-id` header as received
       * @example msg_2KWPBgLlAfxdpx2AI54pPJ85f4W
       */
      webhookId?: string;
      /**
       * @description standard-webhooks only, and required then: the `webhook-timestamp` header as received
       * @example 1764590400
       */
      webhookTimestamp?: string;
    } & (unknown & unknown);
    SignatureCheckAnswer: {
      valid: boolean;
      /** @enum {string} */
      code: 'VALID' | 'MALFORMED_HEADER' | 'TIMESTAMP_OUTSIDE_TOLERANCE' | 'NO_MATCHING_SIGNATURE' | 'NO_SIGNING_KEY';
    };
    LeakPolicyAnswer: {
      /** @example acct_1 */
      accountId: string;
      /**
       * @description `revoke` unless set otherwise
       * @enum {string}
       */
      policy: 'revoke' | 'alert';
      /**
       * Format: date-time
       * @description when it was last set; null: never (the default)
       */
      setAt: string | null;
      /** @description who last set it (the actor’s `sub`); null: never set */
      setBy: string | null;
    };
    SetLeakPolicyDto: {
      /**
       * @description `revoke`: revoke a reported key at once; `alert`: record and notify only
       * @enum {string}
       */
      policy: 'revoke' | 'alert';
    };
    JwkAnswer: {
      /** @enum {string} */
      kty: 'OKP';
      /** @enum {string} */
      crv: 'Ed25519';
      /**
       * @description base64url of the 32-byte public key
       * @example o3wyQ1YhR6nGm0nU7Y2nS-3bYtqgCTgq1uo4Bqv3v5A
       */
      x: string;
      /**
       * @description "<keyId>.<secret version>"
       * @example key_3fJ9kQ2mX7pL0aB4cD8eF1gH.2
       */
      kid: string;
      /** @enum {string} */
      use: 'sig';
      /** @enum {string} */
      alg: 'EdDSA';
    };
    JwksAnswer: {
      keys: components['schemas']['JwkAnswer'][];
    };
    ChainPreviousAnswer: {
      /**
       * @description null for an unreadable event: the last event read before it
       * @example 1
       */
      revision: number | null;
      /** @example 4 */
      position: string;
    };
    ChainBreakAnswer: {
      /**
       * @description hash-mismatch: the link is not the hash of the event before it (that event, or this link, changed); revision-gap: events missing before it; reorder: a revision after a higher one; chain-missing: no link in a chained stream; chain-malformed: a link of no known version; unreadable: the store cannot read the next event (not JSON), the check stopped
       * @enum {string}
       */
      kind: 'hash-mismatch' | 'revision-gap' | 'reorder' | 'chain-missing' | 'chain-malformed' | 'unreadable';
      /** @example key-key_3fJ9kQ2mX7pL0aB4cD8eF1gH */
      streamId: string | null;
      /** @example 2 */
      revision: number | null;
      /**
       * @description the store position of the event, as a string (64-bit)
       * @example 7
       */
      position: string | null;
      /** Format: uuid */
      eventId: string | null;
      /** @description the event before it in its stream, as stored; null: none */
      previous: components['schemas']['ChainPreviousAnswer'] | null;
      /** @example the link does not match the hash of revision 1: that event, or this event’s link, was changed */
      detail: string;
    };
    ChainReportAnswer: {
      /** @description no break found: every chained event links to the event before it in its stream */
      intact: boolean;
      /**
       * @description events read (system `$` streams are no part of any chain)
       * @example 14
       */
      events: number;
      /** @example 4 */
      streams: number;
      /**
       * @description events that carry metadata.chain
       * @example 14
       */
      chainedEvents: number;
      /**
       * @description events written before their stream’s chain started: not covered
       * @example 0
       */
      legacyEvents: number;
      /**
       * @description streams with no chained event (all legacy): reported, not failed
       * @example 0
       */
      legacyStreams: number;
      /**
       * @description streams whose chain starts after legacy events (its first link covers the last of them)
       * @example 0
       */
      lateStartStreams: number;
      /**
       * @description breaks found (the check reads on past a break)
       * @example 0
       */
      breaks: number;
      /** @description the first break in position order; null when intact */
      firstBreak: components['schemas']['ChainBreakAnswer'] | null;
      /**
       * @description position of the last event read: the report covers the store up to it
       * @example 14
       */
      lastPosition: string | null;
      /** @example 12 */
      durationMs: number;
    };
    LiveAnswer: {
      /** @enum {string} */
      status: 'ok';
    };
    /** @description RFC 9457 problem details, with a stable `code`. Never repeats what was sent. */
    Problem: {
      /**
       * @description a URI reference naming the problem, /problems/<code in kebab case>
       * @example /problems/key-not-found
       */
      type: string;
      /** @example Key not found */
      title: string;
      /**
       * @description the HTTP status
       * @example 404
       */
      status: number;
      /** @example key not found */
      detail: string;
      /**
       * @example KEY_NOT_FOUND
       * @enum {string}
       */
      code:
        | 'ALGORITHM_NOT_APPLICABLE'
        | 'BAD_REQUEST'
        | 'BODY_TOO_DEEP'
        | 'BODY_TOO_LARGE'
        | 'CONCURRENT_CHANGE'
        | 'EXPECTATION_FAILED'
        | 'FORBIDDEN'
        | 'HEADERS_TOO_LARGE'
        | 'HISTORY_UNAVAILABLE'
        | 'IDEMPOTENCY_KEY_IN_USE'
        | 'IDEMPOTENCY_KEY_REUSED'
        | 'IDEMPOTENCY_UNAVAILABLE'
        | 'INDEX_UNAVAILABLE'
        | 'INTERNAL'
        | 'INVALID_ALLOWED_IPS'
        | 'INVALID_ALLOWED_ORIGINS'
        | 'INVALID_EXPIRY'
        | 'INVALID_EXTERNAL_ID'
        | 'INVALID_ID'
        | 'INVALID_METADATA'
        | 'INVALID_PERMISSIONS'
        | 'KEY_ALREADY_EXISTS'
        | 'KEY_EXPIRED'
        | 'KEY_HISTORY_DELETED'
        | 'KEY_NOT_FOUND'
        | 'KEY_NOT_REVEALABLE'
        | 'KEY_NOT_SUSPENDED'
        | 'KEY_REVOKED'
        | 'KEY_SUSPENDED'
        | 'MALFORMED_JSON'
        | 'NOT_READY'
        | 'NO_PREVIOUS_SECRET'
        | 'NO_SIGNING_KEY'
        | 'ORIGINS_NOT_APPLICABLE'
        | 'PERMISSIONS_NOT_APPLICABLE'
        | 'RATE_LIMITED'
        | 'REPORT_KEY_UNKNOWN'
        | 'REPORT_REPLAYED'
        | 'REPORT_SIGNATURE_INVALID'
        | 'REQUEST_TIMEOUT'
        | 'ROUTE_NOT_FOUND'
        | 'SCHEME_NOT_APPLICABLE'
        | 'SECRET_IN_METADATA'
        | 'SECRET_SCANNING_UNAVAILABLE'
        | 'STEP_UP_REQUIRED'
        | 'STORE_UNAVAILABLE'
        | 'TOO_MANY_KEYS'
        | 'UNAUTHENTICATED'
        | 'UNSUPPORTED_MEDIA_TYPE'
        | 'URI_TOO_LONG'
        | 'USAGE_UNAVAILABLE'
        | 'VALIDATION_FAILED';
      /** @description field errors (VALIDATION_FAILED, INVALID_ID, …); at most 20 */
      errors?: {
        field: string;
        message: string;
      }[];
      /** @description how many field errors were left out */
      errorsOmitted?: number;
      /** @description STEP_UP_REQUIRED: how recent (seconds) auth_time must be */
      maxAge?: number;
      /** @description RATE_LIMITED: seconds until the window ends */
      retryAfterSeconds?: number;
      /** @description NOT_READY from /health/ready: the readiness details */
      details?: Record<string, never>;
    };
  };
  responses: never;
  parameters: never;
  requestBodies: never;
  headers: never;
  pathItems: never;
}
export type $defs = Record<string, never>;
export interface operations {
  listKeys: {
    parameters: {
      query?: {
        /** @description only keys with this status */
        status?: 'active' | 'revoked' | 'expired' | 'suspended';
        /** @description only keys of this kind */
        kind?: 'api' | 'signing' | 'publishable';
        /** @description at most this many keys in the page */
        limit?: number;
        /** @description the previous page's nextCursor, unchanged (opaque; the same filters must be given again) */
        cursor?: string;
        /** @description the keys as they were at this instant (ISO 8601 with a time zone, not in the future): each key replayed from its events up to then, as validity-at does; keys made later are left out; statuses, expiries, IPs and names are those of then; no lastUsedAt */
        at?: string;
      };
      header?: never;
      path: {
        accountId: string;
      };
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description OK */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['KeyListAnswer'];
        };
      };
      /** @description The request is not valid: BAD_REQUEST, INVALID_ID, VALIDATION_FAILED */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'] & {
            /** @constant */
            status?: 400;
            /** @enum {unknown} */
            code?: 'BAD_REQUEST' | 'INVALID_ID' | 'VALIDATION_FAILED';
          };
        };
      };
      /** @description No valid credential, or a step-up is required, or a leak report not signed by the partner: UNAUTHENTICATED */
      401: {
        headers: {
          /** @description the Bearer challenge (RFC 6750; RFC 9470 insufficient_user_authentication with max_age for step-up); on the secret scanning route, Github-Public-Key-Signature */
          'WWW-Authenticate'?: string;
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'] & {
            /** @constant */
            status?: 401;
            /** @enum {unknown} */
            code?: 'UNAUTHENTICATED';
          };
        };
      };
      /** @description The role does not allow this call: FORBIDDEN */
      403: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'] & {
            /** @constant */
            status?: 403;
            /** @enum {unknown} */
            code?: 'FORBIDDEN';
          };
        };
      };
      /** @description No such key in this account (another account is the same answer), or no such route: KEY_NOT_FOUND, ROUTE_NOT_FOUND */
      404: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'] & {
            /** @constant */
            status?: 404;
            /** @enum {unknown} */
            code?: 'KEY_NOT_FOUND' | 'ROUTE_NOT_FOUND';
          };
        };
      };
      /** @description The request did not arrive in time: REQUEST_TIMEOUT */
      408: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'] & {
            /** @constant */
            status?: 408;
            /** @enum {unknown} */
            code?: 'REQUEST_TIMEOUT';
          };
        };
      };
      /** @description The key’s history was deleted from the event store by an operator: KEY_HISTORY_DELETED */
      410: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'] & {
            /** @constant */
            status?: 410;
            /** @enum {unknown} */
            code?: 'KEY_HISTORY_DELETED';
          };
        };
      };
      /** @description A path segment is too long: URI_TOO_LONG */
      414: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'] & {
            /** @constant */
            status?: 414;
            /** @enum {unknown} */
            code?: 'URI_TOO_LONG';
          };
        };
      };
      /** @description An Expect other than 100-continue: EXPECTATION_FAILED */
      417: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'] & {
            /** @constant */
            status?: 417;
            /** @enum {unknown} */
            code?: 'EXPECTATION_FAILED';
          };
        };
      };
      /** @description Rate limited: RATE_LIMITED */
      429: {
        headers: {
          /** @description seconds to wait before retrying */
          'Retry-After'?: number;
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'] & {
            /** @constant */
            status?: 429;
            /** @enum {unknown} */
            code?: 'RATE_LIMITED';
          };
        };
      };
      /** @description Request line and headers too large: HEADERS_TOO_LARGE */
      431: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'] & {
            /** @constant */
            status?: 431;
            /** @enum {unknown} */
            code?: 'HEADERS_TOO_LARGE';
          };
        };
      };
      /** @description The service failed (logged): INTERNAL */
      500: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'] & {
            /** @constant */
            status?: 500;
            /** @enum {unknown} */
            code?: 'INTERNAL';
          };
        };
      };
      /** @description Not ready, or the event store or validity index is unavailable; retry after Retry-After: INDEX_UNAVAILABLE, NOT_READY, STORE_UNAVAILABLE */
      503: {
        headers: {
          /** @description seconds to wait before retrying */
          'Retry-After'?: number;
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'] & {
            /** @constant */
            status?: 503;
            /** @enum {unknown} */
            code?: 'INDEX_UNAVAILABLE' | 'NOT_READY' | 'STORE_UNAVAILABLE';
          };
        };
      };
    };
  };
  generateKey: {
    parameters: {
      query?: never;
      header?: {
        /** @description a key of your choosing (a UUID, say): the same request with the same key within 24 h answers the first answer again (with `Idempotent-Replayed: true`) and changes nothing */
        'Idempotency-Key'?: string;
      };
      path: {
        accountId: string;
      };
      cookie?: never;
    };
    requestBody: {
      content: {
        'application/json': components['schemas']['GenerateKeyDto'];
      };
    };
    responses: {
      /** @description Created */
      201: {
        headers: {
          /** @description no-store: the answer holds a secret */
          'Cache-Control'?: 'no-store';
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['SecretAnswer'];
        };
      };
      /** @description The request is not valid: BAD_REQUEST, BODY_TOO_DEEP, INVALID_ALLOWED_IPS, INVALID_ALLOWED_ORIGINS, INVALID_EXTERNAL_ID, INVALID_ID, INVALID_METADATA, INVALID_PERMISSIONS, MALFORMED_JSON, VALIDATION_FAILED */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'] & {
            /** @constant */
            status?: 400;
            /** @enum {unknown} */
            code?:
              | 'BAD_REQUEST'
              | 'BODY_TOO_DEEP'
              | 'INVALID_ALLOWED_IPS'
              | 'INVALID_ALLOWED_ORIGINS'
              | 'INVALID_EXTERNAL_ID'
              | 'INVALID_ID'
              | 'INVALID_METADATA'
              | 'INVALID_PERMISSIONS'
              | 'MALFORMED_JSON'
              | 'VALIDATION_FAILED';
          };
        };
      };
      /** @description No valid credential, or a step-up is required, or a leak report not signed by the partner: STEP_UP_REQUIRED, UNAUTHENTICATED */
      401: {
        headers: {
          /** @description the Bearer challenge (RFC 6750; RFC 9470 insufficient_user_authentication with max_age for step-up); on the secret scanning route, Github-Public-Key-Signature */
          'WWW-Authenticate'?: string;
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'] & {
            /** @constant */
            status?: 401;
            /** @enum {unknown} */
            code?: 'STEP_UP_REQUIRED' | 'UNAUTHENTICATED';
          };
        };
      };
      /** @description The role does not allow this call: FORBIDDEN */
      403: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'] & {
            /** @constant */
            status?: 403;
            /** @enum {unknown} */
            code?: 'FORBIDDEN';
          };
        };
      };
      /** @description No such key in this account (another account is the same answer), or no such route: KEY_NOT_FOUND, ROUTE_NOT_FOUND */
      404: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'] & {
            /** @constant */
            status?: 404;
            /** @enum {unknown} */
            code?: 'KEY_NOT_FOUND' | 'ROUTE_NOT_FOUND';
          };
        };
      };
      /** @description The request did not arrive in time: REQUEST_TIMEOUT */
      408: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'] & {
            /** @constant */
            status?: 408;
            /** @enum {unknown} */
            code?: 'REQUEST_TIMEOUT';
          };
        };
      };
      /** @description The key is in a state where this change is refused, or it changed meanwhile: IDEMPOTENCY_KEY_IN_USE, KEY_ALREADY_EXISTS, TOO_MANY_KEYS */
      409: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'] & {
            /** @constant */
            status?: 409;
            /** @enum {unknown} */
            code?: 'IDEMPOTENCY_KEY_IN_USE' | 'KEY_ALREADY_EXISTS' | 'TOO_MANY_KEYS';
          };
        };
      };
      /** @description The body is larger than the service accepts: BODY_TOO_LARGE */
      413: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'] & {
            /** @constant */
            status?: 413;
            /** @enum {unknown} */
            code?: 'BODY_TOO_LARGE';
          };
        };
      };
      /** @description A path segment is too long: URI_TOO_LONG */
      414: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'] & {
            /** @constant */
            status?: 414;
            /** @enum {unknown} */
            code?: 'URI_TOO_LONG';
          };
        };
      };
      /** @description The body’s media type is not accepted: UNSUPPORTED_MEDIA_TYPE */
      415: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'] & {
            /** @constant */
            status?: 415;
            /** @enum {unknown} */
            code?: 'UNSUPPORTED_MEDIA_TYPE';
          };
        };
      };
      /** @description An Expect other than 100-continue: EXPECTATION_FAILED */
      417: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'] & {
            /** @constant */
            status?: 417;
            /** @enum {unknown} */
            code?: 'EXPECTATION_FAILED';
          };
        };
      };
      /** @description undefined: ALGORITHM_NOT_APPLICABLE, IDEMPOTENCY_KEY_REUSED, ORIGINS_NOT_APPLICABLE, PERMISSIONS_NOT_APPLICABLE, SCHEME_NOT_APPLICABLE, SECRET_IN_METADATA */
      422: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'] & {
            /** @constant */
            status?: 422;
            /** @enum {unknown} */
            code?:
              | 'ALGORITHM_NOT_APPLICABLE'
              | 'IDEMPOTENCY_KEY_REUSED'
              | 'ORIGINS_NOT_APPLICABLE'
              | 'PERMISSIONS_NOT_APPLICABLE'
              | 'SCHEME_NOT_APPLICABLE'
              | 'SECRET_IN_METADATA';
          };
        };
      };
      /** @description Rate limited: RATE_LIMITED */
      429: {
        headers: {
          /** @description seconds to wait before retrying */
          'Retry-After'?: number;
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'] & {
            /** @constant */
            status?: 429;
            /** @enum {unknown} */
            code?: 'RATE_LIMITED';
          };
        };
      };
      /** @description Request line and headers too large: HEADERS_TOO_LARGE */
      431: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'] & {
            /** @constant */
            status?: 431;
            /** @enum {unknown} */
            code?: 'HEADERS_TOO_LARGE';
          };
        };
      };
      /** @description The service failed (logged): INTERNAL */
      500: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'] & {
            /** @constant */
            status?: 500;
            /** @enum {unknown} */
            code?: 'INTERNAL';
          };
        };
      };
      /** @description Not ready, or the event store or validity index is unavailable; retry after Retry-After: IDEMPOTENCY_UNAVAILABLE, INDEX_UNAVAILABLE, NOT_READY, STORE_UNAVAILABLE */
      503: {
        headers: {
          /** @description seconds to wait before retrying */
          'Retry-After'?: number;
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'] & {
            /** @constant */
            status?: 503;
            /** @enum {unknown} */
            code?: 'IDEMPOTENCY_UNAVAILABLE' | 'INDEX_UNAVAILABLE' | 'NOT_READY' | 'STORE_UNAVAILABLE';
          };
        };
      };
    };
  };
  getKey: {
    parameters: {
      query?: never;
      header?: never;
      path: {
        accountId: string;
        keyId: string;
      };
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description OK */
      200: {
        headers: {
          /** @description the key’s version, for If-Match */
          ETag?: string;
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['KeyViewAnswer'];
        };
      };
      /** @description The request is not valid: BAD_REQUEST, INVALID_ID */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'] & {
            /** @constant */
            status?: 400;
            /** @enum {unknown} */
            code?: 'BAD_REQUEST' | 'INVALID_ID';
          };
        };
      };
      /** @description No valid credential, or a step-up is required, or a leak report not signed by the partner: UNAUTHENTICATED */
      401: {
        headers: {
          /** @description the Bearer challenge (RFC 6750; RFC 9470 insufficient_user_authentication with max_age for step-up); on the secret scanning route, Github-Public-Key-Signature */
          'WWW-Authenticate'?: string;
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'] & {
            /** @constant */
            status?: 401;
            /** @enum {unknown} */
            code?: 'UNAUTHENTICATED';
          };
        };
      };
      /** @description The role does not allow this call: FORBIDDEN */
      403: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'] & {
            /** @constant */
            status?: 403;
            /** @enum {unknown} */
            code?: 'FORBIDDEN';
          };
        };
      };
      /** @description No such key in this account (another account is the same answer), or no such route: KEY_NOT_FOUND, ROUTE_NOT_FOUND */
      404: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'] & {
            /** @constant */
            status?: 404;
            /** @enum {unknown} */
            code?: 'KEY_NOT_FOUND' | 'ROUTE_NOT_FOUND';
          };
        };
      };
      /** @description The request did not arrive in time: REQUEST_TIMEOUT */
      408: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'] & {
            /** @constant */
            status?: 408;
            /** @enum {unknown} */
            code?: 'REQUEST_TIMEOUT';
          };
        };
      };
      /** @description A path segment is too long: URI_TOO_LONG */
      414: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'] & {
            /** @constant */
            status?: 414;
            /** @enum {unknown} */
            code?: 'URI_TOO_LONG';
          };
        };
      };
      /** @description An Expect other than 100-continue: EXPECTATION_FAILED */
      417: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'] & {
            /** @constant */
            status?: 417;
            /** @enum {unknown} */
            code?: 'EXPECTATION_FAILED';
          };
        };
      };
      /** @description Rate limited: RATE_LIMITED */
      429: {
        headers: {
          /** @description seconds to wait before retrying */
          'Retry-After'?: number;
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'] & {
            /** @constant */
            status?: 429;
            /** @enum {unknown} */
            code?: 'RATE_LIMITED';
          };
        };
      };
      /** @description Request line and headers too large: HEADERS_TOO_LARGE */
      431: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'] & {
            /** @constant */
            status?: 431;
            /** @enum {unknown} */
            code?: 'HEADERS_TOO_LARGE';
          };
        };
      };
      /** @description The service failed (logged): INTERNAL */
      500: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'] & {
            /** @constant */
            status?: 500;
            /** @enum {unknown} */
            code?: 'INTERNAL';
          };
        };
      };
      /** @description Not ready, or the event store or validity index is unavailable; retry after Retry-After: INDEX_UNAVAILABLE, NOT_READY */
      503: {
        headers: {
          /** @description seconds to wait before retrying */
          'Retry-After'?: number;
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'] & {
            /** @constant */
            status?: 503;
            /** @enum {unknown} */
            code?: 'INDEX_UNAVAILABLE' | 'NOT_READY';
          };
        };
      };
    };
  };
  revokeKey: {
    parameters: {
      query?: never;
      header?: {
        /** @description the version the change is made against (the ETag of GET …/keys/{keyId}, or KeyView.version); `*` or absent: any */
        'If-Match'?: string;
      };
      path: {
        accountId: string;
        keyId: string;
      };
      cookie?: never;
    };
    /** @description optional: a reason, kept in the history */
    requestBody?: {
      content: {
        'application/json': components['schemas']['RevokeKeyDto'];
      };
    };
    responses: {
      /** @description the key, with status "revoked" */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['KeyViewAnswer'];
        };
      };
      /** @description The request is not valid: BAD_REQUEST, BODY_TOO_DEEP, INVALID_ID, MALFORMED_JSON, VALIDATION_FAILED */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'] & {
            /** @constant */
            status?: 400;
            /** @enum {unknown} */
            code?: 'BAD_REQUEST' | 'BODY_TOO_DEEP' | 'INVALID_ID' | 'MALFORMED_JSON' | 'VALIDATION_FAILED';
          };
        };
      };
      /** @description No valid credential, or a step-up is required, or a leak report not signed by the partner: STEP_UP_REQUIRED, UNAUTHENTICATED */
      401: {
        headers: {
          /** @description the Bearer challenge (RFC 6750; RFC 9470 insufficient_user_authentication with max_age for step-up); on the secret scanning route, Github-Public-Key-Signature */
          'WWW-Authenticate'?: string;
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'] & {
            /** @constant */
            status?: 401;
            /** @enum {unknown} */
            code?: 'STEP_UP_REQUIRED' | 'UNAUTHENTICATED';
          };
        };
      };
      /** @description The role does not allow this call: FORBIDDEN */
      403: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'] & {
            /** @constant */
            status?: 403;
            /** @enum {unknown} */
            code?: 'FORBIDDEN';
          };
        };
      };
      /** @description No such key in this account (another account is the same answer), or no such route: KEY_NOT_FOUND, ROUTE_NOT_FOUND */
      404: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'] & {
            /** @constant */
            status?: 404;
            /** @enum {unknown} */
            code?: 'KEY_NOT_FOUND' | 'ROUTE_NOT_FOUND';
          };
        };
      };
      /** @description The request did not arrive in time: REQUEST_TIMEOUT */
      408: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'] & {
            /** @constant */
            status?: 408;
            /** @enum {unknown} */
            code?: 'REQUEST_TIMEOUT';
          };
        };
      };
      /** @description The key is in a state where this change is refused, or it changed meanwhile: CONCURRENT_CHANGE, KEY_REVOKED */
      409: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'] & {
            /** @constant */
            status?: 409;
            /** @enum {unknown} */
            code?: 'CONCURRENT_CHANGE' | 'KEY_REVOKED';
          };
        };
      };
      /** @description The key’s history was deleted from the event store by an operator: KEY_HISTORY_DELETED */
      410: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'] & {
            /** @constant */
            status?: 410;
            /** @enum {unknown} */
            code?: 'KEY_HISTORY_DELETED';
          };
        };
      };
      /** @description The body is larger than the service accepts: BODY_TOO_LARGE */
      413: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'] & {
            /** @constant */
            status?: 413;
            /** @enum {unknown} */
            code?: 'BODY_TOO_LARGE';
          };
        };
      };
      /** @description A path segment is too long: URI_TOO_LONG */
      414: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'] & {
            /** @constant */
            status?: 414;
            /** @enum {unknown} */
            code?: 'URI_TOO_LONG';
          };
        };
      };
      /** @description The body’s media type is not accepted: UNSUPPORTED_MEDIA_TYPE */
      415: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'] & {
            /** @constant */
            status?: 415;
            /** @enum {unknown} */
            code?: 'UNSUPPORTED_MEDIA_TYPE';
          };
        };
      };
      /** @description An Expect other than 100-continue: EXPECTATION_FAILED */
      417: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'] & {
            /** @constant */
            status?: 417;
            /** @enum {unknown} */
            code?: 'EXPECTATION_FAILED';
          };
        };
      };
      /** @description Rate limited: RATE_LIMITED */
      429: {
        headers: {
          /** @description seconds to wait before retrying */
          'Retry-After'?: number;
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'] & {
            /** @constant */
            status?: 429;
            /** @enum {unknown} */
            code?: 'RATE_LIMITED';
          };
        };
      };
      /** @description Request line and headers too large: HEADERS_TOO_LARGE */
      431: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'] & {
            /** @constant */
            status?: 431;
            /** @enum {unknown} */
            code?: 'HEADERS_TOO_LARGE';
          };
        };
      };
      /** @description The service failed (logged): INTERNAL */
      500: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'] & {
            /** @constant */
            status?: 500;
            /** @enum {unknown} */
            code?: 'INTERNAL';
          };
        };
      };
      /** @description Not ready, or the event store or validity index is unavailable; retry after Retry-After: INDEX_UNAVAILABLE, NOT_READY, STORE_UNAVAILABLE */
      503: {
        headers: {
          /** @description seconds to wait before retrying */
          'Retry-After'?: number;
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'] & {
            /** @constant */
            status?: 503;
            /** @enum {unknown} */
            code?: 'INDEX_UNAVAILABLE' | 'NOT_READY' | 'STORE_UNAVAILABLE';
          };
        };
      };
    };
  };
  updateKey: {
    parameters: {
      query?: never;
      header?: {
        /** @description the version the change is made against (the ETag of GET …/keys/{keyId}, or KeyView.version); `*` or absent: any */
        'If-Match'?: string;
      };
      path: {
        accountId: string;
        keyId: string;
      };
      cookie?: never;
    };
    requestBody: {
      content: {
        'application/json': components['schemas']['UpdateKeyDto'];
      };
    };
    responses: {
      /** @description OK */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['KeyViewAnswer'];
        };
      };
      /** @description The request is not valid: BAD_REQUEST, BODY_TOO_DEEP, INVALID_ALLOWED_IPS, INVALID_ALLOWED_ORIGINS, INVALID_EXTERNAL_ID, INVALID_ID, INVALID_METADATA, INVALID_PERMISSIONS, MALFORMED_JSON, VALIDATION_FAILED */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'] & {
            /** @constant */
            status?: 400;
            /** @enum {unknown} */
            code?:
              | 'BAD_REQUEST'
              | 'BODY_TOO_DEEP'
              | 'INVALID_ALLOWED_IPS'
              | 'INVALID_ALLOWED_ORIGINS'
              | 'INVALID_EXTERNAL_ID'
              | 'INVALID_ID'
              | 'INVALID_METADATA'
              | 'INVALID_PERMISSIONS'
              | 'MALFORMED_JSON'
              | 'VALIDATION_FAILED';
          };
        };
      };
      /** @description No valid credential, or a step-up is required, or a leak report not signed by the partner: UNAUTHENTICATED */
      401: {
        headers: {
          /** @description the Bearer challenge (RFC 6750; RFC 9470 insufficient_user_authentication with max_age for step-up); on the secret scanning route, Github-Public-Key-Signature */
          'WWW-Authenticate'?: string;
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'] & {
            /** @constant */
            status?: 401;
            /** @enum {unknown} */
            code?: 'UNAUTHENTICATED';
          };
        };
      };
      /** @description The role does not allow this call: FORBIDDEN */
      403: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'] & {
            /** @constant */
            status?: 403;
            /** @enum {unknown} */
            code?: 'FORBIDDEN';
          };
        };
      };
      /** @description No such key in this account (another account is the same answer), or no such route: KEY_NOT_FOUND, ROUTE_NOT_FOUND */
      404: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'] & {
            /** @constant */
            status?: 404;
            /** @enum {unknown} */
            code?: 'KEY_NOT_FOUND' | 'ROUTE_NOT_FOUND';
          };
        };
      };
      /** @description The request did not arrive in time: REQUEST_TIMEOUT */
      408: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'] & {
            /** @constant */
            status?: 408;
            /** @enum {unknown} */
            code?: 'REQUEST_TIMEOUT';
          };
        };
      };
      /** @description The key is in a state where this change is refused, or it changed meanwhile: CONCURRENT_CHANGE, KEY_REVOKED */
      409: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'] & {
            /** @constant */
            status?: 409;
            /** @enum {unknown} */
            code?: 'CONCURRENT_CHANGE' | 'KEY_REVOKED';
          };
        };
      };
      /** @description The key’s history was deleted from the event store by an operator: KEY_HISTORY_DELETED */
      410: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'] & {
            /** @constant */
            status?: 410;
            /** @enum {unknown} */
            code?: 'KEY_HISTORY_DELETED';
          };
        };
      };
      /** @description The body is larger than the service accepts: BODY_TOO_LARGE */
      413: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'] & {
            /** @constant */
            status?: 413;
            /** @enum {unknown} */
            code?: 'BODY_TOO_LARGE';
          };
        };
      };
      /** @description A path segment is too long: URI_TOO_LONG */
      414: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'] & {
            /** @constant */
            status?: 414;
            /** @enum {unknown} */
            code?: 'URI_TOO_LONG';
          };
        };
      };
      /** @description The body’s media type is not accepted: UNSUPPORTED_MEDIA_TYPE */
      415: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'] & {
            /** @constant */
            status?: 415;
            /** @enum {unknown} */
            code?: 'UNSUPPORTED_MEDIA_TYPE';
          };
        };
      };
      /** @description An Expect other than 100-continue: EXPECTATION_FAILED */
      417: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'] & {
            /** @constant */
            status?: 417;
            /** @enum {unknown} */
            code?: 'EXPECTATION_FAILED';
          };
        };
      };
      /** @description undefined: ORIGINS_NOT_APPLICABLE, PERMISSIONS_NOT_APPLICABLE, SECRET_IN_METADATA */
      422: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'] & {
            /** @constant */
            status?: 422;
            /** @enum {unknown} */
            code?: 'ORIGINS_NOT_APPLICABLE' | 'PERMISSIONS_NOT_APPLICABLE' | 'SECRET_IN_METADATA';
          };
        };
      };
      /** @description Rate limited: RATE_LIMITED */
      429: {
        headers: {
          /** @description seconds to wait before retrying */
          'Retry-After'?: number;
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'] & {
            /** @constant */
            status?: 429;
            /** @enum {unknown} */
            code?: 'RATE_LIMITED';
          };
        };
      };
      /** @description Request line and headers too large: HEADERS_TOO_LARGE */
      431: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'] & {
            /** @constant */
            status?: 431;
            /** @enum {unknown} */
            code?: 'HEADERS_TOO_LARGE';
          };
        };
      };
      /** @description The service failed (logged): INTERNAL */
      500: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'] & {
            /** @constant */
            status?: 500;
            /** @enum {unknown} */
            code?: 'INTERNAL';
          };
        };
      };
      /** @description Not ready, or the event store or validity index is unavailable; retry after Retry-After: INDEX_UNAVAILABLE, NOT_READY, STORE_UNAVAILABLE */
      503: {
        headers: {
          /** @description seconds to wait before retrying */
          'Retry-After'?: number;
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'] & {
            /** @constant */
            status?: 503;
            /** @enum {unknown} */
            code?: 'INDEX_UNAVAILABLE' | 'NOT_READY' | 'STORE_UNAVAILABLE';
          };
        };
      };
    };
  };
  regenerateKey: {
    parameters: {
      query?: never;
      header?: {
        /** @description a key of your choosing (a UUID, say): the same request with the same key within 24 h answers the first answer again (with `Idempotent-Replayed: true`) and changes nothing */
        'Idempotency-Key'?: string;
        /** @description the version the change is made against (the ETag of GET …/keys/{keyId}, or KeyView.version); `*` or absent: any */
        'If-Match'?: string;
      };
      path: {
        accountId: string;
        keyId: string;
      };
      cookie?: never;
    };
    requestBody: {
      content: {
        'application/json': components['schemas']['RegenerateKeyDto'];
      };
    };
    responses: {
      /** @description Created */
      201: {
        headers: {
          /** @description no-store: the answer holds a secret */
          'Cache-Control'?: 'no-store';
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['SecretAnswer'];
        };
      };
      /** @description The request is not valid: BAD_REQUEST, BODY_TOO_DEEP, INVALID_EXPIRY, INVALID_ID, MALFORMED_JSON, VALIDATION_FAILED */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'] & {
            /** @constant */
            status?: 400;
            /** @enum {unknown} */
            code?: 'BAD_REQUEST' | 'BODY_TOO_DEEP' | 'INVALID_EXPIRY' | 'INVALID_ID' | 'MALFORMED_JSON' | 'VALIDATION_FAILED';
          };
        };
      };
      /** @description No valid credential, or a step-up is required, or a leak report not signed by the partner: STEP_UP_REQUIRED, UNAUTHENTICATED */
      401: {
        headers: {
          /** @description the Bearer challenge (RFC 6750; RFC 9470 insufficient_user_authentication with max_age for step-up); on the secret scanning route, Github-Public-Key-Signature */
          'WWW-Authenticate'?: string;
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'] & {
            /** @constant */
            status?: 401;
            /** @enum {unknown} */
            code?: 'STEP_UP_REQUIRED' | 'UNAUTHENTICATED';
          };
        };
      };
      /** @description The role does not allow this call: FORBIDDEN */
      403: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'] & {
            /** @constant */
            status?: 403;
            /** @enum {unknown} */
            code?: 'FORBIDDEN';
          };
        };
      };
      /** @description No such key in this account (another account is the same answer), or no such route: KEY_NOT_FOUND, ROUTE_NOT_FOUND */
      404: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'] & {
            /** @constant */
            status?: 404;
            /** @enum {unknown} */
            code?: 'KEY_NOT_FOUND' | 'ROUTE_NOT_FOUND';
          };
        };
      };
      /** @description The request did not arrive in time: REQUEST_TIMEOUT */
      408: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'] & {
            /** @constant */
            status?: 408;
            /** @enum {unknown} */
            code?: 'REQUEST_TIMEOUT';
          };
        };
      };
      /** @description The key is in a state where this change is refused, or it changed meanwhile: CONCURRENT_CHANGE, IDEMPOTENCY_KEY_IN_USE, KEY_REVOKED, TOO_MANY_KEYS */
      409: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'] & {
            /** @constant */
            status?: 409;
            /** @enum {unknown} */
            code?: 'CONCURRENT_CHANGE' | 'IDEMPOTENCY_KEY_IN_USE' | 'KEY_REVOKED' | 'TOO_MANY_KEYS';
          };
        };
      };
      /** @description The key’s history was deleted from the event store by an operator: KEY_HISTORY_DELETED */
      410: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'] & {
            /** @constant */
            status?: 410;
            /** @enum {unknown} */
            code?: 'KEY_HISTORY_DELETED';
          };
        };
      };
      /** @description The body is larger than the service accepts: BODY_TOO_LARGE */
      413: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'] & {
            /** @constant */
            status?: 413;
            /** @enum {unknown} */
            code?: 'BODY_TOO_LARGE';
          };
        };
      };
      /** @description A path segment is too long: URI_TOO_LONG */
      414: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'] & {
            /** @constant */
            status?: 414;
            /** @enum {unknown} */
            code?: 'URI_TOO_LONG';
          };
        };
      };
      /** @description The body’s media type is not accepted: UNSUPPORTED_MEDIA_TYPE */
      415: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'] & {
            /** @constant */
            status?: 415;
            /** @enum {unknown} */
            code?: 'UNSUPPORTED_MEDIA_TYPE';
          };
        };
      };
      /** @description An Expect other than 100-continue: EXPECTATION_FAILED */
      417: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'] & {
            /** @constant */
            status?: 417;
            /** @enum {unknown} */
            code?: 'EXPECTATION_FAILED';
          };
        };
      };
      /** @description undefined: IDEMPOTENCY_KEY_REUSED */
      422: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'] & {
            /** @constant */
            status?: 422;
            /** @enum {unknown} */
            code?: 'IDEMPOTENCY_KEY_REUSED';
          };
        };
      };
      /** @description Rate limited: RATE_LIMITED */
      429: {
        headers: {
          /** @description seconds to wait before retrying */
          'Retry-After'?: number;
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'] & {
            /** @constant */
            status?: 429;
            /** @enum {unknown} */
            code?: 'RATE_LIMITED';
          };
        };
      };
      /** @description Request line and headers too large: HEADERS_TOO_LARGE */
      431: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'] & {
            /** @constant */
            status?: 431;
            /** @enum {unknown} */
            code?: 'HEADERS_TOO_LARGE';
          };
        };
      };
      /** @description The service failed (logged): INTERNAL */
      500: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'] & {
            /** @constant */
            status?: 500;
            /** @enum {unknown} */
            code?: 'INTERNAL';
          };
        };
      };
      /** @description Not ready, or the event store or validity index is unavailable; retry after Retry-After: IDEMPOTENCY_UNAVAILABLE, INDEX_UNAVAILABLE, NOT_READY, STORE_UNAVAILABLE */
      503: {
        headers: {
          /** @description seconds to wait before retrying */
          'Retry-After'?: number;
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'] & {
            /** @constant */
            status?: 503;
            /** @enum {unknown} */
            code?: 'IDEMPOTENCY_UNAVAILABLE' | 'INDEX_UNAVAILABLE' | 'NOT_READY' | 'STORE_UNAVAILABLE';
          };
        };
      };
    };
  };
  setKeyExpiry: {
    parameters: {
      query?: never;
      header?: {
        /** @description the version the change is made against (the ETag of GET …/keys/{keyId}, or KeyView.version); `*` or absent: any */
        'If-Match'?: string;
      };
      path: {
        accountId: string;
        keyId: string;
      };
      cookie?: never;
    };
    requestBody: {
      content: {
        'application/json': components['schemas']['SetExpiryDto'];
      };
    };
    responses: {
      /** @description OK */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['KeyViewAnswer'];
        };
      };
      /** @description The request is not valid: BAD_REQUEST, BODY_TOO_DEEP, INVALID_EXPIRY, INVALID_ID, MALFORMED_JSON, VALIDATION_FAILED */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'] & {
            /** @constant */
            status?: 400;
            /** @enum {unknown} */
            code?: 'BAD_REQUEST' | 'BODY_TOO_DEEP' | 'INVALID_EXPIRY' | 'INVALID_ID' | 'MALFORMED_JSON' | 'VALIDATION_FAILED';
          };
        };
      };
      /** @description No valid credential, or a step-up is required, or a leak report not signed by the partner: STEP_UP_REQUIRED, UNAUTHENTICATED */
      401: {
        headers: {
          /** @description the Bearer challenge (RFC 6750; RFC 9470 insufficient_user_authentication with max_age for step-up); on the secret scanning route, Github-Public-Key-Signature */
          'WWW-Authenticate'?: string;
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'] & {
            /** @constant */
            status?: 401;
            /** @enum {unknown} */
            code?: 'STEP_UP_REQUIRED' | 'UNAUTHENTICATED';
          };
        };
      };
      /** @description The role does not allow this call: FORBIDDEN */
      403: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'] & {
            /** @constant */
            status?: 403;
            /** @enum {unknown} */
            code?: 'FORBIDDEN';
          };
        };
      };
      /** @description No such key in this account (another account is the same answer), or no such route: KEY_NOT_FOUND, ROUTE_NOT_FOUND */
      404: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'] & {
            /** @constant */
            status?: 404;
            /** @enum {unknown} */
            code?: 'KEY_NOT_FOUND' | 'ROUTE_NOT_FOUND';
          };
        };
      };
      /** @description The request did not arrive in time: REQUEST_TIMEOUT */
      408: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'] & {
            /** @constant */
            status?: 408;
            /** @enum {unknown} */
            code?: 'REQUEST_TIMEOUT';
          };
        };
      };
      /** @description The key is in a state where this change is refused, or it changed meanwhile: CONCURRENT_CHANGE, KEY_EXPIRED, KEY_REVOKED, NO_PREVIOUS_SECRET */
      409: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'] & {
            /** @constant */
            status?: 409;
            /** @enum {unknown} */
            code?: 'CONCURRENT_CHANGE' | 'KEY_EXPIRED' | 'KEY_REVOKED' | 'NO_PREVIOUS_SECRET';
          };
        };
      };
      /** @description The key’s history was deleted from the event store by an operator: KEY_HISTORY_DELETED */
      410: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'] & {
            /** @constant */
            status?: 410;
            /** @enum {unknown} */
            code?: 'KEY_HISTORY_DELETED';
          };
        };
      };
      /** @description The body is larger than the service accepts: BODY_TOO_LARGE */
      413: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'] & {
            /** @constant */
            status?: 413;
            /** @enum {unknown} */
            code?: 'BODY_TOO_LARGE';
          };
        };
      };
      /** @description A path segment is too long: URI_TOO_LONG */
      414: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'] & {
            /** @constant */
            status?: 414;
            /** @enum {unknown} */
            code?: 'URI_TOO_LONG';
          };
        };
      };
      /** @description The body’s media type is not accepted: UNSUPPORTED_MEDIA_TYPE */
      415: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'] & {
            /** @constant */
            status?: 415;
            /** @enum {unknown} */
            code?: 'UNSUPPORTED_MEDIA_TYPE';
          };
        };
      };
      /** @description An Expect other than 100-continue: EXPECTATION_FAILED */
      417: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'] & {
            /** @constant */
            status?: 417;
            /** @enum {unknown} */
            code?: 'EXPECTATION_FAILED';
          };
        };
      };
      /** @description Rate limited: RATE_LIMITED */
      429: {
        headers: {
          /** @description seconds to wait before retrying */
          'Retry-After'?: number;
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'] & {
            /** @constant */
            status?: 429;
            /** @enum {unknown} */
            code?: 'RATE_LIMITED';
          };
        };
      };
      /** @description Request line and headers too large: HEADERS_TOO_LARGE */
      431: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'] & {
            /** @constant */
            status?: 431;
            /** @enum {unknown} */
            code?: 'HEADERS_TOO_LARGE';
          };
        };
      };
      /** @description The service failed (logged): INTERNAL */
      500: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'] & {
            /** @constant */
            status?: 500;
            /** @enum {unknown} */
            code?: 'INTERNAL';
          };
        };
      };
      /** @description Not ready, or the event store or validity index is unavailable; retry after Retry-After: INDEX_UNAVAILABLE, NOT_READY, STORE_UNAVAILABLE */
      503: {
        headers: {
          /** @description seconds to wait before retrying */
          'Retry-After'?: number;
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'] & {
            /** @constant */
            status?: 503;
            /** @enum {unknown} */
            code?: 'INDEX_UNAVAILABLE' | 'NOT_READY' | 'STORE_UNAVAILABLE';
          };
        };
      };
    };
  };
  revealKey: {
    parameters: {
      query?: never;
      header?: {
        /** @description the version the change is made against (the ETag of GET …/keys/{keyId}, or KeyView.version); `*` or absent: any */
        'If-Match'?: string;
      };
      path: {
        accountId: string;
        keyId: string;
      };
      cookie?: never;
    };
    /** @description optional: without a body the current secret is revealed */
    requestBody?: {
      content: {
        'application/json': components['schemas']['RevealKeyDto'];
      };
    };
    responses: {
      /** @description OK */
      200: {
        headers: {
          /** @description no-store: the answer holds a secret */
          'Cache-Control'?: 'no-store';
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['RevealAnswer'];
        };
      };
      /** @description The request is not valid: BAD_REQUEST, BODY_TOO_DEEP, INVALID_ID, MALFORMED_JSON, VALIDATION_FAILED */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'] & {
            /** @constant */
            status?: 400;
            /** @enum {unknown} */
            code?: 'BAD_REQUEST' | 'BODY_TOO_DEEP' | 'INVALID_ID' | 'MALFORMED_JSON' | 'VALIDATION_FAILED';
          };
        };
      };
      /** @description No valid credential, or a step-up is required, or a leak report not signed by the partner: STEP_UP_REQUIRED, UNAUTHENTICATED */
      401: {
        headers: {
          /** @description the Bearer challenge (RFC 6750; RFC 9470 insufficient_user_authentication with max_age for step-up); on the secret scanning route, Github-Public-Key-Signature */
          'WWW-Authenticate'?: string;
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'] & {
            /** @constant */
            status?: 401;
            /** @enum {unknown} */
            code?: 'STEP_UP_REQUIRED' | 'UNAUTHENTICATED';
          };
        };
      };
      /** @description The role does not allow this call: FORBIDDEN */
      403: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'] & {
            /** @constant */
            status?: 403;
            /** @enum {unknown} */
            code?: 'FORBIDDEN';
          };
        };
      };
      /** @description No such key in this account (another account is the same answer), or no such route: KEY_NOT_FOUND, ROUTE_NOT_FOUND */
      404: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'] & {
            /** @constant */
            status?: 404;
            /** @enum {unknown} */
            code?: 'KEY_NOT_FOUND' | 'ROUTE_NOT_FOUND';
          };
        };
      };
      /** @description The request did not arrive in time: REQUEST_TIMEOUT */
      408: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'] & {
            /** @constant */
            status?: 408;
            /** @enum {unknown} */
            code?: 'REQUEST_TIMEOUT';
          };
        };
      };
      /** @description The key is in a state where this change is refused, or it changed meanwhile: CONCURRENT_CHANGE, KEY_EXPIRED, KEY_NOT_REVEALABLE, KEY_REVOKED, NO_PREVIOUS_SECRET */
      409: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'] & {
            /** @constant */
            status?: 409;
            /** @enum {unknown} */
            code?: 'CONCURRENT_CHANGE' | 'KEY_EXPIRED' | 'KEY_NOT_REVEALABLE' | 'KEY_REVOKED' | 'NO_PREVIOUS_SECRET';
          };
        };
      };
      /** @description The key’s history was deleted from the event store by an operator: KEY_HISTORY_DELETED */
      410: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'] & {
            /** @constant */
            status?: 410;
            /** @enum {unknown} */
            code?: 'KEY_HISTORY_DELETED';
          };
        };
      };
      /** @description The body is larger than the service accepts: BODY_TOO_LARGE */
      413: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'] & {
            /** @constant */
            status?: 413;
            /** @enum {unknown} */
            code?: 'BODY_TOO_LARGE';
          };
        };
      };
      /** @description A path segment is too long: URI_TOO_LONG */
      414: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'] & {
            /** @constant */
            status?: 414;
            /** @enum {unknown} */
            code?: 'URI_TOO_LONG';
          };
        };
      };
      /** @description The body’s media type is not accepted: UNSUPPORTED_MEDIA_TYPE */
      415: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'] & {
            /** @constant */
            status?: 415;
            /** @enum {unknown} */
            code?: 'UNSUPPORTED_MEDIA_TYPE';
          };
        };
      };
      /** @description An Expect other than 100-continue: EXPECTATION_FAILED */
      417: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'] & {
            /** @constant */
            status?: 417;
            /** @enum {unknown} */
            code?: 'EXPECTATION_FAILED';
          };
        };
      };
      /** @description Rate limited: RATE_LIMITED */
      429: {
        headers: {
          /** @description seconds to wait before retrying */
          'Retry-After'?: number;
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'] & {
            /** @constant */
            status?: 429;
            /** @enum {unknown} */
            code?: 'RATE_LIMITED';
          };
        };
      };
      /** @description Request line and headers too large: HEADERS_TOO_LARGE */
      431: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'] & {
            /** @constant */
            status?: 431;
            /** @enum {unknown} */
            code?: 'HEADERS_TOO_LARGE';
          };
        };
      };
      /** @description The service failed (logged): INTERNAL */
      500: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'] & {
            /** @constant */
            status?: 500;
            /** @enum {unknown} */
            code?: 'INTERNAL';
          };
        };
      };
      /** @description Not ready, or the event store or validity index is unavailable; retry after Retry-After: INDEX_UNAVAILABLE, NOT_READY, STORE_UNAVAILABLE */
      503: {
        headers: {
          /** @description seconds to wait before retrying */
          'Retry-After'?: number;
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'] & {
            /** @constant */
            status?: 503;
            /** @enum {unknown} */
            code?: 'INDEX_UNAVAILABLE' | 'NOT_READY' | 'STORE_UNAVAILABLE';
          };
        };
      };
    };
  };
  getKeyHistory: {
    parameters: {
      query?: never;
      header?: never;
      path: {
        accountId: string;
        keyId: string;
      };
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description OK */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['HistoryAnswer'];
        };
      };
      /** @description The request is not valid: BAD_REQUEST, INVALID_ID */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'] & {
            /** @constant */
            status?: 400;
            /** @enum {unknown} */
            code?: 'BAD_REQUEST' | 'INVALID_ID';
          };
        };
      };
      /** @description No valid credential, or a step-up is required, or a leak report not signed by the partner: UNAUTHENTICATED */
      401: {
        headers: {
          /** @description the Bearer challenge (RFC 6750; RFC 9470 insufficient_user_authentication with max_age for step-up); on the secret scanning route, Github-Public-Key-Signature */
          'WWW-Authenticate'?: string;
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'] & {
            /** @constant */
            status?: 401;
            /** @enum {unknown} */
            code?: 'UNAUTHENTICATED';
          };
        };
      };
      /** @description The role does not allow this call: FORBIDDEN */
      403: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'] & {
            /** @constant */
            status?: 403;
            /** @enum {unknown} */
            code?: 'FORBIDDEN';
          };
        };
      };
      /** @description No such key in this account (another account is the same answer), or no such route: KEY_NOT_FOUND, ROUTE_NOT_FOUND */
      404: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'] & {
            /** @constant */
            status?: 404;
            /** @enum {unknown} */
            code?: 'KEY_NOT_FOUND' | 'ROUTE_NOT_FOUND';
          };
        };
      };
      /** @description The request did not arrive in time: REQUEST_TIMEOUT */
      408: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'] & {
            /** @constant */
            status?: 408;
            /** @enum {unknown} */
            code?: 'REQUEST_TIMEOUT';
          };
        };
      };
      /** @description The key’s history was deleted from the event store by an operator: KEY_HISTORY_DELETED */
      410: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'] & {
            /** @constant */
            status?: 410;
            /** @enum {unknown} */
            code?: 'KEY_HISTORY_DELETED';
          };
        };
      };
      /** @description A path segment is too long: URI_TOO_LONG */
      414: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'] & {
            /** @constant */
            status?: 414;
            /** @enum {unknown} */
            code?: 'URI_TOO_LONG';
          };
        };
      };
      /** @description An Expect other than 100-continue: EXPECTATION_FAILED */
      417: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'] & {
            /** @constant */
            status?: 417;
            /** @enum {unknown} */
            code?: 'EXPECTATION_FAILED';
          };
        };
      };
      /** @description Rate limited: RATE_LIMITED */
      429: {
        headers: {
          /** @description seconds to wait before retrying */
          'Retry-After'?: number;
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'] & {
            /** @constant */
            status?: 429;
            /** @enum {unknown} */
            code?: 'RATE_LIMITED';
          };
        };
      };
      /** @description Request line and headers too large: HEADERS_TOO_LARGE */
      431: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'] & {
            /** @constant */
            status?: 431;
            /** @enum {unknown} */
            code?: 'HEADERS_TOO_LARGE';
          };
        };
      };
      /** @description The service failed (logged): INTERNAL */
      500: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'] & {
            /** @constant */
            status?: 500;
            /** @enum {unknown} */
            code?: 'INTERNAL';
          };
        };
      };
      /** @description Not ready, or the event store or validity index is unavailable; retry after Retry-After: NOT_READY, STORE_UNAVAILABLE */
      503: {
        headers: {
          /** @description seconds to wait before retrying */
          'Retry-After'?: number;
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'] & {
            /** @constant */
            status?: 503;
            /** @enum {unknown} */
            code?: 'NOT_READY' | 'STORE_UNAVAILABLE';
          };
        };
      };
    };
  };
  getKeyValidity: {
    parameters: {
      query: {
        /** @description the client address to check against the allow-list */
        ip?: string;
        /** @description ISO-8601 date-time with a time zone */
        at: string;
      };
      header?: never;
      path: {
        accountId: string;
        keyId: string;
      };
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description OK */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['ValidityAnswer'];
        };
      };
      /** @description The request is not valid: BAD_REQUEST, INVALID_ID, VALIDATION_FAILED */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'] & {
            /** @constant */
            status?: 400;
            /** @enum {unknown} */
            code?: 'BAD_REQUEST' | 'INVALID_ID' | 'VALIDATION_FAILED';
          };
        };
      };
      /** @description No valid credential, or a step-up is required, or a leak report not signed by the partner: UNAUTHENTICATED */
      401: {
        headers: {
          /** @description the Bearer challenge (RFC 6750; RFC 9470 insufficient_user_authentication with max_age for step-up); on the secret scanning route, Github-Public-Key-Signature */
          'WWW-Authenticate'?: string;
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'] & {
            /** @constant */
            status?: 401;
            /** @enum {unknown} */
            code?: 'UNAUTHENTICATED';
          };
        };
      };
      /** @description The role does not allow this call: FORBIDDEN */
      403: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'] & {
            /** @constant */
            status?: 403;
            /** @enum {unknown} */
            code?: 'FORBIDDEN';
          };
        };
      };
      /** @description No such key in this account (another account is the same answer), or no such route: KEY_NOT_FOUND, ROUTE_NOT_FOUND */
      404: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'] & {
            /** @constant */
            status?: 404;
            /** @enum {unknown} */
            code?: 'KEY_NOT_FOUND' | 'ROUTE_NOT_FOUND';
          };
        };
      };
      /** @description The request did not arrive in time: REQUEST_TIMEOUT */
      408: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'] & {
            /** @constant */
            status?: 408;
            /** @enum {unknown} */
            code?: 'REQUEST_TIMEOUT';
          };
        };
      };
      /** @description The key’s history was deleted from the event store by an operator: KEY_HISTORY_DELETED */
      410: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'] & {
            /** @constant */
            status?: 410;
            /** @enum {unknown} */
            code?: 'KEY_HISTORY_DELETED';
          };
        };
      };
      /** @description A path segment is too long: URI_TOO_LONG */
      414: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'] & {
            /** @constant */
            status?: 414;
            /** @enum {unknown} */
            code?: 'URI_TOO_LONG';
          };
        };
      };
      /** @description An Expect other than 100-continue: EXPECTATION_FAILED */
      417: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'] & {
            /** @constant */
            status?: 417;
            /** @enum {unknown} */
            code?: 'EXPECTATION_FAILED';
          };
        };
      };
      /** @description Rate limited: RATE_LIMITED */
      429: {
        headers: {
          /** @description seconds to wait before retrying */
          'Retry-After'?: number;
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'] & {
            /** @constant */
            status?: 429;
            /** @enum {unknown} */
            code?: 'RATE_LIMITED';
          };
        };
      };
      /** @description Request line and headers too large: HEADERS_TOO_LARGE */
      431: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'] & {
            /** @constant */
            status?: 431;
            /** @enum {unknown} */
            code?: 'HEADERS_TOO_LARGE';
          };
        };
      };
      /** @description The service failed (logged): INTERNAL */
      500: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'] & {
            /** @constant */
            status?: 500;
            /** @enum {unknown} */
            code?: 'INTERNAL';
          };
        };
      };
      /** @description Not ready, or the event store or validity index is unavailable; retry after Retry-After: NOT_READY, STORE_UNAVAILABLE */
      503: {
        headers: {
          /** @description seconds to wait before retrying */
          'Retry-After'?: number;
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'] & {
            /** @constant */
            status?: 503;
            /** @enum {unknown} */
            code?: 'NOT_READY' | 'STORE_UNAVAILABLE';
          };
        };
      };
    };
  };
  suspendKey: {
    parameters: {
      query?: never;
      header?: {
        /** @description the version the change is made against (the ETag of GET …/keys/{keyId}, or KeyView.version); `*` or absent: any */
        'If-Match'?: string;
      };
      path: {
        accountId: string;
        keyId: string;
      };
      cookie?: never;
    };
    /** @description optional: a reason, kept in the history */
    requestBody?: {
      content: {
        'application/json': components['schemas']['SuspendKeyDto'];
      };
    };
    responses: {
      /** @description the key, with status "suspended" */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['KeyViewAnswer'];
        };
      };
      /** @description The request is not valid: BAD_REQUEST, BODY_TOO_DEEP, INVALID_ID, MALFORMED_JSON, VALIDATION_FAILED */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'] & {
            /** @constant */
            status?: 400;
            /** @enum {unknown} */
            code?: 'BAD_REQUEST' | 'BODY_TOO_DEEP' | 'INVALID_ID' | 'MALFORMED_JSON' | 'VALIDATION_FAILED';
          };
        };
      };
      /** @description No valid credential, or a step-up is required, or a leak report not signed by the partner: STEP_UP_REQUIRED, UNAUTHENTICATED */
      401: {
        headers: {
          /** @description the Bearer challenge (RFC 6750; RFC 9470 insufficient_user_authentication with max_age for step-up); on the secret scanning route, Github-Public-Key-Signature */
          'WWW-Authenticate'?: string;
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'] & {
            /** @constant */
            status?: 401;
            /** @enum {unknown} */
            code?: 'STEP_UP_REQUIRED' | 'UNAUTHENTICATED';
          };
        };
      };
      /** @description The role does not allow this call: FORBIDDEN */
      403: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'] & {
            /** @constant */
            status?: 403;
            /** @enum {unknown} */
            code?: 'FORBIDDEN';
          };
        };
      };
      /** @description No such key in this account (another account is the same answer), or no such route: KEY_NOT_FOUND, ROUTE_NOT_FOUND */
      404: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'] & {
            /** @constant */
            status?: 404;
            /** @enum {unknown} */
            code?: 'KEY_NOT_FOUND' | 'ROUTE_NOT_FOUND';
          };
        };
      };
      /** @description The request did not arrive in time: REQUEST_TIMEOUT */
      408: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'] & {
            /** @constant */
            status?: 408;
            /** @enum {unknown} */
            code?: 'REQUEST_TIMEOUT';
          };
        };
      };
      /** @description The key is in a state where this change is refused, or it changed meanwhile: CONCURRENT_CHANGE, KEY_EXPIRED, KEY_REVOKED, KEY_SUSPENDED */
      409: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'] & {
            /** @constant */
            status?: 409;
            /** @enum {unknown} */
            code?: 'CONCURRENT_CHANGE' | 'KEY_EXPIRED' | 'KEY_REVOKED' | 'KEY_SUSPENDED';
          };
        };
      };
      /** @description The key’s history was deleted from the event store by an operator: KEY_HISTORY_DELETED */
      410: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'] & {
            /** @constant */
            status?: 410;
            /** @enum {unknown} */
            code?: 'KEY_HISTORY_DELETED';
          };
        };
      };
      /** @description The body is larger than the service accepts: BODY_TOO_LARGE */
      413: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'] & {
            /** @constant */
            status?: 413;
            /** @enum {unknown} */
            code?: 'BODY_TOO_LARGE';
          };
        };
      };
      /** @description A path segment is too long: URI_TOO_LONG */
      414: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'] & {
            /** @constant */
            status?: 414;
            /** @enum {unknown} */
            code?: 'URI_TOO_LONG';
          };
        };
      };
      /** @description The body’s media type is not accepted: UNSUPPORTED_MEDIA_TYPE */
      415: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'] & {
            /** @constant */
            status?: 415;
            /** @enum {unknown} */
            code?: 'UNSUPPORTED_MEDIA_TYPE';
          };
        };
      };
      /** @description An Expect other than 100-continue: EXPECTATION_FAILED */
      417: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'] & {
            /** @constant */
            status?: 417;
            /** @enum {unknown} */
            code?: 'EXPECTATION_FAILED';
          };
        };
      };
      /** @description Rate limited: RATE_LIMITED */
      429: {
        headers: {
          /** @description seconds to wait before retrying */
          'Retry-After'?: number;
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'] & {
            /** @constant */
            status?: 429;
            /** @enum {unknown} */
            code?: 'RATE_LIMITED';
          };
        };
      };
      /** @description Request line and headers too large: HEADERS_TOO_LARGE */
      431: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'] & {
            /** @constant */
            status?: 431;
            /** @enum {unknown} */
            code?: 'HEADERS_TOO_LARGE';
          };
        };
      };
      /** @description The service failed (logged): INTERNAL */
      500: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'] & {
            /** @constant */
            status?: 500;
            /** @enum {unknown} */
            code?: 'INTERNAL';
          };
        };
      };
      /** @description Not ready, or the event store or validity index is unavailable; retry after Retry-After: INDEX_UNAVAILABLE, NOT_READY, STORE_UNAVAILABLE */
      503: {
        headers: {
          /** @description seconds to wait before retrying */
          'Retry-After'?: number;
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'] & {
            /** @constant */
            status?: 503;
            /** @enum {unknown} */
            code?: 'INDEX_UNAVAILABLE' | 'NOT_READY' | 'STORE_UNAVAILABLE';
          };
        };
      };
    };
  };
  resumeKey: {
    parameters: {
      query?: never;
      header?: {
        /** @description the version the change is made against (the ETag of GET …/keys/{keyId}, or KeyView.version); `*` or absent: any */
        'If-Match'?: string;
      };
      path: {
        accountId: string;
        keyId: string;
      };
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description the key, with status "active" */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['KeyViewAnswer'];
        };
      };
      /** @description The request is not valid: BAD_REQUEST, INVALID_ID, VALIDATION_FAILED */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'] & {
            /** @constant */
            status?: 400;
            /** @enum {unknown} */
            code?: 'BAD_REQUEST' | 'INVALID_ID' | 'VALIDATION_FAILED';
          };
        };
      };
      /** @description No valid credential, or a step-up is required, or a leak report not signed by the partner: STEP_UP_REQUIRED, UNAUTHENTICATED */
      401: {
        headers: {
          /** @description the Bearer challenge (RFC 6750; RFC 9470 insufficient_user_authentication with max_age for step-up); on the secret scanning route, Github-Public-Key-Signature */
          'WWW-Authenticate'?: string;
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'] & {
            /** @constant */
            status?: 401;
            /** @enum {unknown} */
            code?: 'STEP_UP_REQUIRED' | 'UNAUTHENTICATED';
          };
        };
      };
      /** @description The role does not allow this call: FORBIDDEN */
      403: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'] & {
            /** @constant */
            status?: 403;
            /** @enum {unknown} */
            code?: 'FORBIDDEN';
          };
        };
      };
      /** @description No such key in this account (another account is the same answer), or no such route: KEY_NOT_FOUND, ROUTE_NOT_FOUND */
      404: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'] & {
            /** @constant */
            status?: 404;
            /** @enum {unknown} */
            code?: 'KEY_NOT_FOUND' | 'ROUTE_NOT_FOUND';
          };
        };
      };
      /** @description The request did not arrive in time: REQUEST_TIMEOUT */
      408: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'] & {
            /** @constant */
            status?: 408;
            /** @enum {unknown} */
            code?: 'REQUEST_TIMEOUT';
          };
        };
      };
      /** @description The key is in a state where this change is refused, or it changed meanwhile: CONCURRENT_CHANGE, KEY_EXPIRED, KEY_NOT_SUSPENDED, KEY_REVOKED */
      409: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'] & {
            /** @constant */
            status?: 409;
            /** @enum {unknown} */
            code?: 'CONCURRENT_CHANGE' | 'KEY_EXPIRED' | 'KEY_NOT_SUSPENDED' | 'KEY_REVOKED';
          };
        };
      };
      /** @description The key’s history was deleted from the event store by an operator: KEY_HISTORY_DELETED */
      410: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'] & {
            /** @constant */
            status?: 410;
            /** @enum {unknown} */
            code?: 'KEY_HISTORY_DELETED';
          };
        };
      };
      /** @description A path segment is too long: URI_TOO_LONG */
      414: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'] & {
            /** @constant */
            status?: 414;
            /** @enum {unknown} */
            code?: 'URI_TOO_LONG';
          };
        };
      };
      /** @description An Expect other than 100-continue: EXPECTATION_FAILED */
      417: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'] & {
            /** @constant */
            status?: 417;
            /** @enum {unknown} */
            code?: 'EXPECTATION_FAILED';
          };
        };
      };
      /** @description Rate limited: RATE_LIMITED */
      429: {
        headers: {
          /** @description seconds to wait before retrying */
          'Retry-After'?: number;
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'] & {
            /** @constant */
            status?: 429;
            /** @enum {unknown} */
            code?: 'RATE_LIMITED';
          };
        };
      };
      /** @description Request line and headers too large: HEADERS_TOO_LARGE */
      431: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'] & {
            /** @constant */
            status?: 431;
            /** @enum {unknown} */
            code?: 'HEADERS_TOO_LARGE';
          };
        };
      };
      /** @description The service failed (logged): INTERNAL */
      500: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'] & {
            /** @constant */
            status?: 500;
            /** @enum {unknown} */
            code?: 'INTERNAL';
          };
        };
      };
      /** @description Not ready, or the event store or validity index is unavailable; retry after Retry-After: INDEX_UNAVAILABLE, NOT_READY, STORE_UNAVAILABLE */
      503: {
        headers: {
          /** @description seconds to wait before retrying */
          'Retry-After'?: number;
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'] & {
            /** @constant */
            status?: 503;
            /** @enum {unknown} */
            code?: 'INDEX_UNAVAILABLE' | 'NOT_READY' | 'STORE_UNAVAILABLE';
          };
        };
      };
    };
  };
  getAccountHistory: {
    parameters: {
      query?: {
        /** @description JSON: events per page, 1 to 10000 (default 1000). Exports: at most this many events (default: all) */
        limit?: number;
        /** @description nextCursor of a previous answer, with the same filters and order */
        cursor?: string;
        /** @description `latest` (default for JSON, the answer before paging existed): the newest events, each page oldest first, pages going back in time; `newest`: newest first; `oldest` (default for exports): from the first event on */
        order?: 'latest' | 'newest' | 'oldest';
        /** @description only these event types (comma-separated) */
        type?: string;
        /** @description only this key’s events */
        keyId?: string;
        /** @description only this actor’s events: a user’s sub (or user:<sub>), or system:<name> (e.g. system:expiry-scheduler) */
        actor?: string;
        /** @description events whose time is at or after this instant */
        from?: string;
        /** @description events whose time is before this instant */
        to?: string;
        /** @description json (a page), ndjson or csv (an export); absent: from Accept (application/x-ndjson, text/csv), else json */
        format?: 'json' | 'ndjson' | 'csv';
      };
      header?: never;
      path: {
        accountId: string;
      };
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description JSON: a page of events and the cursor of the next one (null at the end). NDJSON / CSV: every matching event, streamed (Content-Disposition: attachment). History-Position and History-Caught-Up say how current the read model was */
      200: {
        headers: {
          /** @description the event store position the history read model had applied when it answered (absent: nothing yet) */
          'History-Position'?: string;
          /** @description true when the read model had applied every key event stored when the read began (it waits up to 2 s for that) */
          'History-Caught-Up'?: 'true' | 'false';
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['AccountHistoryAnswer'];
          'application/x-ndjson': string;
          'text/csv': string;
        };
      };
      /** @description The request is not valid: BAD_REQUEST, INVALID_ID, VALIDATION_FAILED */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'] & {
            /** @constant */
            status?: 400;
            /** @enum {unknown} */
            code?: 'BAD_REQUEST' | 'INVALID_ID' | 'VALIDATION_FAILED';
          };
        };
      };
      /** @description No valid credential, or a step-up is required, or a leak report not signed by the partner: UNAUTHENTICATED */
      401: {
        headers: {
          /** @description the Bearer challenge (RFC 6750; RFC 9470 insufficient_user_authentication with max_age for step-up); on the secret scanning route, Github-Public-Key-Signature */
          'WWW-Authenticate'?: string;
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'] & {
            /** @constant */
            status?: 401;
            /** @enum {unknown} */
            code?: 'UNAUTHENTICATED';
          };
        };
      };
      /** @description The role does not allow this call: FORBIDDEN */
      403: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'] & {
            /** @constant */
            status?: 403;
            /** @enum {unknown} */
            code?: 'FORBIDDEN';
          };
        };
      };
      /** @description No such key in this account (another account is the same answer), or no such route: KEY_NOT_FOUND, ROUTE_NOT_FOUND */
      404: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'] & {
            /** @constant */
            status?: 404;
            /** @enum {unknown} */
            code?: 'KEY_NOT_FOUND' | 'ROUTE_NOT_FOUND';
          };
        };
      };
      /** @description The request did not arrive in time: REQUEST_TIMEOUT */
      408: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'] & {
            /** @constant */
            status?: 408;
            /** @enum {unknown} */
            code?: 'REQUEST_TIMEOUT';
          };
        };
      };
      /** @description A path segment is too long: URI_TOO_LONG */
      414: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'] & {
            /** @constant */
            status?: 414;
            /** @enum {unknown} */
            code?: 'URI_TOO_LONG';
          };
        };
      };
      /** @description An Expect other than 100-continue: EXPECTATION_FAILED */
      417: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'] & {
            /** @constant */
            status?: 417;
            /** @enum {unknown} */
            code?: 'EXPECTATION_FAILED';
          };
        };
      };
      /** @description Rate limited: RATE_LIMITED */
      429: {
        headers: {
          /** @description seconds to wait before retrying */
          'Retry-After'?: number;
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'] & {
            /** @constant */
            status?: 429;
            /** @enum {unknown} */
            code?: 'RATE_LIMITED';
          };
        };
      };
      /** @description Request line and headers too large: HEADERS_TOO_LARGE */
      431: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'] & {
            /** @constant */
            status?: 431;
            /** @enum {unknown} */
            code?: 'HEADERS_TOO_LARGE';
          };
        };
      };
      /** @description The service failed (logged): INTERNAL */
      500: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'] & {
            /** @constant */
            status?: 500;
            /** @enum {unknown} */
            code?: 'INTERNAL';
          };
        };
      };
      /** @description Not ready, or the event store or validity index is unavailable; retry after Retry-After: HISTORY_UNAVAILABLE, NOT_READY */
      503: {
        headers: {
          /** @description seconds to wait before retrying */
          'Retry-After'?: number;
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'] & {
            /** @constant */
            status?: 503;
            /** @enum {unknown} */
            code?: 'HISTORY_UNAVAILABLE' | 'NOT_READY';
          };
        };
      };
    };
  };
  streamAccountEvents: {
    parameters: {
      query?: never;
      header?: never;
      path: {
        accountId: string;
      };
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description an event stream that stays open */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'text/event-stream': string;
        };
      };
      /** @description The request is not valid: BAD_REQUEST, INVALID_ID */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'] & {
            /** @constant */
            status?: 400;
            /** @enum {unknown} */
            code?: 'BAD_REQUEST' | 'INVALID_ID';
          };
        };
      };
      /** @description No valid credential, or a step-up is required, or a leak report not signed by the partner: UNAUTHENTICATED */
      401: {
        headers: {
          /** @description the Bearer challenge (RFC 6750; RFC 9470 insufficient_user_authentication with max_age for step-up); on the secret scanning route, Github-Public-Key-Signature */
          'WWW-Authenticate'?: string;
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'] & {
            /** @constant */
            status?: 401;
            /** @enum {unknown} */
            code?: 'UNAUTHENTICATED';
          };
        };
      };
      /** @description The role does not allow this call: FORBIDDEN */
      403: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'] & {
            /** @constant */
            status?: 403;
            /** @enum {unknown} */
            code?: 'FORBIDDEN';
          };
        };
      };
      /** @description No such key in this account (another account is the same answer), or no such route: KEY_NOT_FOUND, ROUTE_NOT_FOUND */
      404: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'] & {
            /** @constant */
            status?: 404;
            /** @enum {unknown} */
            code?: 'KEY_NOT_FOUND' | 'ROUTE_NOT_FOUND';
          };
        };
      };
      /** @description The request did not arrive in time: REQUEST_TIMEOUT */
      408: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'] & {
            /** @constant */
            status?: 408;
            /** @enum {unknown} */
            code?: 'REQUEST_TIMEOUT';
          };
        };
      };
      /** @description A path segment is too long: URI_TOO_LONG */
      414: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'] & {
            /** @constant */
            status?: 414;
            /** @enum {unknown} */
            code?: 'URI_TOO_LONG';
          };
        };
      };
      /** @description An Expect other than 100-continue: EXPECTATION_FAILED */
      417: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'] & {
            /** @constant */
            status?: 417;
            /** @enum {unknown} */
            code?: 'EXPECTATION_FAILED';
          };
        };
      };
      /** @description Rate limited: RATE_LIMITED */
      429: {
        headers: {
          /** @description seconds to wait before retrying */
          'Retry-After'?: number;
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'] & {
            /** @constant */
            status?: 429;
            /** @enum {unknown} */
            code?: 'RATE_LIMITED';
          };
        };
      };
      /** @description Request line and headers too large: HEADERS_TOO_LARGE */
      431: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'] & {
            /** @constant */
            status?: 431;
            /** @enum {unknown} */
            code?: 'HEADERS_TOO_LARGE';
          };
        };
      };
      /** @description The service failed (logged): INTERNAL */
      500: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'] & {
            /** @constant */
            status?: 500;
            /** @enum {unknown} */
            code?: 'INTERNAL';
          };
        };
      };
      /** @description Not ready, or the event store or validity index is unavailable; retry after Retry-After: NOT_READY */
      503: {
        headers: {
          /** @description seconds to wait before retrying */
          'Retry-After'?: number;
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'] & {
            /** @constant */
            status?: 503;
            /** @enum {unknown} */
            code?: 'NOT_READY';
          };
        };
      };
    };
  };
  getKeyUsage: {
    parameters: {
      query?: {
        /** @description last UTC day (inclusive); default: today; at most 366 days in all */
        to?: string;
        /** @description first UTC day (inclusive); default: 29 days before `to` */
        from?: string;
      };
      header?: never;
      path: {
        accountId: string;
        keyId: string;
      };
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description OK */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['KeyUsageAnswer'];
        };
      };
      /** @description The request is not valid: BAD_REQUEST, INVALID_ID, VALIDATION_FAILED */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'] & {
            /** @constant */
            status?: 400;
            /** @enum {unknown} */
            code?: 'BAD_REQUEST' | 'INVALID_ID' | 'VALIDATION_FAILED';
          };
        };
      };
      /** @description No valid credential, or a step-up is required, or a leak report not signed by the partner: UNAUTHENTICATED */
      401: {
        headers: {
          /** @description the Bearer challenge (RFC 6750; RFC 9470 insufficient_user_authentication with max_age for step-up); on the secret scanning route, Github-Public-Key-Signature */
          'WWW-Authenticate'?: string;
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'] & {
            /** @constant */
            status?: 401;
            /** @enum {unknown} */
            code?: 'UNAUTHENTICATED';
          };
        };
      };
      /** @description The role does not allow this call: FORBIDDEN */
      403: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'] & {
            /** @constant */
            status?: 403;
            /** @enum {unknown} */
            code?: 'FORBIDDEN';
          };
        };
      };
      /** @description No such key in this account (another account is the same answer), or no such route: KEY_NOT_FOUND, ROUTE_NOT_FOUND */
      404: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'] & {
            /** @constant */
            status?: 404;
            /** @enum {unknown} */
            code?: 'KEY_NOT_FOUND' | 'ROUTE_NOT_FOUND';
          };
        };
      };
      /** @description The request did not arrive in time: REQUEST_TIMEOUT */
      408: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'] & {
            /** @constant */
            status?: 408;
            /** @enum {unknown} */
            code?: 'REQUEST_TIMEOUT';
          };
        };
      };
      /** @description A path segment is too long: URI_TOO_LONG */
      414: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'] & {
            /** @constant */
            status?: 414;
            /** @enum {unknown} */
            code?: 'URI_TOO_LONG';
          };
        };
      };
      /** @description An Expect other than 100-continue: EXPECTATION_FAILED */
      417: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'] & {
            /** @constant */
            status?: 417;
            /** @enum {unknown} */
            code?: 'EXPECTATION_FAILED';
          };
        };
      };
      /** @description Rate limited: RATE_LIMITED */
      429: {
        headers: {
          /** @description seconds to wait before retrying */
          'Retry-After'?: number;
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'] & {
            /** @constant */
            status?: 429;
            /** @enum {unknown} */
            code?: 'RATE_LIMITED';
          };
        };
      };
      /** @description Request line and headers too large: HEADERS_TOO_LARGE */
      431: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'] & {
            /** @constant */
            status?: 431;
            /** @enum {unknown} */
            code?: 'HEADERS_TOO_LARGE';
          };
        };
      };
      /** @description The service failed (logged): INTERNAL */
      500: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'] & {
            /** @constant */
            status?: 500;
            /** @enum {unknown} */
            code?: 'INTERNAL';
          };
        };
      };
      /** @description Not ready, or the event store or validity index is unavailable; retry after Retry-After: INDEX_UNAVAILABLE, NOT_READY, USAGE_UNAVAILABLE */
      503: {
        headers: {
          /** @description seconds to wait before retrying */
          'Retry-After'?: number;
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'] & {
            /** @constant */
            status?: 503;
            /** @enum {unknown} */
            code?: 'INDEX_UNAVAILABLE' | 'NOT_READY' | 'USAGE_UNAVAILABLE';
          };
        };
      };
    };
  };
  getAccountUsage: {
    parameters: {
      query?: {
        unusedForDays?: number;
      };
      header?: never;
      path: {
        accountId: string;
      };
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description OK */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['UnusedKeysAnswer'];
        };
      };
      /** @description The request is not valid: BAD_REQUEST, INVALID_ID, VALIDATION_FAILED */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'] & {
            /** @constant */
            status?: 400;
            /** @enum {unknown} */
            code?: 'BAD_REQUEST' | 'INVALID_ID' | 'VALIDATION_FAILED';
          };
        };
      };
      /** @description No valid credential, or a step-up is required, or a leak report not signed by the partner: UNAUTHENTICATED */
      401: {
        headers: {
          /** @description the Bearer challenge (RFC 6750; RFC 9470 insufficient_user_authentication with max_age for step-up); on the secret scanning route, Github-Public-Key-Signature */
          'WWW-Authenticate'?: string;
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'] & {
            /** @constant */
            status?: 401;
            /** @enum {unknown} */
            code?: 'UNAUTHENTICATED';
          };
        };
      };
      /** @description The role does not allow this call: FORBIDDEN */
      403: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'] & {
            /** @constant */
            status?: 403;
            /** @enum {unknown} */
            code?: 'FORBIDDEN';
          };
        };
      };
      /** @description No such key in this account (another account is the same answer), or no such route: KEY_NOT_FOUND, ROUTE_NOT_FOUND */
      404: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'] & {
            /** @constant */
            status?: 404;
            /** @enum {unknown} */
            code?: 'KEY_NOT_FOUND' | 'ROUTE_NOT_FOUND';
          };
        };
      };
      /** @description The request did not arrive in time: REQUEST_TIMEOUT */
      408: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'] & {
            /** @constant */
            status?: 408;
            /** @enum {unknown} */
            code?: 'REQUEST_TIMEOUT';
          };
        };
      };
      /** @description A path segment is too long: URI_TOO_LONG */
      414: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'] & {
            /** @constant */
            status?: 414;
            /** @enum {unknown} */
            code?: 'URI_TOO_LONG';
          };
        };
      };
      /** @description An Expect other than 100-continue: EXPECTATION_FAILED */
      417: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'] & {
            /** @constant */
            status?: 417;
            /** @enum {unknown} */
            code?: 'EXPECTATION_FAILED';
          };
        };
      };
      /** @description Rate limited: RATE_LIMITED */
      429: {
        headers: {
          /** @description seconds to wait before retrying */
          'Retry-After'?: number;
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'] & {
            /** @constant */
            status?: 429;
            /** @enum {unknown} */
            code?: 'RATE_LIMITED';
          };
        };
      };
      /** @description Request line and headers too large: HEADERS_TOO_LARGE */
      431: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'] & {
            /** @constant */
            status?: 431;
            /** @enum {unknown} */
            code?: 'HEADERS_TOO_LARGE';
          };
        };
      };
      /** @description The service failed (logged): INTERNAL */
      500: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'] & {
            /** @constant */
            status?: 500;
            /** @enum {unknown} */
            code?: 'INTERNAL';
          };
        };
      };
      /** @description Not ready, or the event store or validity index is unavailable; retry after Retry-After: INDEX_UNAVAILABLE, NOT_READY, USAGE_UNAVAILABLE */
      503: {
        headers: {
          /** @description seconds to wait before retrying */
          'Retry-After'?: number;
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'] & {
            /** @constant */
            status?: 503;
            /** @enum {unknown} */
            code?: 'INDEX_UNAVAILABLE' | 'NOT_READY' | 'USAGE_UNAVAILABLE';
          };
        };
      };
    };
  };
  verifyKey: {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody: {
      content: {
        'application/json': {
          /** @example ak_live_… */
          key: string;
          /**
           * @description the merchant client's IP address; null or absent: none
           * @example 203.0.113.7
           */
          ip?: string | null;
          /**
           * @description the kind of key accepted; a key of another kind is NOT_FOUND; null or absent: api
           * @default api
           * @enum {string|null}
           */
          kind?: 'api' | 'signing' | 'publishable' | null;
          /**
           * @description permissions the call needs, all of them: a key that lacks one is INSUFFICIENT_PERMISSIONS (a key with none is unrestricted; `payments:*` and `*` grant by wildcard); null or absent: none
           * @example [
           *       "payments:write"
           *     ]
           */
          permissions?: string[] | null;
          /**
           * @description the browser's Origin header, for a publishable key (kind publishable): one not among the key's allowed origins (or none) is ORIGIN_NOT_ALLOWED; ignored for other kinds; null or absent: none
           * @example https://shop.example
           */
          origin?: string | null;
        };
      };
    };
    responses: {
      /** @description OK */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['VerifyAnswer'];
        };
      };
      /** @description The request is not valid: BAD_REQUEST, BODY_TOO_DEEP, MALFORMED_JSON, VALIDATION_FAILED */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'] & {
            /** @constant */
            status?: 400;
            /** @enum {unknown} */
            code?: 'BAD_REQUEST' | 'BODY_TOO_DEEP' | 'MALFORMED_JSON' | 'VALIDATION_FAILED';
          };
        };
      };
      /** @description No valid credential, or a step-up is required, or a leak report not signed by the partner: UNAUTHENTICATED */
      401: {
        headers: {
          /** @description the Bearer challenge (RFC 6750; RFC 9470 insufficient_user_authentication with max_age for step-up); on the secret scanning route, Github-Public-Key-Signature */
          'WWW-Authenticate'?: string;
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'] & {
            /** @constant */
            status?: 401;
            /** @enum {unknown} */
            code?: 'UNAUTHENTICATED';
          };
        };
      };
      /** @description No such key in this account (another account is the same answer), or no such route: ROUTE_NOT_FOUND */
      404: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'] & {
            /** @constant */
            status?: 404;
            /** @enum {unknown} */
            code?: 'ROUTE_NOT_FOUND';
          };
        };
      };
      /** @description The request did not arrive in time: REQUEST_TIMEOUT */
      408: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'] & {
            /** @constant */
            status?: 408;
            /** @enum {unknown} */
            code?: 'REQUEST_TIMEOUT';
          };
        };
      };
      /** @description The body is larger than the service accepts: BODY_TOO_LARGE */
      413: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'] & {
            /** @constant */
            status?: 413;
            /** @enum {unknown} */
            code?: 'BODY_TOO_LARGE';
          };
        };
      };
      /** @description A path segment is too long: URI_TOO_LONG */
      414: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'] & {
            /** @constant */
            status?: 414;
            /** @enum {unknown} */
            code?: 'URI_TOO_LONG';
          };
        };
      };
      /** @description The body’s media type is not accepted: UNSUPPORTED_MEDIA_TYPE */
      415: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'] & {
            /** @constant */
            status?: 415;
            /** @enum {unknown} */
            code?: 'UNSUPPORTED_MEDIA_TYPE';
          };
        };
      };
      /** @description An Expect other than 100-continue: EXPECTATION_FAILED */
      417: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'] & {
            /** @constant */
            status?: 417;
            /** @enum {unknown} */
            code?: 'EXPECTATION_FAILED';
          };
        };
      };
      /** @description Rate limited: RATE_LIMITED */
      429: {
        headers: {
          /** @description seconds to wait before retrying */
          'Retry-After'?: number;
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'] & {
            /** @constant */
            status?: 429;
            /** @enum {unknown} */
            code?: 'RATE_LIMITED';
          };
        };
      };
      /** @description Request line and headers too large: HEADERS_TOO_LARGE */
      431: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'] & {
            /** @constant */
            status?: 431;
            /** @enum {unknown} */
            code?: 'HEADERS_TOO_LARGE';
          };
        };
      };
      /** @description The service failed (logged): INTERNAL */
      500: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'] & {
            /** @constant */
            status?: 500;
            /** @enum {unknown} */
            code?: 'INTERNAL';
          };
        };
      };
      /** @description Not ready, or the event store or validity index is unavailable; retry after Retry-After: INDEX_UNAVAILABLE, NOT_READY */
      503: {
        headers: {
          /** @description seconds to wait before retrying */
          'Retry-After'?: number;
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'] & {
            /** @constant */
            status?: 503;
            /** @enum {unknown} */
            code?: 'INDEX_UNAVAILABLE' | 'NOT_READY';
          };
        };
      };
    };
  };
  signPayload: {
    parameters: {
      query?: {
        /** @description with a raw body and scheme standard-webhooks: the message id to sign (absent: a new msg_… id) */
        webhookId?: string;
        /** @description with a raw body: the signature scheme (default stripe) */
        scheme?: 'stripe' | 'standard-webhooks';
      };
      header?: never;
      path: {
        accountId: string;
      };
      cookie?: never;
    };
    requestBody: {
      content: {
        'application/json': components['schemas']['SignDto'];
        'application/octet-stream': string;
      };
    };
    responses: {
      /** @description OK */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['SignAnswer'];
        };
      };
      /** @description The request is not valid: BAD_REQUEST, BODY_TOO_DEEP, INVALID_ID, MALFORMED_JSON, VALIDATION_FAILED */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'] & {
            /** @constant */
            status?: 400;
            /** @enum {unknown} */
            code?: 'BAD_REQUEST' | 'BODY_TOO_DEEP' | 'INVALID_ID' | 'MALFORMED_JSON' | 'VALIDATION_FAILED';
          };
        };
      };
      /** @description No valid credential, or a step-up is required, or a leak report not signed by the partner: UNAUTHENTICATED */
      401: {
        headers: {
          /** @description the Bearer challenge (RFC 6750; RFC 9470 insufficient_user_authentication with max_age for step-up); on the secret scanning route, Github-Public-Key-Signature */
          'WWW-Authenticate'?: string;
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'] & {
            /** @constant */
            status?: 401;
            /** @enum {unknown} */
            code?: 'UNAUTHENTICATED';
          };
        };
      };
      /** @description No such key in this account (another account is the same answer), or no such route: ROUTE_NOT_FOUND */
      404: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'] & {
            /** @constant */
            status?: 404;
            /** @enum {unknown} */
            code?: 'ROUTE_NOT_FOUND';
          };
        };
      };
      /** @description The request did not arrive in time: REQUEST_TIMEOUT */
      408: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'] & {
            /** @constant */
            status?: 408;
            /** @enum {unknown} */
            code?: 'REQUEST_TIMEOUT';
          };
        };
      };
      /** @description The key is in a state where this change is refused, or it changed meanwhile: NO_SIGNING_KEY */
      409: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'] & {
            /** @constant */
            status?: 409;
            /** @enum {unknown} */
            code?: 'NO_SIGNING_KEY';
          };
        };
      };
      /** @description The body is larger than the service accepts: BODY_TOO_LARGE */
      413: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'] & {
            /** @constant */
            status?: 413;
            /** @enum {unknown} */
            code?: 'BODY_TOO_LARGE';
          };
        };
      };
      /** @description A path segment is too long: URI_TOO_LONG */
      414: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'] & {
            /** @constant */
            status?: 414;
            /** @enum {unknown} */
            code?: 'URI_TOO_LONG';
          };
        };
      };
      /** @description The body’s media type is not accepted: UNSUPPORTED_MEDIA_TYPE */
      415: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'] & {
            /** @constant */
            status?: 415;
            /** @enum {unknown} */
            code?: 'UNSUPPORTED_MEDIA_TYPE';
          };
        };
      };
      /** @description An Expect other than 100-continue: EXPECTATION_FAILED */
      417: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'] & {
            /** @constant */
            status?: 417;
            /** @enum {unknown} */
            code?: 'EXPECTATION_FAILED';
          };
        };
      };
      /** @description Rate limited: RATE_LIMITED */
      429: {
        headers: {
          /** @description seconds to wait before retrying */
          'Retry-After'?: number;
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'] & {
            /** @constant */
            status?: 429;
            /** @enum {unknown} */
            code?: 'RATE_LIMITED';
          };
        };
      };
      /** @description Request line and headers too large: HEADERS_TOO_LARGE */
      431: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'] & {
            /** @constant */
            status?: 431;
            /** @enum {unknown} */
            code?: 'HEADERS_TOO_LARGE';
          };
        };
      };
      /** @description The service failed (logged): INTERNAL */
      500: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'] & {
            /** @constant */
            status?: 500;
            /** @enum {unknown} */
            code?: 'INTERNAL';
          };
        };
      };
      /** @description Not ready, or the event store or validity index is unavailable; retry after Retry-After: INDEX_UNAVAILABLE, NOT_READY */
      503: {
        headers: {
          /** @description seconds to wait before retrying */
          'Retry-After'?: number;
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'] & {
            /** @constant */
            status?: 503;
            /** @enum {unknown} */
            code?: 'INDEX_UNAVAILABLE' | 'NOT_READY';
          };
        };
      };
    };
  };
  verifySignature: {
    parameters: {
      query?: {
        /** @description with a raw body: how old (or how far ahead) the timestamp may be, in seconds */
        toleranceSeconds?: number;
      };
      header?: {
        /** @description with a raw (application/octet-stream) body: the signature header to check (required then) */
        'X-Signature'?: string;
        /** @description with a raw body and webhook-signature: the unix timestamp as received */
        'webhook-timestamp'?: string;
        /** @description with a raw body and webhook-signature: the message id as received */
        'webhook-id'?: string;
        /** @description with a raw body, instead of X-Signature: the standard-webhooks signatures (then webhook-id and webhook-timestamp are required) */
        'webhook-signature'?: string;
      };
      path: {
        accountId: string;
      };
      cookie?: never;
    };
    requestBody: {
      content: {
        'application/json': components['schemas']['VerifySignatureDto'];
        'application/octet-stream': string;
      };
    };
    responses: {
      /** @description OK */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['SignatureCheckAnswer'];
        };
      };
      /** @description The request is not valid: BAD_REQUEST, BODY_TOO_DEEP, INVALID_ID, MALFORMED_JSON, VALIDATION_FAILED */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'] & {
            /** @constant */
            status?: 400;
            /** @enum {unknown} */
            code?: 'BAD_REQUEST' | 'BODY_TOO_DEEP' | 'INVALID_ID' | 'MALFORMED_JSON' | 'VALIDATION_FAILED';
          };
        };
      };
      /** @description No valid credential, or a step-up is required, or a leak report not signed by the partner: UNAUTHENTICATED */
      401: {
        headers: {
          /** @description the Bearer challenge (RFC 6750; RFC 9470 insufficient_user_authentication with max_age for step-up); on the secret scanning route, Github-Public-Key-Signature */
          'WWW-Authenticate'?: string;
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'] & {
            /** @constant */
            status?: 401;
            /** @enum {unknown} */
            code?: 'UNAUTHENTICATED';
          };
        };
      };
      /** @description No such key in this account (another account is the same answer), or no such route: ROUTE_NOT_FOUND */
      404: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'] & {
            /** @constant */
            status?: 404;
            /** @enum {unknown} */
            code?: 'ROUTE_NOT_FOUND';
          };
        };
      };
      /** @description The request did not arrive in time: REQUEST_TIMEOUT */
      408: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'] & {
            /** @constant */
            status?: 408;
            /** @enum {unknown} */
            code?: 'REQUEST_TIMEOUT';
          };
        };
      };
      /** @description The body is larger than the service accepts: BODY_TOO_LARGE */
      413: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'] & {
            /** @constant */
            status?: 413;
            /** @enum {unknown} */
            code?: 'BODY_TOO_LARGE';
          };
        };
      };
      /** @description A path segment is too long: URI_TOO_LONG */
      414: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'] & {
            /** @constant */
            status?: 414;
            /** @enum {unknown} */
            code?: 'URI_TOO_LONG';
          };
        };
      };
      /** @description The body’s media type is not accepted: UNSUPPORTED_MEDIA_TYPE */
      415: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'] & {
            /** @constant */
            status?: 415;
            /** @enum {unknown} */
            code?: 'UNSUPPORTED_MEDIA_TYPE';
          };
        };
      };
      /** @description An Expect other than 100-continue: EXPECTATION_FAILED */
      417: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'] & {
            /** @constant */
            status?: 417;
            /** @enum {unknown} */
            code?: 'EXPECTATION_FAILED';
          };
        };
      };
      /** @description Rate limited: RATE_LIMITED */
      429: {
        headers: {
          /** @description seconds to wait before retrying */
          'Retry-After'?: number;
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'] & {
            /** @constant */
            status?: 429;
            /** @enum {unknown} */
            code?: 'RATE_LIMITED';
          };
        };
      };
      /** @description Request line and headers too large: HEADERS_TOO_LARGE */
      431: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'] & {
            /** @constant */
            status?: 431;
            /** @enum {unknown} */
            code?: 'HEADERS_TOO_LARGE';
          };
        };
      };
      /** @description The service failed (logged): INTERNAL */
      500: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'] & {
            /** @constant */
            status?: 500;
            /** @enum {unknown} */
            code?: 'INTERNAL';
          };
        };
      };
      /** @description Not ready, or the event store or validity index is unavailable; retry after Retry-After: INDEX_UNAVAILABLE, NOT_READY */
      503: {
        headers: {
          /** @description seconds to wait before retrying */
          'Retry-After'?: number;
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'] & {
            /** @constant */
            status?: 503;
            /** @enum {unknown} */
            code?: 'INDEX_UNAVAILABLE' | 'NOT_READY';
          };
        };
      };
    };
  };
  reportLeaks: {
    parameters: {
      query?: never;
      header: {
        /** @description base64 of the DER ECDSA (P-256, SHA-256) signature of the exact body bytes */
        'Github-Public-Key-Signature': string;
        /** @description the id of the partner key that signed the body */
        'Github-Public-Key-Identifier': string;
      };
      path?: never;
      cookie?: never;
    };
    requestBody: {
      content: {
        'application/json': {
          /** @description the string found; only its SHA-256 is kept */
          token: string;
          /** @example credential_service_api_key */
          type: string;
          /** @example https://github.com/octo-org/shop/blob/1a2b3c4d/config.env */
          url: string;
          /** @example content */
          source?: string;
        }[];
      };
    };
    responses: {
      /** @description one answer per token, in the order sent */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            /** @description hex SHA-256 of the token */
            token_hash: string;
            /** @description the item’s `type`, as sent */
            token_type: string;
            /** @enum {string} */
            label: 'true_positive' | 'false_positive';
          }[];
        };
      };
      /** @description The request is not valid: BAD_REQUEST, BODY_TOO_DEEP, MALFORMED_JSON, VALIDATION_FAILED */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'] & {
            /** @constant */
            status?: 400;
            /** @enum {unknown} */
            code?: 'BAD_REQUEST' | 'BODY_TOO_DEEP' | 'MALFORMED_JSON' | 'VALIDATION_FAILED';
          };
        };
      };
      /** @description No valid credential, or a step-up is required, or a leak report not signed by the partner: REPORT_KEY_UNKNOWN, REPORT_SIGNATURE_INVALID */
      401: {
        headers: {
          /** @description the Bearer challenge (RFC 6750; RFC 9470 insufficient_user_authentication with max_age for step-up); on the secret scanning route, Github-Public-Key-Signature */
          'WWW-Authenticate'?: string;
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'] & {
            /** @constant */
            status?: 401;
            /** @enum {unknown} */
            code?: 'REPORT_KEY_UNKNOWN' | 'REPORT_SIGNATURE_INVALID';
          };
        };
      };
      /** @description No such key in this account (another account is the same answer), or no such route: ROUTE_NOT_FOUND */
      404: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'] & {
            /** @constant */
            status?: 404;
            /** @enum {unknown} */
            code?: 'ROUTE_NOT_FOUND';
          };
        };
      };
      /** @description The request did not arrive in time: REQUEST_TIMEOUT */
      408: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'] & {
            /** @constant */
            status?: 408;
            /** @enum {unknown} */
            code?: 'REQUEST_TIMEOUT';
          };
        };
      };
      /** @description The key is in a state where this change is refused, or it changed meanwhile: REPORT_REPLAYED */
      409: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'] & {
            /** @constant */
            status?: 409;
            /** @enum {unknown} */
            code?: 'REPORT_REPLAYED';
          };
        };
      };
      /** @description The body is larger than the service accepts: BODY_TOO_LARGE */
      413: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'] & {
            /** @constant */
            status?: 413;
            /** @enum {unknown} */
            code?: 'BODY_TOO_LARGE';
          };
        };
      };
      /** @description A path segment is too long: URI_TOO_LONG */
      414: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'] & {
            /** @constant */
            status?: 414;
            /** @enum {unknown} */
            code?: 'URI_TOO_LONG';
          };
        };
      };
      /** @description The body’s media type is not accepted: UNSUPPORTED_MEDIA_TYPE */
      415: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'] & {
            /** @constant */
            status?: 415;
            /** @enum {unknown} */
            code?: 'UNSUPPORTED_MEDIA_TYPE';
          };
        };
      };
      /** @description An Expect other than 100-continue: EXPECTATION_FAILED */
      417: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'] & {
            /** @constant */
            status?: 417;
            /** @enum {unknown} */
            code?: 'EXPECTATION_FAILED';
          };
        };
      };
      /** @description Request line and headers too large: HEADERS_TOO_LARGE */
      431: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'] & {
            /** @constant */
            status?: 431;
            /** @enum {unknown} */
            code?: 'HEADERS_TOO_LARGE';
          };
        };
      };
      /** @description The service failed (logged): INTERNAL */
      500: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'] & {
            /** @constant */
            status?: 500;
            /** @enum {unknown} */
            code?: 'INTERNAL';
          };
        };
      };
      /** @description Not ready, or the event store or validity index is unavailable; retry after Retry-After: INDEX_UNAVAILABLE, NOT_READY, SECRET_SCANNING_UNAVAILABLE, STORE_UNAVAILABLE */
      503: {
        headers: {
          /** @description seconds to wait before retrying */
          'Retry-After'?: number;
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'] & {
            /** @constant */
            status?: 503;
            /** @enum {unknown} */
            code?: 'INDEX_UNAVAILABLE' | 'NOT_READY' | 'SECRET_SCANNING_UNAVAILABLE' | 'STORE_UNAVAILABLE';
          };
        };
      };
    };
  };
  getLeakPolicy: {
    parameters: {
      query?: never;
      header?: never;
      path: {
        accountId: string;
      };
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description OK */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['LeakPolicyAnswer'];
        };
      };
      /** @description The request is not valid: BAD_REQUEST, INVALID_ID */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'] & {
            /** @constant */
            status?: 400;
            /** @enum {unknown} */
            code?: 'BAD_REQUEST' | 'INVALID_ID';
          };
        };
      };
      /** @description No valid credential, or a step-up is required, or a leak report not signed by the partner: UNAUTHENTICATED */
      401: {
        headers: {
          /** @description the Bearer challenge (RFC 6750; RFC 9470 insufficient_user_authentication with max_age for step-up); on the secret scanning route, Github-Public-Key-Signature */
          'WWW-Authenticate'?: string;
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'] & {
            /** @constant */
            status?: 401;
            /** @enum {unknown} */
            code?: 'UNAUTHENTICATED';
          };
        };
      };
      /** @description The role does not allow this call: FORBIDDEN */
      403: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'] & {
            /** @constant */
            status?: 403;
            /** @enum {unknown} */
            code?: 'FORBIDDEN';
          };
        };
      };
      /** @description No such key in this account (another account is the same answer), or no such route: KEY_NOT_FOUND, ROUTE_NOT_FOUND */
      404: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'] & {
            /** @constant */
            status?: 404;
            /** @enum {unknown} */
            code?: 'KEY_NOT_FOUND' | 'ROUTE_NOT_FOUND';
          };
        };
      };
      /** @description The request did not arrive in time: REQUEST_TIMEOUT */
      408: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'] & {
            /** @constant */
            status?: 408;
            /** @enum {unknown} */
            code?: 'REQUEST_TIMEOUT';
          };
        };
      };
      /** @description A path segment is too long: URI_TOO_LONG */
      414: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'] & {
            /** @constant */
            status?: 414;
            /** @enum {unknown} */
            code?: 'URI_TOO_LONG';
          };
        };
      };
      /** @description An Expect other than 100-continue: EXPECTATION_FAILED */
      417: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'] & {
            /** @constant */
            status?: 417;
            /** @enum {unknown} */
            code?: 'EXPECTATION_FAILED';
          };
        };
      };
      /** @description Rate limited: RATE_LIMITED */
      429: {
        headers: {
          /** @description seconds to wait before retrying */
          'Retry-After'?: number;
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'] & {
            /** @constant */
            status?: 429;
            /** @enum {unknown} */
            code?: 'RATE_LIMITED';
          };
        };
      };
      /** @description Request line and headers too large: HEADERS_TOO_LARGE */
      431: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'] & {
            /** @constant */
            status?: 431;
            /** @enum {unknown} */
            code?: 'HEADERS_TOO_LARGE';
          };
        };
      };
      /** @description The service failed (logged): INTERNAL */
      500: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'] & {
            /** @constant */
            status?: 500;
            /** @enum {unknown} */
            code?: 'INTERNAL';
          };
        };
      };
      /** @description Not ready, or the event store or validity index is unavailable; retry after Retry-After: NOT_READY, STORE_UNAVAILABLE */
      503: {
        headers: {
          /** @description seconds to wait before retrying */
          'Retry-After'?: number;
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'] & {
            /** @constant */
            status?: 503;
            /** @enum {unknown} */
            code?: 'NOT_READY' | 'STORE_UNAVAILABLE';
          };
        };
      };
    };
  };
  setLeakPolicy: {
    parameters: {
      query?: never;
      header?: never;
      path: {
        accountId: string;
      };
      cookie?: never;
    };
    requestBody: {
      content: {
        'application/json': components['schemas']['SetLeakPolicyDto'];
      };
    };
    responses: {
      /** @description OK */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['LeakPolicyAnswer'];
        };
      };
      /** @description The request is not valid: BAD_REQUEST, BODY_TOO_DEEP, INVALID_ID, MALFORMED_JSON, VALIDATION_FAILED */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'] & {
            /** @constant */
            status?: 400;
            /** @enum {unknown} */
            code?: 'BAD_REQUEST' | 'BODY_TOO_DEEP' | 'INVALID_ID' | 'MALFORMED_JSON' | 'VALIDATION_FAILED';
          };
        };
      };
      /** @description No valid credential, or a step-up is required, or a leak report not signed by the partner: STEP_UP_REQUIRED, UNAUTHENTICATED */
      401: {
        headers: {
          /** @description the Bearer challenge (RFC 6750; RFC 9470 insufficient_user_authentication with max_age for step-up); on the secret scanning route, Github-Public-Key-Signature */
          'WWW-Authenticate'?: string;
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'] & {
            /** @constant */
            status?: 401;
            /** @enum {unknown} */
            code?: 'STEP_UP_REQUIRED' | 'UNAUTHENTICATED';
          };
        };
      };
      /** @description The role does not allow this call: FORBIDDEN */
      403: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'] & {
            /** @constant */
            status?: 403;
            /** @enum {unknown} */
            code?: 'FORBIDDEN';
          };
        };
      };
      /** @description No such key in this account (another account is the same answer), or no such route: KEY_NOT_FOUND, ROUTE_NOT_FOUND */
      404: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'] & {
            /** @constant */
            status?: 404;
            /** @enum {unknown} */
            code?: 'KEY_NOT_FOUND' | 'ROUTE_NOT_FOUND';
          };
        };
      };
      /** @description The request did not arrive in time: REQUEST_TIMEOUT */
      408: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'] & {
            /** @constant */
            status?: 408;
            /** @enum {unknown} */
            code?: 'REQUEST_TIMEOUT';
          };
        };
      };
      /** @description The body is larger than the service accepts: BODY_TOO_LARGE */
      413: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'] & {
            /** @constant */
            status?: 413;
            /** @enum {unknown} */
            code?: 'BODY_TOO_LARGE';
          };
        };
      };
      /** @description A path segment is too long: URI_TOO_LONG */
      414: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'] & {
            /** @constant */
            status?: 414;
            /** @enum {unknown} */
            code?: 'URI_TOO_LONG';
          };
        };
      };
      /** @description The body’s media type is not accepted: UNSUPPORTED_MEDIA_TYPE */
      415: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'] & {
            /** @constant */
            status?: 415;
            /** @enum {unknown} */
            code?: 'UNSUPPORTED_MEDIA_TYPE';
          };
        };
      };
      /** @description An Expect other than 100-continue: EXPECTATION_FAILED */
      417: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'] & {
            /** @constant */
            status?: 417;
            /** @enum {unknown} */
            code?: 'EXPECTATION_FAILED';
          };
        };
      };
      /** @description Rate limited: RATE_LIMITED */
      429: {
        headers: {
          /** @description seconds to wait before retrying */
          'Retry-After'?: number;
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'] & {
            /** @constant */
            status?: 429;
            /** @enum {unknown} */
            code?: 'RATE_LIMITED';
          };
        };
      };
      /** @description Request line and headers too large: HEADERS_TOO_LARGE */
      431: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'] & {
            /** @constant */
            status?: 431;
            /** @enum {unknown} */
            code?: 'HEADERS_TOO_LARGE';
          };
        };
      };
      /** @description The service failed (logged): INTERNAL */
      500: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'] & {
            /** @constant */
            status?: 500;
            /** @enum {unknown} */
            code?: 'INTERNAL';
          };
        };
      };
      /** @description Not ready, or the event store or validity index is unavailable; retry after Retry-After: NOT_READY, STORE_UNAVAILABLE */
      503: {
        headers: {
          /** @description seconds to wait before retrying */
          'Retry-After'?: number;
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'] & {
            /** @constant */
            status?: 503;
            /** @enum {unknown} */
            code?: 'NOT_READY' | 'STORE_UNAVAILABLE';
          };
        };
      };
    };
  };
  getAccountJwks: {
    parameters: {
      query?: never;
      header?: never;
      path: {
        accountId: string;
      };
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description an empty `keys` list when the account has none */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/jwk-set+json': components['schemas']['JwksAnswer'];
        };
      };
      /** @description The request is not valid: BAD_REQUEST, INVALID_ID */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'] & {
            /** @constant */
            status?: 400;
            /** @enum {unknown} */
            code?: 'BAD_REQUEST' | 'INVALID_ID';
          };
        };
      };
      /** @description No such key in this account (another account is the same answer), or no such route: ROUTE_NOT_FOUND */
      404: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'] & {
            /** @constant */
            status?: 404;
            /** @enum {unknown} */
            code?: 'ROUTE_NOT_FOUND';
          };
        };
      };
      /** @description The request did not arrive in time: REQUEST_TIMEOUT */
      408: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'] & {
            /** @constant */
            status?: 408;
            /** @enum {unknown} */
            code?: 'REQUEST_TIMEOUT';
          };
        };
      };
      /** @description A path segment is too long: URI_TOO_LONG */
      414: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'] & {
            /** @constant */
            status?: 414;
            /** @enum {unknown} */
            code?: 'URI_TOO_LONG';
          };
        };
      };
      /** @description An Expect other than 100-continue: EXPECTATION_FAILED */
      417: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'] & {
            /** @constant */
            status?: 417;
            /** @enum {unknown} */
            code?: 'EXPECTATION_FAILED';
          };
        };
      };
      /** @description Request line and headers too large: HEADERS_TOO_LARGE */
      431: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'] & {
            /** @constant */
            status?: 431;
            /** @enum {unknown} */
            code?: 'HEADERS_TOO_LARGE';
          };
        };
      };
      /** @description The service failed (logged): INTERNAL */
      500: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'] & {
            /** @constant */
            status?: 500;
            /** @enum {unknown} */
            code?: 'INTERNAL';
          };
        };
      };
      /** @description Not ready, or the event store or validity index is unavailable; retry after Retry-After: INDEX_UNAVAILABLE, NOT_READY */
      503: {
        headers: {
          /** @description seconds to wait before retrying */
          'Retry-After'?: number;
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'] & {
            /** @constant */
            status?: 503;
            /** @enum {unknown} */
            code?: 'INDEX_UNAVAILABLE' | 'NOT_READY';
          };
        };
      };
    };
  };
  verifyAuditChain: {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description OK */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['ChainReportAnswer'];
        };
      };
      /** @description The request is not valid: BAD_REQUEST */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'] & {
            /** @constant */
            status?: 400;
            /** @enum {unknown} */
            code?: 'BAD_REQUEST';
          };
        };
      };
      /** @description No valid credential, or a step-up is required, or a leak report not signed by the partner: UNAUTHENTICATED */
      401: {
        headers: {
          /** @description the Bearer challenge (RFC 6750; RFC 9470 insufficient_user_authentication with max_age for step-up); on the secret scanning route, Github-Public-Key-Signature */
          'WWW-Authenticate'?: string;
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'] & {
            /** @constant */
            status?: 401;
            /** @enum {unknown} */
            code?: 'UNAUTHENTICATED';
          };
        };
      };
      /** @description No such key in this account (another account is the same answer), or no such route: ROUTE_NOT_FOUND */
      404: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'] & {
            /** @constant */
            status?: 404;
            /** @enum {unknown} */
            code?: 'ROUTE_NOT_FOUND';
          };
        };
      };
      /** @description The request did not arrive in time: REQUEST_TIMEOUT */
      408: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'] & {
            /** @constant */
            status?: 408;
            /** @enum {unknown} */
            code?: 'REQUEST_TIMEOUT';
          };
        };
      };
      /** @description A path segment is too long: URI_TOO_LONG */
      414: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'] & {
            /** @constant */
            status?: 414;
            /** @enum {unknown} */
            code?: 'URI_TOO_LONG';
          };
        };
      };
      /** @description An Expect other than 100-continue: EXPECTATION_FAILED */
      417: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'] & {
            /** @constant */
            status?: 417;
            /** @enum {unknown} */
            code?: 'EXPECTATION_FAILED';
          };
        };
      };
      /** @description Rate limited: RATE_LIMITED */
      429: {
        headers: {
          /** @description seconds to wait before retrying */
          'Retry-After'?: number;
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'] & {
            /** @constant */
            status?: 429;
            /** @enum {unknown} */
            code?: 'RATE_LIMITED';
          };
        };
      };
      /** @description Request line and headers too large: HEADERS_TOO_LARGE */
      431: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'] & {
            /** @constant */
            status?: 431;
            /** @enum {unknown} */
            code?: 'HEADERS_TOO_LARGE';
          };
        };
      };
      /** @description The service failed (logged): INTERNAL */
      500: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'] & {
            /** @constant */
            status?: 500;
            /** @enum {unknown} */
            code?: 'INTERNAL';
          };
        };
      };
      /** @description Not ready, or the event store or validity index is unavailable; retry after Retry-After: NOT_READY, STORE_UNAVAILABLE */
      503: {
        headers: {
          /** @description seconds to wait before retrying */
          'Retry-After'?: number;
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'] & {
            /** @constant */
            status?: 503;
            /** @enum {unknown} */
            code?: 'NOT_READY' | 'STORE_UNAVAILABLE';
          };
        };
      };
    };
  };
  health: {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description The Health Check is successful */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            /**
             * @example ok
             * @enum {string}
             */
            status?: 'ok' | 'degraded';
            /**
             * @example {
             *       "database": {
             *         "status": "up",
             *         "responseTime": 12
             *       }
             *     }
             */
            info?: {
              [key: string]: {
                /** @enum {string} */
                status: 'up' | 'degraded' | 'down';
                /** @description Time the health indicator took to respond, in ms */
                responseTime?: number;
              } & {
                [key: string]: unknown;
              };
            } | null;
            /** @example {} */
            error?: {
              [key: string]: {
                /** @enum {string} */
                status: 'up' | 'degraded' | 'down';
                /** @description Time the health indicator took to respond, in ms */
                responseTime?: number;
              } & {
                [key: string]: unknown;
              };
            } | null;
            /**
             * @example {
             *       "database": {
             *         "status": "up",
             *         "responseTime": 12
             *       }
             *     }
             */
            details?: {
              [key: string]: {
                /** @enum {string} */
                status: 'up' | 'degraded' | 'down';
                /** @description Time the health indicator took to respond, in ms */
                responseTime?: number;
              } & {
                [key: string]: unknown;
              };
            };
          };
        };
      };
      /** @description The request is not valid: BAD_REQUEST */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'] & {
            /** @constant */
            status?: 400;
            /** @enum {unknown} */
            code?: 'BAD_REQUEST';
          };
        };
      };
      /** @description No such key in this account (another account is the same answer), or no such route: ROUTE_NOT_FOUND */
      404: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'] & {
            /** @constant */
            status?: 404;
            /** @enum {unknown} */
            code?: 'ROUTE_NOT_FOUND';
          };
        };
      };
      /** @description The request did not arrive in time: REQUEST_TIMEOUT */
      408: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'] & {
            /** @constant */
            status?: 408;
            /** @enum {unknown} */
            code?: 'REQUEST_TIMEOUT';
          };
        };
      };
      /** @description A path segment is too long: URI_TOO_LONG */
      414: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'] & {
            /** @constant */
            status?: 414;
            /** @enum {unknown} */
            code?: 'URI_TOO_LONG';
          };
        };
      };
      /** @description An Expect other than 100-continue: EXPECTATION_FAILED */
      417: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'] & {
            /** @constant */
            status?: 417;
            /** @enum {unknown} */
            code?: 'EXPECTATION_FAILED';
          };
        };
      };
      /** @description Request line and headers too large: HEADERS_TOO_LARGE */
      431: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'] & {
            /** @constant */
            status?: 431;
            /** @enum {unknown} */
            code?: 'HEADERS_TOO_LARGE';
          };
        };
      };
      /** @description The service failed (logged): INTERNAL */
      500: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'] & {
            /** @constant */
            status?: 500;
            /** @enum {unknown} */
            code?: 'INTERNAL';
          };
        };
      };
      /** @description Not ready, or the event store or validity index is unavailable; retry after Retry-After: NOT_READY */
      503: {
        headers: {
          /** @description seconds to wait before retrying */
          'Retry-After'?: number;
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'] & {
            /** @constant */
            status?: 503;
            /** @enum {unknown} */
            code?: 'NOT_READY';
          };
        };
      };
    };
  };
  healthReady: {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description The Health Check is successful */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            /**
             * @example ok
             * @enum {string}
             */
            status?: 'ok' | 'degraded';
            /**
             * @example {
             *       "database": {
             *         "status": "up",
             *         "responseTime": 12
             *       }
             *     }
             */
            info?: {
              [key: string]: {
                /** @enum {string} */
                status: 'up' | 'degraded' | 'down';
                /** @description Time the health indicator took to respond, in ms */
                responseTime?: number;
              } & {
                [key: string]: unknown;
              };
            } | null;
            /** @example {} */
            error?: {
              [key: string]: {
                /** @enum {string} */
                status: 'up' | 'degraded' | 'down';
                /** @description Time the health indicator took to respond, in ms */
                responseTime?: number;
              } & {
                [key: string]: unknown;
              };
            } | null;
            /**
             * @example {
             *       "database": {
             *         "status": "up",
             *         "responseTime": 12
             *       }
             *     }
             */
            details?: {
              [key: string]: {
                /** @enum {string} */
                status: 'up' | 'degraded' | 'down';
                /** @description Time the health indicator took to respond, in ms */
                responseTime?: number;
              } & {
                [key: string]: unknown;
              };
            };
          };
        };
      };
      /** @description The request is not valid: BAD_REQUEST */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'] & {
            /** @constant */
            status?: 400;
            /** @enum {unknown} */
            code?: 'BAD_REQUEST';
          };
        };
      };
      /** @description No such key in this account (another account is the same answer), or no such route: ROUTE_NOT_FOUND */
      404: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'] & {
            /** @constant */
            status?: 404;
            /** @enum {unknown} */
            code?: 'ROUTE_NOT_FOUND';
          };
        };
      };
      /** @description The request did not arrive in time: REQUEST_TIMEOUT */
      408: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'] & {
            /** @constant */
            status?: 408;
            /** @enum {unknown} */
            code?: 'REQUEST_TIMEOUT';
          };
        };
      };
      /** @description A path segment is too long: URI_TOO_LONG */
      414: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'] & {
            /** @constant */
            status?: 414;
            /** @enum {unknown} */
            code?: 'URI_TOO_LONG';
          };
        };
      };
      /** @description An Expect other than 100-continue: EXPECTATION_FAILED */
      417: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'] & {
            /** @constant */
            status?: 417;
            /** @enum {unknown} */
            code?: 'EXPECTATION_FAILED';
          };
        };
      };
      /** @description Request line and headers too large: HEADERS_TOO_LARGE */
      431: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'] & {
            /** @constant */
            status?: 431;
            /** @enum {unknown} */
            code?: 'HEADERS_TOO_LARGE';
          };
        };
      };
      /** @description The service failed (logged): INTERNAL */
      500: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'] & {
            /** @constant */
            status?: 500;
            /** @enum {unknown} */
            code?: 'INTERNAL';
          };
        };
      };
      /** @description Not ready, or the event store or validity index is unavailable; retry after Retry-After: NOT_READY */
      503: {
        headers: {
          /** @description seconds to wait before retrying */
          'Retry-After'?: number;
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'] & {
            /** @constant */
            status?: 503;
            /** @enum {unknown} */
            code?: 'NOT_READY';
          };
        };
      };
    };
  };
  healthLive: {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description OK */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['LiveAnswer'];
        };
      };
      /** @description The request is not valid: BAD_REQUEST */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'] & {
            /** @constant */
            status?: 400;
            /** @enum {unknown} */
            code?: 'BAD_REQUEST';
          };
        };
      };
      /** @description No such key in this account (another account is the same answer), or no such route: ROUTE_NOT_FOUND */
      404: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'] & {
            /** @constant */
            status?: 404;
            /** @enum {unknown} */
            code?: 'ROUTE_NOT_FOUND';
          };
        };
      };
      /** @description The request did not arrive in time: REQUEST_TIMEOUT */
      408: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'] & {
            /** @constant */
            status?: 408;
            /** @enum {unknown} */
            code?: 'REQUEST_TIMEOUT';
          };
        };
      };
      /** @description A path segment is too long: URI_TOO_LONG */
      414: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'] & {
            /** @constant */
            status?: 414;
            /** @enum {unknown} */
            code?: 'URI_TOO_LONG';
          };
        };
      };
      /** @description An Expect other than 100-continue: EXPECTATION_FAILED */
      417: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'] & {
            /** @constant */
            status?: 417;
            /** @enum {unknown} */
            code?: 'EXPECTATION_FAILED';
          };
        };
      };
      /** @description Request line and headers too large: HEADERS_TOO_LARGE */
      431: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'] & {
            /** @constant */
            status?: 431;
            /** @enum {unknown} */
            code?: 'HEADERS_TOO_LARGE';
          };
        };
      };
      /** @description The service failed (logged): INTERNAL */
      500: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'] & {
            /** @constant */
            status?: 500;
            /** @enum {unknown} */
            code?: 'INTERNAL';
          };
        };
      };
      /** @description Not ready, or the event store or validity index is unavailable; retry after Retry-After: NOT_READY */
      503: {
        headers: {
          /** @description seconds to wait before retrying */
          'Retry-After'?: number;
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['Problem'] & {
            /** @constant */
            status?: 503;
            /** @enum {unknown} */
            code?: 'NOT_READY';
          };
        };
      };
    };
  };
}
