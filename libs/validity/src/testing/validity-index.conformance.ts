import { createHash, randomUUID } from 'node:crypto';
import type { KeyEvent, KeyScopes, SecretSlot } from '@cs/domain';
import { projectKeyEvent } from '../key-projection';
import type { KeyRecord } from '../key-record';
import type { ValidityIndex } from '../validity-index.port';
import { verdict } from '../verdict';

/**
 * The behaviour every ValidityIndex adapter must show, written against the port only. Records come
 * from real domain events through projectKeyEvent, so they look like production ones. Ids and hashes
 * are unique per test, so the suite also runs against a shared server.
 */
export interface ValidityIndexConformanceFactory {
  /** A fresh index; closed after each test. */
  create(): Promise<ValidityIndex>;
  /** Called after each test, once its indexes are closed. */
  cleanup?(): Promise<void>;
}

const MINUTE = 60_000;
const run = randomUUID().slice(0, 8);
let seq = 0;
const uid = (prefix: string) => `${prefix}_${run}_${++seq}`;
const uniqueHash = () => createHash('sha256').update(uid('secret')).digest('hex');
const iso = (ms: number) => new Date(ms).toISOString();
const sealed = { kid: 'test', alg: 'A256GCM' as const, iv: 'iv', ciphertext: 'ct', tag: 'tag' };

/** One key's event story, projected event by event; `record` is the read model after the last one. */
export class KeyStory {
  readonly keyId: string;
  readonly accountId: string;
  record: KeyRecord;
  private revision = -1;
  private secretVersion = 0;

  constructor(options: { accountId?: string; allowedIps?: string[]; at?: number; scopes?: KeyScopes } = {}) {
    this.keyId = uid('key');
    this.accountId = options.accountId ?? uid('acct');
    this.apply(
      {
        type: 'KeyGenerated',
        data: {
          ...this.base,
          name: 'test key',
          allowedIps: options.allowedIps ?? [],
          webhookFormat: 'single',
          secret: this.secret(),
          ...options.scopes,
        },
      },
      options.at,
    );
  }

  private get base() {
    return { keyId: this.keyId, accountId: this.accountId, kind: 'api' as const };
  }

  private secret() {
    return { version: ++this.secretVersion, hash: uniqueHash(), start: 'ak_test_abc123', sealed };
  }

  apply(event: KeyEvent, at = Date.now()): KeyRecord {
    const next = projectKeyEvent(this.revision < 0 ? null : this.record, {
      event,
      revision: ++this.revision,
      occurredAt: iso(at),
      actorId: 'tester',
    });
    if (!next) throw new Error(`${event.type} projected to nothing`);
    return (this.record = next);
  }

  rotate(previousExpiresAt: number): KeyRecord {
    const previousVersion = this.record.current.version;
    return this.apply({
      type: 'KeyRotated',
      data: { ...this.base, secret: this.secret(), previousVersion, previousExpiresAt: iso(previousExpiresAt) },
    });
  }

  setExpiry(slot: SecretSlot, expiresAt: number | null): KeyRecord {
    const secretVersion = (slot === 'current' ? this.record.current : this.record.previous!).version;
    return this.apply({
      type: 'KeyExpirySet',
      data: { ...this.base, slot, secretVersion, expiresAt: expiresAt === null ? null : iso(expiresAt) },
    });
  }

  expire(slot: SecretSlot): KeyRecord {
    const secretVersion = (slot === 'current' ? this.record.current : this.record.previous!).version;
    return this.apply({ type: 'KeyExpired', data: { ...this.base, slot, secretVersion, reason: 'expired', expiredAt: iso(Date.now()) } });
  }

  update(changes: { name?: string; allowedIps?: string[] } & KeyScopes): KeyRecord {
    return this.apply({ type: 'KeyUpdated', data: { ...this.base, changes } });
  }

  revoke(): KeyRecord {
    return this.apply({ type: 'KeyRevoked', data: { ...this.base, reason: 'test' } });
  }

  suspend(): KeyRecord {
    return this.apply({ type: 'KeySuspended', data: { ...this.base, reason: 'test' } });
  }

  resume(): KeyRecord {
    return this.apply({ type: 'KeyResumed', data: { ...this.base } });
  }
}

const byKeyId = (a: KeyRecord, b: KeyRecord) => a.keyId.localeCompare(b.keyId);

export function describeValidityIndexConformance(name: string, factory: ValidityIndexConformanceFactory): void {
  describe(`ValidityIndex conformance: ${name}`, () => {
    let index: ValidityIndex;
    const opened: ValidityIndex[] = [];
    const open = async () => {
      const created = await factory.create();
      opened.push(created);
      return created;
    };

    beforeEach(async () => {
      index = await open();
    });

    afterEach(async () => {
      for (const created of opened.splice(0)) await created.close();
      await factory.cleanup?.();
    });

    describe('lookup and key views', () => {
      it('finds a written secret by its hash, with what verify needs', async () => {
        const key = new KeyStory({ allowedIps: ['10.0.0.0/8'] });
        expect(await index.write(key.record)).toBe('written');
        expect(await index.lookup(key.record.current.hash)).toEqual({
          keyId: key.keyId,
          accountId: key.accountId,
          kind: 'api',
          status: 'active',
          expiresAt: null,
          allowedIps: ['10.0.0.0/8'],
          secretVersion: 1,
          version: 0,
          permissions: [],
          metadata: {},
          externalId: null,
          webhookFormat: 'single',
        });
      });

      it("carries the key's permissions, metadata, external id and webhook format, and follows their update", async () => {
        const key = new KeyStory({
          scopes: {
            permissions: ['payments:*', 'refunds:read'],
            metadata: { team: 'checkout', tags: ['eu', { tier: 2 }], empty: [] },
            externalId: 'merchant-42',
          },
        });
        await index.write(key.record);
        expect(await index.lookup(key.record.current.hash)).toMatchObject({
          permissions: ['payments:*', 'refunds:read'],
          metadata: { team: 'checkout', tags: ['eu', { tier: 2 }], empty: [] },
          externalId: 'merchant-42',
          webhookFormat: 'single',
        });
        await index.write(key.update({ permissions: [], metadata: { tier: 3 }, externalId: '' }));
        expect(await index.lookup(key.record.current.hash)).toMatchObject({
          permissions: [],
          metadata: { tier: 3 },
          externalId: null,
          version: 1,
        });
        expect(await index.getKey(key.keyId)).toEqual(key.record);
      });

      it('carries a secret expiry as epoch milliseconds', async () => {
        const key = new KeyStory();
        const expiresAt = Date.now() + 10 * MINUTE;
        await index.write(key.setExpiry('current', expiresAt));
        expect(await index.lookup(key.record.current.hash)).toMatchObject({ status: 'active', expiresAt, version: 1 });
      });

      it('answers null for a hash it never saw', async () => {
        expect(await index.lookup(uniqueHash())).toBeNull();
      });

      it('returns the record by key id, and null for an unknown one', async () => {
        const key = new KeyStory();
        key.update({ name: 'renamed', allowedIps: ['192.168.1.1'] });
        await index.write(key.record);
        expect(await index.getKey(key.keyId)).toEqual(key.record);
        expect(await index.getKey(uid('key'))).toBeNull();
      });

      it("lists exactly an account's keys", async () => {
        const accountId = uid('acct');
        const mine = [new KeyStory({ accountId }), new KeyStory({ accountId })];
        const other = new KeyStory();
        for (const key of [...mine, other]) await index.write(key.record);
        expect((await index.listKeys(accountId)).sort(byKeyId)).toEqual(mine.map((k) => k.record).sort(byKeyId));
        expect(await index.listKeys(other.accountId)).toEqual([other.record]);
        expect(await index.listKeys(uid('acct'))).toEqual([]);
      });
    });

    describe('guards', () => {
      it('refuses an older or repeated version and keeps the newer one', async () => {
        const key = new KeyStory();
        key.update({ allowedIps: ['10.0.0.1'] });
        const v2 = key.update({ allowedIps: ['10.0.0.2'] });
        const v3 = key.update({ allowedIps: ['10.0.0.3'] });
        expect(await index.write(v3)).toBe('written');
        expect(await index.write(v2)).toBe('stale');
        expect(await index.write(v3)).toBe('stale');
        expect((await index.getKey(key.keyId))?.version).toBe(3);
        expect(await index.lookup(v3.current.hash)).toMatchObject({ version: 3, allowedIps: ['10.0.0.3'] });
      });

      it('treats revoked as terminal, even against a later version', async () => {
        const key = new KeyStory();
        const active = key.record;
        const revoked = key.revoke();
        expect(await index.write(revoked)).toBe('written');
        expect(await index.write({ ...active, version: revoked.version + 5 })).toBe('stale');
        expect((await index.getKey(key.keyId))?.status).toBe('revoked');
        expect(await index.lookup(active.current.hash)).toMatchObject({ status: 'revoked' });
      });

      it('never turns an expired hash entry active again', async () => {
        const key = new KeyStory();
        const firstHash = key.record.current.hash;
        key.rotate(Date.now() + MINUTE);
        const expired = key.expire('previous');
        await index.write(expired);
        expect(await index.lookup(firstHash)).toMatchObject({ status: 'expired' });
        // A newer record that (wrongly) shows that secret as active again: the record is written, the entry is not.
        const bogus: KeyRecord = {
          ...expired,
          version: expired.version + 1,
          previous: { ...expired.retired[0], status: 'active' },
          retired: [],
        };
        expect(await index.write(bogus)).toBe('written');
        expect(await index.lookup(firstHash)).toMatchObject({ status: 'expired' });
      });

      it('never turns a revoked hash entry active again', async () => {
        const revokedKey = new KeyStory();
        await index.write(revokedKey.revoke());
        // Another key claiming the same hash (a corrupt record) must not revive it.
        const other = new KeyStory();
        const claim: KeyRecord = { ...other.record, current: { ...other.record.current, hash: revokedKey.record.current.hash } };
        expect(await index.write(claim)).toBe('written');
        expect(await index.lookup(revokedKey.record.current.hash)).toMatchObject({ status: 'revoked', keyId: revokedKey.keyId });
      });
    });

    describe('rotation', () => {
      it('resolves both secrets during the grace period, and the retired one as expired after', async () => {
        const key = new KeyStory();
        const oldHash = key.record.current.hash;
        const graceEnd = Date.now() + 5 * MINUTE;
        const rotated = key.rotate(graceEnd);
        await index.write(rotated);
        expect(await index.lookup(rotated.current.hash)).toMatchObject({ status: 'active', secretVersion: 2, expiresAt: null });
        expect(await index.lookup(oldHash)).toMatchObject({ status: 'active', secretVersion: 1, expiresAt: graceEnd });

        await index.write(key.expire('previous'));
        expect(await index.lookup(oldHash)).toMatchObject({ status: 'expired', secretVersion: 1, keyId: key.keyId });
        expect(await index.lookup(rotated.current.hash)).toMatchObject({ status: 'active' });
      });
    });

    describe('suspension (suspend, resume)', () => {
      const codeOf = async (hash: string) => verdict(await index.lookup(hash), undefined, Date.now()).code;

      it('a suspended key verifies SUSPENDED, and VALID again once resumed (both secrets of a grace)', async () => {
        const key = new KeyStory();
        const oldHash = key.record.current.hash;
        const rotated = key.rotate(Date.now() + 10 * MINUTE);
        await index.write(rotated);
        expect(await index.write(key.suspend())).toBe('written');
        expect((await index.getKey(key.keyId))?.status).toBe('suspended');
        expect(await codeOf(rotated.current.hash)).toBe('SUSPENDED');
        expect(await codeOf(oldHash)).toBe('SUSPENDED');
        expect(await index.write(key.resume())).toBe('written');
        expect(await index.getKey(key.keyId)).toEqual(key.record);
        expect(await index.lookup(rotated.current.hash)).toMatchObject({ status: 'active', version: key.record.version });
        expect(await codeOf(rotated.current.hash)).toBe('VALID');
        expect(await codeOf(oldHash)).toBe('VALID');
      });

      it('applies suspend and resume in revision order, whatever order the writes arrive in', async () => {
        const key = new KeyStory();
        const suspended = key.suspend();
        const resumed = key.resume();
        expect(await index.write(resumed)).toBe('written');
        expect(await index.write(suspended)).toBe('stale'); // the older suspend arrives late
        expect(await codeOf(key.record.current.hash)).toBe('VALID');
        const again = key.suspend();
        expect(await index.write(again)).toBe('written');
        expect(await index.write(resumed)).toBe('stale'); // a repeated older resume
        expect(await index.write(again)).toBe('stale');
        expect(await codeOf(key.record.current.hash)).toBe('SUSPENDED');
      });

      it('a suspended-then-revoked key never comes back, even with a later-arriving resume', async () => {
        const key = new KeyStory();
        await index.write(key.record);
        const suspended = key.suspend();
        const resumed = key.resume(); // recorded before the key was suspended again and revoked
        key.suspend();
        const revoked = key.revoke();
        await index.write(suspended);
        expect(await index.write(revoked)).toBe('written');
        expect(await index.write(resumed)).toBe('stale');
        // Even a resumed record claiming a later version: revoked is terminal.
        expect(await index.write({ ...resumed, version: revoked.version + 1 })).toBe('stale');
        expect(await index.getKey(key.keyId)).toEqual(revoked);
        expect(await codeOf(key.record.current.hash)).toBe('REVOKED');
      });

      it('an expired secret stays expired through suspend and resume', async () => {
        const key = new KeyStory();
        const firstHash = key.record.current.hash;
        key.rotate(Date.now() + MINUTE);
        await index.write(key.expire('previous'));
        await index.write(key.suspend());
        expect(await index.lookup(firstHash)).toMatchObject({ status: 'expired' });
        const resumed = key.resume();
        await index.write(resumed);
        expect(await index.lookup(firstHash)).toMatchObject({ status: 'expired' });
        expect(await codeOf(firstHash)).toBe('EXPIRED');
        expect(await codeOf(resumed.current.hash)).toBe('VALID');
        // Newer records that (wrongly) show that secret suspended, then active: the entry is not revived.
        for (const [offset, status] of [
          [1, 'suspended'],
          [2, 'active'],
        ] as const) {
          const bogus: KeyRecord = {
            ...resumed,
            version: resumed.version + offset,
            previous: { ...resumed.retired[0], status },
            retired: [],
          };
          expect(await index.write(bogus)).toBe('written');
          expect(await index.lookup(firstHash)).toMatchObject({ status: 'expired' });
        }
      });

      it('a suspended key whose current secret expires is expired, and a later resume record does not revive it', async () => {
        const key = new KeyStory();
        const dueAt = Date.now() - 1000;
        key.setExpiry('current', dueAt);
        const suspended = key.suspend();
        await index.write(suspended);
        // A suspended key's expiry is still scheduled.
        expect(await index.dueExpiries(Date.now(), 10)).toContainEqual({ keyId: key.keyId, secretVersion: 1, dueAt });
        const expired = key.expire('current');
        expect(expired.status).toBe('expired');
        await index.write(expired);
        expect(await codeOf(key.record.current.hash)).toBe('EXPIRED');
        const bogus: KeyRecord = {
          ...suspended,
          status: 'active',
          version: expired.version + 1,
          current: { ...suspended.current, status: 'active' },
        };
        expect(await index.write(bogus)).toBe('written');
        expect(await index.lookup(key.record.current.hash)).toMatchObject({ status: 'expired' });
      });

      it('replaceAll applies suspended and resumed records under the same guards, with live writes during the build', async () => {
        const resumedKey = new KeyStory();
        const s1 = resumedKey.suspend();
        const r2 = resumedKey.resume();
        const suspendedKey = new KeyStory();
        const active0 = suspendedKey.record;
        const s3 = suspendedKey.suspend();
        const revokedKey = new KeyStory();
        const rs1 = revokedKey.suspend();
        const rr2 = revokedKey.resume();
        const rs3 = revokedKey.suspend();
        const revoked = revokedKey.revoke();
        const liveSuspend = new KeyStory(); // the rebuild holds it active; it is suspended live during the build
        const la = liveSuspend.record;
        const ls = liveSuspend.suspend();
        const liveResume = new KeyStory(); // the rebuild holds it suspended; it is resumed live during the build
        const lrs = liveResume.suspend();
        const lrr = liveResume.resume();
        await index.write(la);
        await index.write(lrs);

        await index.replaceAll(
          [r2, s1, active0, s3, rr2, revoked, rs1, rs3, la, lrs, r2],
          { name: uid('cp'), position: 5n },
          {
            beforeSwap: async (writeToNew) => {
              expect(await index.write(ls)).toBe('written');
              expect(await index.write(lrr)).toBe('written');
              expect(await writeToNew(la)).toBe('stale');
              expect(await writeToNew(lrs)).toBe('stale');
              expect(await writeToNew(rr2)).toBe('stale');
            },
          },
        );

        expect(await index.getKey(resumedKey.keyId)).toEqual(r2);
        expect(await codeOf(r2.current.hash)).toBe('VALID');
        expect(await index.getKey(suspendedKey.keyId)).toEqual(s3);
        expect(await codeOf(s3.current.hash)).toBe('SUSPENDED');
        expect(await index.getKey(revokedKey.keyId)).toEqual(revoked);
        expect(await codeOf(revoked.current.hash)).toBe('REVOKED');
        expect(await index.getKey(liveSuspend.keyId)).toEqual(ls);
        expect(await codeOf(ls.current.hash)).toBe('SUSPENDED');
        expect(await index.getKey(liveResume.keyId)).toEqual(lrr);
        expect(await codeOf(lrr.current.hash)).toBe('VALID');
      });
    });

    describe('checkpoints', () => {
      it('saves them with a write and alone, and loads them back', async () => {
        const name = uid('cp');
        expect(await index.loadCheckpoint(name)).toBeUndefined();
        const key = new KeyStory();
        await index.write(key.record, { name, position: 42n });
        expect(await index.loadCheckpoint(name)).toBe(42n);
        await index.saveCheckpoint({ name, position: 2n ** 63n - 1n });
        expect(await index.loadCheckpoint(name)).toBe(2n ** 63n - 1n);
      });

      it('moves the checkpoint even when the write is stale (a replayed event was still consumed)', async () => {
        const name = uid('cp');
        const key = new KeyStory();
        await index.write(key.record, { name, position: 7n });
        expect(await index.write(key.record, { name, position: 8n })).toBe('stale');
        expect(await index.loadCheckpoint(name)).toBe(8n);
      });

      it('moves them forward only, unless told to rewind (saveCheckpoint and the swap of replaceAll)', async () => {
        const name = uid('cp');
        await index.saveCheckpoint({ name, position: 900n });
        await index.saveCheckpoint({ name, position: 50n });
        expect(await index.loadCheckpoint(name)).toBe(900n);
        await index.saveCheckpoint({ name, position: 50n, rewind: true });
        expect(await index.loadCheckpoint(name)).toBe(50n);
        await index.saveCheckpoint({ name, position: 900n });
        await index.replaceAll([new KeyStory().record], { name, position: 60n });
        expect(await index.loadCheckpoint(name)).toBe(900n);
        await index.replaceAll([new KeyStory().record], { name, position: 60n, rewind: true });
        expect(await index.loadCheckpoint(name)).toBe(60n);
      });
    });

    describe('dueExpiries', () => {
      it('returns due expiries earliest first, up to the limit, and not future ones', async () => {
        const now = Date.now();
        const [a, b, c, future] = [new KeyStory(), new KeyStory(), new KeyStory(), new KeyStory()];
        await index.write(a.setExpiry('current', now - 3000));
        await index.write(b.setExpiry('current', now - 1000));
        await index.write(c.setExpiry('current', now - 2000));
        await index.write(future.setExpiry('current', now + 10 * MINUTE));
        expect(await index.dueExpiries(now, 10)).toEqual([
          { keyId: a.keyId, secretVersion: 1, dueAt: now - 3000 },
          { keyId: c.keyId, secretVersion: 1, dueAt: now - 2000 },
          { keyId: b.keyId, secretVersion: 1, dueAt: now - 1000 },
        ]);
        expect((await index.dueExpiries(now, 2)).map((d) => d.keyId)).toEqual([a.keyId, c.keyId]);
        expect(await index.dueExpiries(now - 2500, 10)).toEqual([{ keyId: a.keyId, secretVersion: 1, dueAt: now - 3000 }]);
      });

      it('pages through coming expiries from a lower bound (inclusive), as the expiry warner does', async () => {
        const now = Date.now();
        const [a, b, c] = [new KeyStory(), new KeyStory(), new KeyStory()];
        await index.write(a.setExpiry('current', now + 1 * MINUTE));
        await index.write(b.setExpiry('current', now + 2 * MINUTE));
        await index.write(c.setExpiry('current', now + 3 * MINUTE));
        const horizon = now + 10 * MINUTE;
        expect((await index.dueExpiries(horizon, 10, now)).map((d) => d.keyId)).toEqual([a.keyId, b.keyId, c.keyId]);
        expect(await index.dueExpiries(horizon, 10, now + 2 * MINUTE)).toEqual([
          { keyId: b.keyId, secretVersion: 1, dueAt: now + 2 * MINUTE },
          { keyId: c.keyId, secretVersion: 1, dueAt: now + 3 * MINUTE },
        ]);
        expect(await index.dueExpiries(horizon, 1, now + 2 * MINUTE + 1)).toEqual([
          { keyId: c.keyId, secretVersion: 1, dueAt: now + 3 * MINUTE },
        ]);
        expect(await index.dueExpiries(now + 2 * MINUTE, 10, now + 2 * MINUTE + 1)).toEqual([]);
      });

      it('drops an expiry once the record no longer has it pending', async () => {
        const now = Date.now();
        const expired = new KeyStory();
        await index.write(expired.setExpiry('current', now - 1000));
        const cleared = new KeyStory();
        await index.write(cleared.setExpiry('current', now - 900));
        const rotated = new KeyStory();
        await index.write(rotated.rotate(now - 800));
        expect((await index.dueExpiries(now, 10)).map((d) => d.keyId)).toEqual([expired.keyId, cleared.keyId, rotated.keyId]);

        await index.write(expired.expire('current'));
        await index.write(cleared.setExpiry('current', null));
        await index.write(rotated.expire('previous'));
        expect(await index.dueExpiries(now, 10)).toEqual([]);
      });

      it('moves an expiry when it is changed, and forgets a revoked key', async () => {
        const now = Date.now();
        const moved = new KeyStory();
        await index.write(moved.setExpiry('current', now - 1000));
        await index.write(moved.setExpiry('current', now - 5000));
        const revoked = new KeyStory();
        await index.write(revoked.setExpiry('current', now - 2000));
        await index.write(revoked.revoke());
        expect(await index.dueExpiries(now, 10)).toEqual([{ keyId: moved.keyId, secretVersion: 1, dueAt: now - 5000 }]);
      });
    });

    describe('replaceAll', () => {
      it('swaps the whole index at once: concurrent lookups never see a missing or half index', async () => {
        const now = Date.now();
        const kept = Array.from({ length: 300 }, () => new KeyStory({ allowedIps: ['10.0.0.0/8'] }));
        const dropped = Array.from({ length: 20 }, () => new KeyStory());
        const droppedDue = new KeyStory();
        for (const key of [...kept, ...dropped]) await index.write(key.record);
        await index.write(droppedDue.setExpiry('current', now - 1000));
        const oldCheckpoint = uid('cp');
        await index.saveCheckpoint({ name: oldCheckpoint, position: 5n });

        for (const key of kept) key.update({ allowedIps: ['192.168.0.0/16'] });
        const added = Array.from({ length: 1200 }, () => new KeyStory());
        // The kept keys come last, so a reader of a half-built index would miss them.
        function* everything() {
          for (const key of [...added, ...kept]) yield key.record;
        }

        let done = false;
        let lookups = 0;
        const problems: string[] = [];
        const reader = async () => {
          do {
            const key = kept[Math.floor(Math.random() * kept.length)];
            const entry = await index.lookup(key.record.current.hash);
            lookups++;
            if (!entry || entry.keyId !== key.keyId) problems.push(`${key.keyId}: ${JSON.stringify(entry)}`);
            else if (!['10.0.0.0/8', '192.168.0.0/16'].includes(entry.allowedIps[0]))
              problems.push(`half-written ${JSON.stringify(entry)}`);
          } while (!done);
        };
        const readers = Array.from({ length: 4 }, reader);
        const name = uid('cp');
        await index.replaceAll(everything(), { name, position: 99n });
        done = true;
        await Promise.all(readers);

        expect(problems).toEqual([]);
        expect(lookups).toBeGreaterThan(0);
        expect(await index.loadCheckpoint(name)).toBe(99n);
        for (const key of kept.slice(0, 20)) {
          expect(await index.lookup(key.record.current.hash)).toMatchObject({ allowedIps: ['192.168.0.0/16'], version: 1 });
        }
        for (const key of added.slice(-20)) expect(await index.getKey(key.keyId)).toEqual(key.record);
        for (const key of [...dropped, droppedDue]) {
          expect(await index.lookup(key.record.current.hash)).toBeNull();
          expect(await index.getKey(key.keyId)).toBeNull();
          expect(await index.listKeys(key.accountId)).toEqual([]);
        }
        expect(await index.dueExpiries(now, 10)).toEqual([]);
      });

      it('keeps guarding writes against the replaced index', async () => {
        const key = new KeyStory();
        const v0 = key.record;
        const v1 = key.update({ name: 'v1' });
        await index.replaceAll([v1], { name: uid('cp'), position: 1n });
        expect(await index.write(v0)).toBe('stale');
        const v2 = key.update({ name: 'v2' });
        expect(await index.write(v2)).toBe('written');
        expect(await index.getKey(key.keyId)).toEqual(v2);
        expect(await index.listKeys(key.accountId)).toEqual([v2]);
      });

      it('keeps what is written while it builds: revoked stays revoked, keys outside the rebuild stay', async () => {
        const revokedKey = new KeyStory();
        const active = revokedKey.record;
        await index.write(active);
        const revoked = revokedKey.revoke();
        const ahead = new KeyStory(); // the rebuild holds a newer version than the live write
        await index.write(ahead.record);
        const aheadV1 = ahead.update({ name: 'v1' });
        const aheadV2 = ahead.update({ name: 'v2' });
        const inSetOnly = new KeyStory();
        const outside = new KeyStory();
        const lateRevoked = new KeyStory(); // revoked live during the build, then an older record arrives
        const lateActive = lateRevoked.record;
        const lateRevokedRecord = lateRevoked.revoke();
        const name = uid('cp');

        await index.replaceAll(
          [active, aheadV2, inSetOnly.record],
          { name, position: 10n },
          {
            beforeSwap: async (writeToNew) => {
              expect(await index.write(revoked)).toBe('written');
              expect(await index.write(outside.record)).toBe('written');
              expect(await index.write(aheadV1)).toBe('written'); // newer than the live v0, older than the rebuild's v2
              expect(await index.write(lateRevokedRecord)).toBe('written');
              // Guards in the new index: an older record never overwrites the live write, revoked stays terminal.
              expect(await writeToNew(lateActive)).toBe('stale');
              expect(await writeToNew({ ...lateActive, version: lateRevokedRecord.version + 1 })).toBe('stale');
              expect(await writeToNew(active)).toBe('stale');
              // Readers still see the old index.
              expect(await index.getKey(inSetOnly.keyId)).toBeNull();
              expect(await index.lookup(active.current.hash)).toMatchObject({ status: 'revoked' });
            },
          },
        );

        expect(await index.getKey(revokedKey.keyId)).toEqual(revoked);
        expect(await index.lookup(active.current.hash)).toMatchObject({ status: 'revoked', keyId: revokedKey.keyId });
        expect(await index.getKey(outside.keyId)).toEqual(outside.record);
        expect(await index.lookup(outside.record.current.hash)).toMatchObject({ status: 'active', keyId: outside.keyId });
        expect(await index.listKeys(outside.accountId)).toEqual([outside.record]);
        expect(await index.getKey(ahead.keyId)).toEqual(aheadV2);
        expect(await index.getKey(inSetOnly.keyId)).toEqual(inSetOnly.record);
        expect(await index.getKey(lateRevoked.keyId)).toEqual(lateRevokedRecord);
        expect(await index.lookup(lateActive.current.hash)).toMatchObject({ status: 'revoked' });
        expect(await index.loadCheckpoint(name)).toBe(10n);
      });

      it('keeps writes made while its records are still being written, against the older records that follow', async () => {
        const keys = Array.from({ length: 250 }, () => new KeyStory());
        for (const key of keys) await index.write(key.record);
        const before = keys.map((key) => key.record);
        const revokedMidway = keys.slice(0, 50); // written live midway, their older records yielded after
        const revoked = revokedMidway.map((key) => key.revoke());
        const pending: Promise<unknown>[] = [];
        function* records() {
          for (let i = 0; i < keys.length; i++) {
            if (i === 100) for (const record of revoked) pending.push(index.write(record));
            yield before[(i + 50) % keys.length]; // the first 50 (revoked) come last
          }
        }
        await index.replaceAll(
          records(),
          { name: uid('cp'), position: 1n },
          {
            beforeSwap: async () => {
              await Promise.all(pending);
            },
          },
        );
        expect(pending).toHaveLength(50);
        for (const [i, key] of revokedMidway.entries()) {
          expect(await index.lookup(before[i].current.hash)).toMatchObject({ status: 'revoked', keyId: key.keyId });
          expect(await index.getKey(key.keyId)).toEqual(revoked[i]);
        }
        for (const key of keys.slice(50)) expect(await index.getKey(key.keyId)).toEqual(key.record);
      });

      it('applies repeated keys in its input under the write guards, whatever their order', async () => {
        const key = new KeyStory();
        const v0 = key.record;
        const rotated = key.rotate(Date.now() + 60_000); // the first secret expiring: a pending expiry
        const renamed = key.update({ name: 'renamed' });
        const revoked = key.revoke();
        const other = new KeyStory();
        const o0 = other.record;
        const dueAt = Date.now() + 120_000;
        const o1 = other.rotate(dueAt);
        await index.replaceAll([o1, rotated, v0, o0, revoked, renamed, o1], { name: uid('cp'), position: 1n });

        expect(await index.getKey(key.keyId)).toEqual(revoked);
        expect(await index.lookup(v0.current.hash)).toMatchObject({ status: 'revoked' });
        expect(await index.lookup(rotated.current.hash)).toMatchObject({ status: 'revoked' });
        expect(await index.getKey(other.keyId)).toEqual(o1);
        expect(await index.lookup(o0.current.hash)).toMatchObject({ status: 'active', keyId: other.keyId });
        // The revoked key's expiry went with its revocation; the other key still waits for its old secret's.
        expect(await index.dueExpiries(dueAt + 1, 10)).toEqual([{ keyId: other.keyId, secretVersion: o0.current.version, dueAt }]);
      });

      it("writes beforeSwap's records into the new index only, and stores the checkpoint it returns", async () => {
        const key = new KeyStory();
        const v0 = key.record;
        const v1 = key.update({ name: 'v1' });
        const late = new KeyStory();
        const live = new KeyStory();
        await index.write(live.record);
        const name = uid('cp');
        await index.replaceAll(
          [v0],
          { name, position: 5n },
          {
            beforeSwap: async (writeToNew) => {
              expect(await writeToNew(v1)).toBe('written');
              expect(await writeToNew(late.record)).toBe('written');
              expect(await writeToNew(v0)).toBe('stale');
              expect(await index.getKey(key.keyId)).toBeNull();
              expect(await index.lookup(late.record.current.hash)).toBeNull();
              expect(await index.getKey(live.keyId)).toEqual(live.record);
              return { name, position: 7n };
            },
          },
        );
        expect(await index.loadCheckpoint(name)).toBe(7n);
        expect(await index.getKey(key.keyId)).toEqual(v1);
        expect(await index.lookup(late.record.current.hash)).toMatchObject({ status: 'active', keyId: late.keyId });
        expect(await index.getKey(live.keyId)).toBeNull();

        const other = uid('cp');
        await index.replaceAll([], { name: other, position: 9n }, { beforeSwap: async () => undefined });
        expect(await index.loadCheckpoint(other)).toBe(9n);
      });

      it('leaves the live index as it was when beforeSwap fails, and later writes go to the live index alone', async () => {
        const kept = new KeyStory();
        await index.write(kept.record);
        const name = uid('cp');
        await index.saveCheckpoint({ name, position: 3n });
        const never = new KeyStory();
        await expect(
          index.replaceAll(
            [never.record],
            { name, position: 4n },
            {
              beforeSwap: async () => {
                throw new Error('boom');
              },
            },
          ),
        ).rejects.toThrow('boom');
        expect(await index.getKey(kept.keyId)).toEqual(kept.record);
        expect(await index.getKey(never.keyId)).toBeNull();
        expect(await index.loadCheckpoint(name)).toBe(3n);
        const after = kept.update({ name: 'after' });
        expect(await index.write(after)).toBe('written');
        expect(await index.getKey(kept.keyId)).toEqual(after);
      });

      it('replaces with nothing', async () => {
        const key = new KeyStory();
        await index.write(key.record);
        await index.replaceAll([], { name: uid('cp'), position: 3n });
        expect(await index.lookup(key.record.current.hash)).toBeNull();
        expect(await index.getKey(key.keyId)).toBeNull();
      });
    });
  });
}
