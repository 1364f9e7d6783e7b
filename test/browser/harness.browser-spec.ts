/**
 * The browser harness itself: Debian's Chromium starts through playwright-core, and each check the console
 * tests rely on really fails when it should (a check that cannot fail proves nothing): console errors and
 * CSP violations are caught, axe reports a serious violation, a secret left in storage, a cookie, the URL
 * or the history is found. Pages come from a tiny server here with the same kind of strict CSP as the
 * service's; the last test opens the built service's own OpenAPI page.
 */
import { existsSync, rmSync, statSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import {
  browserRecords,
  CHROMIUM_PATH,
  expectAccessible,
  expectNoConsoleErrors,
  expectSecretsNowhere,
  problemsFor,
  screenshot,
  startBuiltService,
  useBrowser,
  lastDocument,
  expectStrictCsp,
} from './support';
import type { PageGlobals } from './support/page-globals';

const CSP = "default-src 'self'; script-src 'self'; object-src 'none'; frame-ancestors 'none'; base-uri 'none'";
const PAGES: Record<string, string> = {
  '/good': '<!doctype html><html lang="en"><head><title>Good</title></head><body><main><h1>Good page</h1><p>Fine.</p></main></body></html>',
  '/inline':
    '<!doctype html><html lang="en"><head><title>Inline</title></head><body><main><h1>Inline</h1><script>document.title = "ran"</script></main></body></html>',
  '/bad-a11y':
    '<!doctype html><html lang="en"><head><title>Bad</title></head><body><main><h1>Bad</h1><img src="/nothing.png"><button></button></main></body></html>',
  '/throws':
    '<!doctype html><html lang="en"><head><title>Throws</title><script src="/throws.js"></script></head><body><main><h1>Throws</h1></main></body></html>',
  '/leaky':
    '<!doctype html><html lang="en"><head><title>Leaky</title><script src="/leaky.js"></script></head><body><main><h1>Leaky</h1></main></body></html>',
};
const SCRIPTS: Record<string, string> = {
  '/throws.js': 'throw new Error("boom from throws.js");',
  // what a careless front-end might do with a freshly generated secret
  '/leaky.js': 'const s = new URLSearchParams(location.hash.slice(1)).get("k"); if (s) sessionStorage.setItem("last", s);',
};

let server: Server;
let base: string;
beforeAll(async () => {
  server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    res.setHeader('content-security-policy', CSP);
    if (PAGES[path]) res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(PAGES[path]);
    else if (path === '/favicon.ico') res.writeHead(204).end();
    else if (SCRIPTS[path]) res.writeHead(200, { 'content-type': 'text/javascript' }).end(SCRIPTS[path]);
    else res.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  base = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
});
afterAll(async () => {
  await new Promise<void>((done) => server.close(() => done()));
});

const b = useBrowser();

describe('browser harness', () => {
  it(`launches Debian's Chromium (${CHROMIUM_PATH}) headless, one fresh context per test`, async () => {
    expect(existsSync(CHROMIUM_PATH)).toBe(true);
    expect(b.browser().version()).toMatch(/^\d+\./);
    expect(b.browser().contexts()).toHaveLength(1);
    await b.page().goto(`${base}/good`);
    await expect(b.page().getByRole('heading', { name: 'Good page' }).isVisible()).resolves.toBe(true);
    expectNoConsoleErrors(b.page());
    await expectAccessible(b.page(), 'good');
    expect(await b.page().evaluate(() => (globalThis as unknown as PageGlobals).localStorage.length)).toBe(0);
  });

  it('catches a CSP violation (inline script blocked) and an uncaught exception as page errors', async () => {
    const page = b.page();
    await page.goto(`${base}/inline`);
    expect(await page.title()).toBe('Inline'); // the inline script did not run
    expect(() => expectNoConsoleErrors(page)).toThrow(/Content Security Policy/);
    const other = await b.newContext();
    await other.page.goto(`${base}/throws`);
    await other.page.getByRole('heading', { name: 'Throws' }).waitFor();
    expect(problemsFor(other.page).errors.join('\n')).toContain('boom from throws.js');
    expect(() => expectNoConsoleErrors(other.page)).toThrow(/page error: .*boom/);
  });

  it('reads the CSP the browser received and tells a strict one from a loose one', async () => {
    await b.page().goto(`${base}/good`);
    const document = lastDocument(b.page(), '/good');
    expect(document.status).toBe(200);
    expect(() => expectStrictCsp(document.headers['content-security-policy'], 'good')).not.toThrow();
    expect(() => expectStrictCsp(undefined, 'bare')).toThrow(/bare: no Content-Security-Policy header/);
    expect(() => expectStrictCsp("default-src 'self'; script-src 'self' 'unsafe-inline' https:", 'loose')).toThrow(
      /scripts allow 'unsafe-inline' https:.*object-src is not 'none'.*frame-ancestors is not 'none'.*base-uri/,
    );
    expect(() => expectStrictCsp("default-src 'none'; frame-ancestors 'none'; base-uri 'none'", 'none')).not.toThrow();
  });

  it('excuses only the load errors a test names (status and URL)', async () => {
    const page = b.page();
    await page.goto(`${base}/good`);
    const logged = page.waitForEvent('console');
    await page.evaluate(() => fetch('/also-missing'));
    await logged;
    expect(problemsFor(page).console).toHaveLength(1);
    expect(() => expectNoConsoleErrors(page)).toThrow(/status of 404 .*also-missing/);
    expect(() => expectNoConsoleErrors(page, [{ status: 404, url: /\/also-missing$/ }])).not.toThrow();
    expect(() => expectNoConsoleErrors(page, [{ status: 404, url: /\/other$/ }])).toThrow(/also-missing/);
    expect(() => expectNoConsoleErrors(page, [{ status: 401 }])).toThrow(/also-missing/);
  });

  it('axe (injected despite the strict CSP) fails on serious and critical violations with a readable list', async () => {
    await b.page().goto(`${base}/bad-a11y`);
    const failure = await expectAccessible(b.page(), 'bad example').then(
      () => null,
      (error: Error) => error.message,
    );
    expect(failure).toMatch(/axe found \d+ serious\/critical violation\(s\) on "bad example"/);
    expect(failure).toContain('[critical] image-alt');
    expect(failure).toContain('[critical] button-name');
    expect(failure).toContain('"img"');
  });

  it('finds a secret in storage, a cookie, the URL and the history, and names only where it is', async () => {
    const secret = 'sk_test_0123456789abcdefghijklmnopqrstuv';
    const page = b.page();
    await page.goto(`${base}/good`);
    await expectSecretsNowhere(page, [secret]);
    await page.goto(`${base}/leaky#k=${secret}`); // into the URL, the history and sessionStorage
    await page.evaluate((s) => {
      const { localStorage, document } = globalThis as unknown as PageGlobals;
      localStorage.setItem('token', `{"secret":"${s}"}`);
      document.cookie = `k=${encodeURIComponent(s)}; path=/`;
    }, secret);
    const failure = await expectSecretsNowhere(page, [secret]).then(
      () => null,
      (error: Error) => error.message,
    );
    expect(failure).toContain('localStorage[token]');
    expect(failure).toContain('sessionStorage[last]');
    expect(failure).toContain('cookie k');
    expect(failure).toContain('URL');
    // about:blank, /good, /leaky#k=…: only the last one holds it
    expect((await browserRecords(page)).history).toHaveLength(3);
    expect(failure).toMatch(/history entry 2$/);
    expect(failure).not.toMatch(/history entry [01]/);
  });

  it('opens the built service (dist/, as npm start runs it): its OpenAPI page renders; screenshots get fixed names', async () => {
    const service = await startBuiltService();
    try {
      const page = b.page();
      const response = await page.goto(`${service.url}/docs`);
      expect(response?.status()).toBe(200);
      await page.waitForLoadState('networkidle');
      expect(await page.title()).not.toBe('');
      const file = await screenshot(page, 'harness-openapi');
      expect(file).toMatch(/screenshots\/harness-openapi\.png$/);
      expect(statSync(file).size).toBeGreaterThan(1000);
      rmSync(file); // a check of the helper, not a screen of the product
      await expect(screenshot(page, 'Bad Name')).rejects.toThrow(/lower-case/);
    } finally {
      await service.stop();
    }
  });
});
