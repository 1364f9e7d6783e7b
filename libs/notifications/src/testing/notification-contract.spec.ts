/**
 * docs/asyncapi.yaml against the code: it parses without errors, and every notification the real
 * domain and the real encoder produce — each type, with each variant of its data — conforms to it;
 * the document describes exactly the types, headers and data fields the encoder emits (a type or a
 * field added on one side only fails here).
 */
import { DiagnosticSeverity } from '@asyncapi/parser';
import { decide, encodeKeyEvent, evolve, initialState, keyStreamId, type KeyCommand, type KeyEvent, type KeyState } from '@cs/domain';
import { withCommandEventId, type EventMetadata, type RecordedEvent } from '@cs/event-store';
import { aSecret, at, generateKey } from '../../../domain/src/testing/decider-specification';
import { CE_TYPES, toKafkaMessage, type KafkaLikeMessage } from '../cloudevents';
import { parseCredentialNotification } from '../consumer';
import { CREDENTIAL_NOTIFICATION_TYPES } from '../notification-data';
import { loadNotificationContract, type NotificationContract } from './notification-contract';

const owner: EventMetadata['actor'] = { type: 'user', sub: 'user-7', acct: 'acct_7f3a9c21', roles: ['owner'] };
const admin: EventMetadata['actor'] = { type: 'user', sub: 'user-9', acct: 'acct_7f3a9c21', roles: ['admin'] };
const scheduler: EventMetadata['actor'] = { type: 'system', name: 'expiry-scheduler' };
const warner: EventMetadata['actor'] = { type: 'system', name: 'expiry-warner' };

interface Step {
  command: KeyCommand;
  now: Date;
  actor?: EventMetadata['actor'];
}

let position = 4700n;

/** Decides each command on the key's folded state and records its events as the executor does. */
function history(keyId: string, steps: Step[]): RecordedEvent[] {
  let state: KeyState = initialState();
  const recorded: RecordedEvent[] = [];
  for (const { command, now, actor = owner } of steps) {
    const decision = decide(command, state, now);
    if (!decision.ok) throw new Error(`${command.type} refused: ${decision.rejection.code}`);
    decision.events.forEach((event: KeyEvent, index) => {
      const encoded = encodeKeyEvent(event);
      const metadata: EventMetadata = {
        actor,
        correlationId: `corr-${recorded.length}`,
        causationId: null,
        occurredAt: now.toISOString(),
        schemaVersion: encoded.schemaVersion,
      };
      const revision = recorded.length;
      const withId = withCommandEventId(keyStreamId(keyId), revision - 1, index, { type: encoded.type, data: encoded.data, metadata });
      recorded.push({ ...withId, streamId: keyStreamId(keyId), revision, position: ++position, recordedAt: now });
      state = evolve(state, event);
    });
  }
  return recorded;
}

const scanning: EventMetadata['actor'] = { type: 'system', name: 'secret-scanning' };
const leak = {
  reportId: 'lr_0123456789abcdef0123456789abcdef',
  receivedAt: '2026-03-01T13:00:00.000Z',
  tokenType: 'credential_service_api_key',
  url: 'https://github.com/octo-org/shop/blob/1a2b3c4d/config.env',
  source: 'content',
};
const apiKey = 'key_01HZX3Q7N8M2K5VJ4T6R9P0A';
const signingKey = 'key_7Hq2Lm9Xc4Vb8Nz1Kd5Rt3Wy';
const scopedKey = 'key_3Pq8Rs2Tu6Vw0Xy4Za1Bc5De';
const publishableKey = 'key_9Lk3Jh7Gf1Ds5Ap2Qw8Er4Ty';
const ed25519Key = 'key_5Fg8Hj2Kl6Mn0Pq4Rs7Tu1Vw';
/** An Ed25519 key's secret material as the issuer makes it: sealed private key, public key in the clear. */
const ed25519Secret = (seed: number) => ({ ...aSecret(seed, 'signing').secret, publicKey: Buffer.alloc(32, seed).toString('base64') });

/** Every event type, and each variant of its data (null and non-null, each reason, each field, each actor). */
const recorded: RecordedEvent[] = [
  ...history(apiKey, [
    { command: generateKey({ keyId: apiKey, allowedIps: ['10.0.0.0/8'] }), now: at(0) },
    { command: { type: 'UpdateKey', changes: { name: 'checkout (eu)', allowedIps: ['192.0.2.1'] } }, now: at(1) },
    { command: { type: 'UpdateKey', changes: { webhookFormat: 'multiple' } }, now: at(2) },
    { command: { type: 'UpdateKey', changes: { permissions: ['payments:read'], metadata: { tier: 2 }, externalId: 'm-7' } }, now: at(2) },
    { command: { type: 'RevealKey', slot: 'current' }, now: at(3), actor: admin },
    { command: { type: 'SetExpiry', slot: 'current', expiresAt: at(60 * 24) }, now: at(4) },
    { command: { type: 'WarnExpiry', secretVersion: 1, leadSeconds: 86400 }, now: at(4), actor: warner },
    { command: { type: 'SetExpiry', slot: 'current', expiresAt: null }, now: at(5) },
    { command: { type: 'RegenerateKey', oldSecretExpiresAt: at(60), secret: aSecret(2).secret }, now: at(10) },
    { command: { type: 'SetExpiry', slot: 'previous', expiresAt: at(30) }, now: at(11) },
    { command: { type: 'RevealKey', slot: 'previous' }, now: at(12), actor: admin },
    { command: { type: 'ExpireSecret', secretVersion: 1 }, now: at(31), actor: scheduler },
    { command: { type: 'RegenerateKey', oldSecretExpiresAt: at(120), secret: aSecret(3).secret }, now: at(40) },
    // A regenerate during a grace ends the older grace at once: KeyExpired, reason superseded.
    { command: { type: 'RegenerateKey', oldSecretExpiresAt: at(120), secret: aSecret(4).secret }, now: at(41) },
    { command: { type: 'RevokeKey', reason: 'leaked in a CI log' }, now: at(50) },
  ]),
  ...history(scopedKey, [
    {
      command: generateKey({
        keyId: scopedKey,
        permissions: ['payments:*', 'refunds:read'],
        metadata: { team: 'checkout', limits: { daily: 500 } },
        externalId: 'merchant-42',
        secret: aSecret(6).secret,
      }),
      now: at(0),
    },
    // Leak reports (secret scanning): alerted (no source), then revoked by the next report.
    { command: { type: 'ReportLeak', report: { ...leak, source: null }, secretVersion: 1, policy: 'alert' }, now: at(1), actor: scanning },
    { command: { type: 'ReportLeak', report: leak, secretVersion: 1, policy: 'revoke' }, now: at(2), actor: scanning },
  ]),
  ...history(publishableKey, [
    {
      command: generateKey({
        keyId: publishableKey,
        kind: 'publishable',
        allowedOrigins: ['https://shop.example'],
        secret: aSecret(7, 'publishable').secret,
      }),
      now: at(0),
    },
    { command: { type: 'UpdateKey', changes: { allowedOrigins: ['https://shop.example', 'https://eu.shop.example'] } }, now: at(1) },
    // Public by design: recorded, never revoked.
    { command: { type: 'ReportLeak', report: leak, secretVersion: 1, policy: 'revoke' }, now: at(2), actor: scanning },
  ]),
  ...history(signingKey, [
    {
      command: generateKey({ keyId: signingKey, kind: 'signing', webhookFormat: 'multiple', secret: aSecret(5, 'signing').secret }),
      now: at(0),
    },
    // Suspended with and without a reason, resumed, and revoked while suspended.
    { command: { type: 'SuspendKey', reason: 'unusual traffic' }, now: at(1) },
    { command: { type: 'ResumeKey' }, now: at(1) },
    { command: { type: 'SuspendKey', reason: null }, now: at(1) },
    { command: { type: 'RevokeKey', reason: null }, now: at(1) },
  ]),
  // A Standard Webhooks Ed25519 key: scheme, algorithm and the public key in KeyGenerated, the new public key in KeyRotated.
  ...history(ed25519Key, [
    {
      command: generateKey({
        keyId: ed25519Key,
        kind: 'signing',
        scheme: 'standard-webhooks',
        algorithm: 'ed25519',
        secret: ed25519Secret(8),
      }),
      now: at(0),
    },
    { command: { type: 'RegenerateKey', oldSecretExpiresAt: at(60), secret: ed25519Secret(9) }, now: at(1) },
  ]),
];

const messages: KafkaLikeMessage[] = recorded.map((event) => {
  const message = toKafkaMessage(event, { source: '/credential-service' });
  if (!message) throw new Error(`no notification for ${event.type}`);
  return message;
});
const dataOf = (m: KafkaLikeMessage) => JSON.parse(m.value.toString('utf8')) as Record<string, unknown>;
const typeOf = (m: KafkaLikeMessage) => m.headers.ce_type;

describe('docs/asyncapi.yaml, the notification topic contract', () => {
  let contract: NotificationContract;
  beforeAll(async () => {
    contract = await loadNotificationContract();
  }, 30_000);

  it('parses with @asyncapi/parser: no errors and no warnings', () => {
    const findings = contract.diagnostics.filter((d) => Number(d.severity) <= Number(DiagnosticSeverity.Warning));
    expect(findings.map((d) => `${d.code} at ${d.path.join('.')}: ${d.message}`)).toEqual([]);
    // The one finding left is information: AsyncAPI 3.1 exists. The document is written to 3.0 on purpose, the
    // version the AsyncAPI tools (generators, Studio, modelina) have read longest.
    expect(contract.diagnostics.filter((d) => Number(d.severity) > Number(DiagnosticSeverity.Warning)).map((d) => d.code)).toEqual([
      'asyncapi-latest-version',
    ]);
  });

  it('the scenario covers every event type, with the variants of their data', () => {
    const types = messages.map(typeOf);
    expect(new Set(types)).toEqual(new Set(Object.values(CE_TYPES)));
    const revoked = messages.filter((m) => typeOf(m) === 'credentials.key.revoked').map((m) => dataOf(m).reason);
    expect(revoked).toEqual(['leaked in a CI log', `leaked: reported by secret scanning (${leak.reportId})`, null]);
    const leaked = messages.filter((m) => typeOf(m) === 'credentials.key.leaked').map((m) => [dataOf(m).action, dataOf(m).source]);
    expect(leaked).toEqual([
      ['alerted', null],
      ['revoked', 'content'],
      ['none', 'content'],
    ]);
    const expirySet = messages.filter((m) => typeOf(m) === 'credentials.key.expiry-set').map((m) => dataOf(m).expiresAt);
    expect(expirySet).toContain(null);
    const expired = messages.filter((m) => typeOf(m) === 'credentials.key.expired').map((m) => dataOf(m).reason);
    expect(new Set(expired)).toEqual(new Set(['expired', 'superseded']));
    const suspended = messages.filter((m) => typeOf(m) === 'credentials.key.suspended').map((m) => dataOf(m).reason);
    expect(suspended).toEqual(['unusual traffic', null]);
  });

  it('every notification the encoder produces conforms: headers, key and data', () => {
    for (const message of messages) expect(contract.validate(message)).toEqual([]);
  });

  it('describes exactly the notification types the encoder can produce, one message each', () => {
    expect([...contract.messageTypes].sort()).toEqual([...Object.values(CE_TYPES)].sort());
    expect([...contract.messageTypes].sort()).toEqual([...CREDENTIAL_NOTIFICATION_TYPES].sort());
  });

  it('describes exactly the headers the encoder sets, all of them required', () => {
    for (const message of messages) expect(Object.keys(message.headers).sort()).toEqual([...contract.headerNames].sort());
    expect([...contract.requiredHeaderNames].sort()).toEqual([...contract.headerNames].sort());
  });

  it('describes exactly the data fields the encoder writes for each type', () => {
    for (const type of contract.messageTypes) {
      const written = new Set(messages.filter((m) => typeOf(m) === type).flatMap((m) => Object.keys(dataOf(m))));
      expect([type, [...written].sort()]).toEqual([type, [...contract.message(type)!.dataFields].sort()]);
    }
    // The nested object too: each field of `changes` is written by some update.
    const changed = new Set(
      messages.filter((m) => typeOf(m) === 'credentials.key.updated').flatMap((m) => Object.keys(dataOf(m).changes as object)),
    );
    expect([...changed].sort()).toEqual(['allowedIps', 'allowedOrigins', 'externalId', 'metadata', 'name', 'permissions', 'webhookFormat']);
  });

  it('its examples conform to their own message, and the consumer helper reads them', () => {
    for (const type of contract.messageTypes) {
      const { examples } = contract.message(type)!;
      expect(examples.length).toBeGreaterThan(0);
      for (const example of examples) {
        const headers = example.headers as Record<string, string>;
        expect(headers.ce_type).toBe(type);
        const message = { key: (example.payload as { accountId: string }).accountId, headers, value: JSON.stringify(example.payload) };
        expect([example.name, contract.validate(message)]).toEqual([example.name, []]);
        expect(parseCredentialNotification(message)).toMatchObject({ type, id: headers.ce_id, data: example.payload });
      }
    }
  });

  describe('catches what the encoder must not drift into', () => {
    const generated = messages.find((m) => typeOf(m) === 'credentials.key.generated')!;
    const withData = (change: (data: Record<string, unknown>) => void): KafkaLikeMessage => {
      const data = dataOf(generated);
      change(data);
      return { ...generated, value: Buffer.from(JSON.stringify(data)) };
    };
    const withHeaders = (headers: Record<string, string>): KafkaLikeMessage => ({
      ...generated,
      headers: { ...generated.headers, ...headers },
    });

    it('a data field the document does not describe', () => {
      expect(contract.validate(withData((d) => (d.hash = 'abc')))).toEqual(['data: must NOT have additional properties (hash)']);
    });
    it('a missing or mistyped field', () => {
      expect(contract.validate(withData((d) => delete d.start))).toEqual(["data: must have required property 'start'"]);
      expect(contract.validate(withData((d) => (d.secretVersion = '1')))).toEqual(['data.secretVersion: must be integer']);
      expect(contract.validate(withData((d) => (d.kind = 'master')))).toEqual(['data.kind: must be equal to one of the allowed values']);
    });
    it('a type the document does not describe', () => {
      expect(contract.validate(withHeaders({ ce_type: 'credentials.key.archived' }))).toEqual([
        'headers.ce_type: must be equal to one of the allowed values',
      ]);
    });
    it('a missing header, or one that disagrees with the data', () => {
      const { ce_sequence: _dropped, ...rest } = generated.headers;
      expect(contract.validate({ ...generated, headers: rest })).toEqual([
        "headers: must have required property 'ce_sequence'",
        'header ce_sequence: is not ce_position zero-padded to 20 digits',
      ]);
      expect(contract.validate(withHeaders({ ce_subject: 'key_000000000000000000000000' }))).toEqual([
        'header ce_subject: is not data.keyId',
      ]);
      expect(contract.validate({ ...generated, key: 'acct_other' })).toEqual(['key: is not data.accountId']);
    });
  });
});
