/**
 * What the Developer Space console (apps/console) needs from the service: the live event stream
 * GET /v1/accounts/{a}/events (server-sent events filtered to the account, no secret in them, the
 * actor's access checked like history), and the console's pages under /console with their security headers.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { actorToken, Client, startTestApp, uniqueAccount, type TestApp } from '../support';

interface SseEvent {
  event: string;
  id: string | null;
  data: string;
}

/** Opens the stream and collects its events until closed; `raw` is everything received. */
async function openStream(url: string, token: string) {
  const abort = new AbortController();
  const response = await fetch(url, { headers: { authorization: `Bearer ${token}`, accept: 'text/event-stream' }, signal: abort.signal });
  const events: SseEvent[] = [];
  let raw = '';
  const waiters: Array<() => void> = [];
  const done = (async () => {
    if (!response.body) return;
    const decoder = new TextDecoder();
    let buffer = '';
    try {
      for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
        const text = decoder.decode(chunk, { stream: true });
        raw += text;
        buffer += text;
        let end: number;
        while ((end = buffer.indexOf('\n\n')) >= 0) {
          const block = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          const lines = block.split('\n').filter((l) => !l.startsWith(':'));
          const field = (name: string) =>
            lines
              .find((l) => l.startsWith(`${name}:`))
              ?.slice(name.length + 1)
              .trim() ?? null;
          if (lines.some((l) => l.startsWith('data:'))) {
            events.push({ event: field('event') ?? 'message', id: field('id'), data: field('data') ?? '' });
            waiters.splice(0).forEach((w) => w());
          }
        }
      }
    } catch {
      // aborted
    }
  })();
  const waitFor = async (predicate: (e: SseEvent) => boolean, ms = 5000): Promise<SseEvent> => {
    const deadline = Date.now() + ms;
    for (;;) {
      const found = events.find(predicate);
      if (found) return found;
      if (Date.now() > deadline) throw new Error(`no such event within ${ms} ms; got ${JSON.stringify(events)}`);
      await new Promise<void>((resolve) => {
        waiters.push(resolve);
        setTimeout(resolve, 100);
      });
    }
  };
  return {
    response,
    events,
    raw: () => raw,
    waitFor,
    close: async () => {
      abort.abort();
      await done;
    },
  };
}

describe('console support over HTTP', () => {
  let app: TestApp;
  beforeAll(async () => {
    app = await startTestApp();
  });
  afterAll(async () => {
    await app?.close();
  });

  it("streams the account's key changes as server-sent events, without secrets or other accounts' changes", async () => {
    const acct = uniqueAccount();
    const other = uniqueAccount();
    const auditorToken = await actorToken({ acct, roles: ['auditor'] });
    const stream = await openStream(`${app.url}/v1/accounts/${acct}/events`, auditorToken);
    try {
      expect(stream.response.status).toBe(200);
      expect(stream.response.headers.get('content-type')).toMatch(/^text\/event-stream/);
      expect(stream.response.headers.get('cache-control')).toBe('no-store');
      const ready = await stream.waitFor((e) => e.event === 'ready');
      expect(JSON.parse(ready.data)).toEqual({ live: true });

      const owner = await Client.actor(app.url, { acct, roles: ['owner'], sub: 'user_a' });
      const stranger = await Client.actor(app.url, { acct: other, roles: ['owner'] });
      const elsewhere = await stranger.generate(other, { kind: 'api', name: 'Elsewhere' });
      const generated = await owner.generate(acct, { kind: 'api', name: 'Checkout widget' });
      expect(generated.status).toBe(201);
      const keyId = generated.body.key.id as string;
      const secret = generated.body.secret as string;
      const event = await stream.waitFor((e) => e.event === 'credentials.key.generated');
      expect(event.id).toBeTruthy();
      expect(JSON.parse(event.data)).toMatchObject({
        accountId: acct,
        keyId,
        name: 'Checkout widget',
        actor: { type: 'user', sub: 'user_a' },
        start: generated.body.key.start,
      });
      const revealed = await owner.reveal(acct, keyId);
      expect(revealed.status).toBe(200);
      await stream.waitFor((e) => e.event === 'credentials.key.revealed');
      await owner.revoke(acct, keyId);
      await stream.waitFor((e) => e.event === 'credentials.key.revoked');

      expect(stream.raw()).not.toContain(secret);
      expect(stream.raw()).not.toContain(elsewhere.body.key.id);
      expect(stream.events.every((e) => e.event === 'ready' || JSON.parse(e.data).accountId === acct)).toBe(true);
    } finally {
      await stream.close();
    }
  });

  it('checks the actor like history: none is 401, another account 404, a role without access 403', async () => {
    const acct = uniqueAccount();
    const url = `${app.url}/v1/accounts/${acct}/events`;
    const none = await fetch(url);
    expect(none.status).toBe(401);
    expect(none.headers.get('content-type')).toMatch(/problem\+json/);
    const viewer = await fetch(url, { headers: { authorization: `Bearer ${await actorToken({ acct, roles: ['viewer'] })}` } });
    expect(viewer.status).toBe(403);
    expect(((await viewer.json()) as { code: string }).code).toBe('FORBIDDEN');
    const stranger = await fetch(url, { headers: { authorization: `Bearer ${await actorToken({ acct: uniqueAccount() })}` } });
    expect(stranger.status).toBe(404);
    expect(((await stranger.json()) as { code: string }).code).toBe('KEY_NOT_FOUND');
  });

  it('ends open streams when the service stops', async () => {
    const other = await startTestApp();
    const acct = uniqueAccount();
    const stream = await openStream(`${other.url}/v1/accounts/${acct}/events`, await actorToken({ acct }));
    await stream.waitFor((e) => e.event === 'ready');
    const started = Date.now();
    await other.close();
    expect(Date.now() - started).toBeLessThan(5000);
    await stream.close();
  });

  it('serves the console under /console with its security headers, index.html for client-side routes', async () => {
    const built = existsSync(join(process.cwd(), 'dist/console/index.html'));
    for (const path of ['/console', '/console/', '/console/callback', '/console/keys/key_x/history']) {
      const response = await fetch(`${app.url}${path}`);
      expect([path, response.status]).toEqual([path, built ? 200 : 404]);
      const csp = response.headers.get('content-security-policy') ?? '';
      expect(csp).toContain("script-src 'self'");
      expect(csp).toContain("style-src 'self'");
      expect(csp).toContain("frame-ancestors 'none'");
      expect(csp).toContain("connect-src 'self'");
      expect(csp).not.toContain('unsafe-inline');
      expect(response.headers.get('referrer-policy')).toBe('no-referrer');
      expect(response.headers.get('x-content-type-options')).toBe('nosniff');
      if (built) {
        expect(response.headers.get('content-type')).toMatch(/^text\/html/);
        const html = await response.text();
        expect(html).toContain('<div id="app"></div>');
        expect(html).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/); // no inline script
        expect(html).not.toMatch(/<style|style="/); // no inline style
      }
    }
    // The API keeps its own headers (no console CSP on it).
    const api = await fetch(`${app.url}/v1/accounts/acct_1/keys`);
    expect(api.headers.get('content-security-policy')).toBeNull();
  });
});
