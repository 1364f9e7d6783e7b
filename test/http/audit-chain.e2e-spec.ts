/**
 * The hash chain end to end (README, "Audit trail"): after real commands of every kind of stream (a key's
 * stream, the account's stream of signing-key slots and the leak policy), POST /v1/audit/verify answers
 * intact; a copy of the store edited by hand makes `npm run audit:verify` (the built script) exit 1
 * naming the stream, and an NDJSON export of the store is checked offline by scripts/audit-check-export.js.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { ChainedEventStore, EventStoreDBEventStore, SqliteEventStore } from '@cs/event-store';
import { assertProblem, Client, request, startTestApp, uniqueAccount, type TestApp, runScript, type ScriptRun } from '../support';

type Run = ScriptRun;
const run = (script: string, args: string[], env: Record<string, string> = {}): Promise<Run> => runScript(script, args, env, 60_000);

describe('tamper-evident history', () => {
  let app: TestApp;
  let acct: string;
  let keyId: string;
  beforeAll(async () => {
    app = await startTestApp();
    acct = uniqueAccount();
    const owner = await Client.actor(app.url, { acct, roles: ['owner'] });
    const generated = await owner.generate(acct, { kind: 'api', name: 'checkout' });
    expect(generated.status).toBe(201);
    keyId = generated.body.key.id as string;
    expect((await owner.update(acct, keyId, { name: 'checkout-eu' })).status).toBe(200);
    expect((await owner.regenerate(acct, keyId, { oldKeyExpiresIn: 'PT1H' })).status).toBe(201);
    expect((await owner.revoke(acct, keyId)).status).toBe(200);
    // A signing key reserves a slot on the account's stream; the leak policy is written there too.
    expect((await owner.generate(acct, { kind: 'signing' })).status).toBe(201);
    expect((await owner.call('PUT', `/v1/accounts/${acct}/leak-policy`, { json: { policy: 'alert' } })).status).toBe(200);
  });
  afterAll(async () => {
    await app?.close();
  });

  it('POST /v1/audit/verify answers intact after real commands, every event chained', async () => {
    const answer = await Client.service(app.url).call('POST', '/v1/audit/verify');
    expect(answer.status).toBe(200);
    expect(answer.body).toMatchObject({ intact: true, breaks: 0, firstBreak: null, legacyEvents: 0, legacyStreams: 0 });
    expect(answer.body.events).toBeGreaterThanOrEqual(7);
    expect(answer.body.chainedEvents).toBe(answer.body.events);
  });

  it('needs the service credential: an actor token, or none, is a 401 problem', async () => {
    const none = await request(app.url, 'POST', '/v1/audit/verify');
    expect(none.status).toBe(401);
    assertProblem(none);
    expect(none.body.code).toBe('UNAUTHENTICATED');
    const owner = await Client.actor(app.url, { acct, roles: ['owner'] });
    expect((await owner.call('POST', '/v1/audit/verify')).status).toBe(401);
  });

  describe('on a copy of the embedded store', () => {
    let dir: string;
    let copy: string;
    beforeAll(() => {
      dir = mkdtempSync(join(tmpdir(), 'cs-audit-'));
      copy = join(dir, 'events.sqlite');
    });
    afterAll(() => rmSync(dir, { recursive: true, force: true }));

    /**
     * A copy of the service's store as a SQLite file. Embedded: SQLite's online backup (WAL included), the
     * chain as the service wrote it. Production (EventStoreDB): every event read back and appended to the
     * file through the chain, stream by stream, as a migration to the embedded store would.
     */
    const snapshot = async (): Promise<void> => {
      rmSync(copy, { force: true });
      if (app.stack === 'embedded') {
        const db = new Database(join(app.dataDir, 'events.sqlite'), { readonly: true });
        try {
          await db.backup(copy);
        } finally {
          db.close();
        }
        return;
      }
      const source = EventStoreDBEventStore.connect(app.env.EVENTSTORE_URL);
      const target = new ChainedEventStore(SqliteEventStore.open(copy));
      const heads = new Map<string, number>();
      try {
        for await (const e of source.readAll()) {
          const { chain: _chain, ...metadata } = e.metadata;
          const written = await target.appendToStream(e.streamId, [{ id: e.id, type: e.type, data: e.data, metadata: metadata }], {
            expectedRevision: heads.get(e.streamId) ?? 'no_stream',
          });
          heads.set(e.streamId, written.nextExpectedRevision);
        }
      } finally {
        await source.close();
        await target.close();
      }
    };

    it("npm run audit:verify on the service's own store: exit 0", async () => {
      const env: Record<string, string> = app.stack === 'embedded' ? { DATA_DIR: app.dataDir } : { EVENTSTORE_URL: app.env.EVENTSTORE_URL };
      const result = await run('dist/scripts/audit-verify.js', ['--json'], env);
      expect(result.code).toBe(0);
      expect(JSON.parse(result.stdout)).toMatchObject({ intact: true, legacyEvents: 0, breaks: 0 });
    });

    it('npm run audit:verify: exit 0 on the untouched copy, exit 1 naming the stream and position on an edited one', async () => {
      await snapshot();
      const intact = await run('dist/scripts/audit-verify.js', [], { DATA_DIR: dir });
      expect(intact.code).toBe(0);
      expect(intact.stdout).toMatch(/intact: every chained event links/);

      const db = new Database(copy);
      const row = db.prepare(`SELECT position FROM events WHERE stream_id = ? AND revision = 1`).get(`key-${keyId}`) as {
        position: number;
      };
      const next = db.prepare(`SELECT position FROM events WHERE stream_id = ? AND revision = 2`).get(`key-${keyId}`) as {
        position: number;
      };
      db.prepare(`UPDATE events SET data = replace(data, 'checkout-eu', 'checkout-us') WHERE position = ?`).run(row.position);
      db.close();

      const broken = await run('dist/scripts/audit-verify.js', ['--progress-every', '2'], { DATA_DIR: dir });
      expect(broken.code).toBe(1);
      expect(broken.stdout).toContain(
        `BROKEN: 1 break(s); the first: stream key-${keyId}, revision 2, position ${next.position}: hash-mismatch`,
      );
      expect(broken.stdout).toContain(`revision 1, position ${row.position}`);
      expect(broken.stderr).toMatch(/events checked, at position/);
      expect(broken.stdout + broken.stderr).not.toContain('checkout-us');

      const json = await run('dist/scripts/audit-verify.js', ['--json'], { DATA_DIR: dir });
      expect(json.code).toBe(1);
      expect(JSON.parse(json.stdout)).toMatchObject({
        intact: false,
        firstBreak: { kind: 'hash-mismatch', streamId: `key-${keyId}`, revision: 2 },
      });

      // No store: not an intact one (exit 3, distinct from a break and from a usage error).
      const missing = await run('dist/scripts/audit-verify.js', [], { DATA_DIR: join(dir, 'nothing-here') });
      expect(missing.code).toBe(3);
      expect(missing.stderr).toContain('no event store in DATA_DIR');
    });

    it('an NDJSON export of the store checks offline (exit 0), and a tampered line is named (exit 1)', async () => {
      await snapshot();
      const store = SqliteEventStore.open(copy);
      const lines: string[] = [];
      for await (const e of store.readAll()) {
        lines.push(
          JSON.stringify({
            position: String(e.position),
            streamId: e.streamId,
            revision: e.revision,
            id: e.id,
            type: e.type,
            data: e.data,
            metadata: e.metadata,
            recordedAt: e.recordedAt.toISOString(),
          }),
        );
      }
      await store.close();
      const file = join(dir, 'export.ndjson');
      // Newest first, as an export may be: the checker orders each stream by revision itself.
      writeFileSync(file, `${[...lines].reverse().join('\n')}\n`);
      const ok = await run('scripts/audit-check-export.js', [file]);
      expect(ok.code).toBe(0);
      expect(ok.stdout).toContain(`${lines.length} events`);

      const keyLines = lines.filter((l) => l.includes(`"streamId":"key-${keyId}"`));
      const tampered = lines.map((l) => (l === keyLines[1] ? l.replace('checkout-eu', 'checkout-EU') : l));
      writeFileSync(file, `${tampered.join('\n')}\n`);
      const bad = await run('scripts/audit-check-export.js', ['--json', file]);
      expect(bad.code).toBe(1);
      expect(JSON.parse(bad.stdout).firstBreak).toMatchObject({ kind: 'hash-mismatch', streamId: `key-${keyId}`, revision: 2 });

      // A filtered export (one event of the key left out): a gap, unless the export says it was filtered.
      writeFileSync(file, `${lines.filter((l) => l !== keyLines[1]).join('\n')}\n`);
      expect((await run('scripts/audit-check-export.js', [file])).code).toBe(1);
      const filtered = await run('scripts/audit-check-export.js', ['--allow-gaps', '--json', file]);
      expect(filtered.code).toBe(0);
      expect(JSON.parse(filtered.stdout)).toMatchObject({ intact: true, uncheckedLinks: 1 });
    });
  });

  it("the account history's NDJSON export checks offline (no secret's hash or sealed copy in it), and an edited line is named", async () => {
    const auditor = await Client.actor(app.url, { acct, roles: ['auditor'] });
    const exported = await auditor.call('GET', `/v1/accounts/${acct}/history?format=ndjson`);
    expect(exported.status).toBe(200);
    const lines = exported.text.trim().split('\n');
    // The key's four events and the signing key's one: the account's key streams.
    expect(lines).toHaveLength(5);
    const generated = JSON.parse(lines[0]) as { type: string; data: { secret: Record<string, unknown> }; secretDigest: string };
    expect(generated.type).toBe('KeyGenerated');
    expect(Object.keys(generated.data.secret)).not.toContain('hash');
    expect(Object.keys(generated.data.secret)).not.toContain('sealed');
    expect(generated.secretDigest).toMatch(/^[0-9a-f]{64}$/);

    const dir = mkdtempSync(join(tmpdir(), 'cs-history-export-'));
    try {
      const file = join(dir, 'history.ndjson');
      writeFileSync(file, exported.text);
      const ok = await run('scripts/audit-check-export.js', ['--json', file]);
      expect(ok.code).toBe(0);
      expect(JSON.parse(ok.stdout)).toMatchObject({ intact: true, events: 5 });

      // The digest stands for the secret material: another one breaks the link of the next event.
      const forged = lines.map((line, n) => (n === 0 ? line.replace(generated.secretDigest, '0'.repeat(64)) : line));
      writeFileSync(file, `${forged.join('\n')}\n`);
      const bad = await run('scripts/audit-check-export.js', ['--json', file]);
      expect(bad.code).toBe(1);
      expect(JSON.parse(bad.stdout).firstBreak).toMatchObject({ kind: 'hash-mismatch', streamId: `key-${keyId}`, revision: 1 });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('the CLI reads its options before anything else: --help, and an unknown option (exit 2, not repeated)', async () => {
    const help = await run('scripts/audit-verify.js', ['--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/^usage: npm run audit:verify/);
    const bogus = await run('scripts/audit-verify.js', ['ak_live_notAnOptionButASecret0123']);
    expect(bogus.code).toBe(2);
    expect(bogus.stderr).toContain('unknown option at position 1');
    expect(bogus.stderr).not.toContain('notAnOptionButASecret');
    expect((await run('scripts/audit-check-export.js', ['--bogus'])).code).toBe(2);
  });
});
