/**
 * Debian's Chromium driven by playwright-core: one browser per test file, a fresh context (cookies, storage)
 * per test, and more contexts on demand (a second person watching a live update). Every page records its
 * console errors and uncaught exceptions; `expectNoConsoleErrors` fails the test on any of them (a CSP
 * violation is a console error in Chromium).
 */
import { existsSync } from 'node:fs';
import { chromium, type Browser, type BrowserContext, type ConsoleMessage, type Page } from 'playwright-core';

/** Installed by `bash scripts/services.sh chromium` (apt-get install chromium); scripts/test.sh runs it. */
export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/** Same size, scale, locale, zone and colours on every run, so screenshots are comparable. */
export const CONTEXT_OPTIONS = {
  viewport: { width: 1280, height: 800 },
  deviceScaleFactor: 1,
  locale: 'en-US',
  timezoneId: 'UTC',
  colorScheme: 'light',
  reducedMotion: 'reduce',
} as const;

export async function launchChromium(): Promise<Browser> {
  // Never skip: a missing browser is a failed test with the command that installs it.
  if (!existsSync(CHROMIUM_PATH))
    throw new Error(`${CHROMIUM_PATH} is missing: run \`bash scripts/services.sh chromium\` (apt-get install chromium; npm test does)`);
  // Headless. No `--no-sandbox` of our own: playwright-core already starts Chromium with it unless
  // `chromiumSandbox: true` (Chromium's setuid/namespace sandbox refuses to start as root, which the test
  // machines are). The pages are our own service on 127.0.0.1, not the web.
  return chromium.launch({ executablePath: CHROMIUM_PATH, headless: true, timeout: 30_000 });
}

export interface PageProblems {
  /** console.error lines, CSP violations included */
  console: string[];
  /** uncaught exceptions and unhandled rejections in the page */
  errors: string[];
  /** every document the tab loaded (redirects followed): url, status and headers as the browser got them */
  documents: Array<{ url: string; status: number; headers: Record<string, string> }>;
}

const problemsOf = new WeakMap<Page, PageProblems>();

/** Starts recording console errors and uncaught exceptions of `page`. */
export function watchPage(page: Page): PageProblems {
  const problems: PageProblems = { console: [], errors: [], documents: [] };
  problemsOf.set(page, problems);
  page.on('console', (message: ConsoleMessage) => {
    if (message.type() === 'error') problems.console.push(`${message.text()} (${message.location().url || 'no url'})`);
  });
  page.on('pageerror', (error) => problems.errors.push(error.stack ?? error.message));
  page.on('response', (response) => {
    const request = response.request();
    if (request.isNavigationRequest() && request.frame() === page.mainFrame())
      problems.documents.push({ url: response.url(), status: response.status(), headers: response.headers() });
  });
  return problems;
}

export function problemsFor(page: Page): PageProblems {
  const problems = problemsOf.get(page);
  if (!problems) throw new Error('page was not opened through the browser harness (watchPage)');
  return problems;
}

/** The last document loaded in `page` whose path starts with `pathPrefix` (to read its headers). */
export function lastDocument(page: Page, pathPrefix: string): PageProblems['documents'][number] {
  const found = problemsFor(page)
    .documents.filter((d) => new URL(d.url).pathname.startsWith(pathPrefix))
    .pop();
  if (!found) throw new Error(`no document under ${pathPrefix} was loaded in this page`);
  return found;
}

/** A console line a test expects: Chromium's "Failed to load resource" for an answer with this status (and URL). */
export interface ExpectedLoadError {
  status: number;
  url?: RegExp;
}

/**
 * Chromium asks every origin for /favicon.ico; the service answers 404 there (neither the sign-in page nor
 * the console names an icon), which Chromium logs as an error. Excused explicitly where a test meets it,
 * until the service serves an icon; then this goes.
 */
export const FAVICON_404: ExpectedLoadError = { status: 404, url: /\/favicon\.ico$/ };

/**
 * Fails listing every console error and page exception seen so far on `page`, except Chromium's own
 * "Failed to load resource" lines for the answers listed in `expected` (a 401 step-up challenge the
 * screen handles, say); nothing else can be excused.
 */
export function expectNoConsoleErrors(page: Page, expected: ExpectedLoadError[] = []): void {
  const { errors } = problemsFor(page);
  const excused = (line: string) =>
    expected.some((e) => {
      const match = /^Failed to load resource: the server responded with a status of (\d{3}) .*\((.*)\)$/.exec(line);
      return match !== null && Number(match[1]) === e.status && (!e.url || e.url.test(match[2]));
    });
  const lines = problemsFor(page).console.filter((line) => !excused(line));
  const all = [...lines.map((l) => `console.error: ${l}`), ...errors.map((e) => `page error: ${e}`)];
  if (all.length) throw new Error(`the page logged ${all.length} error(s):\n  ${all.join('\n  ')}`);
}

export interface BrowserHarness {
  browser(): Browser;
  /** The test's own context (fresh for every test). */
  context(): BrowserContext;
  /** The test's first page, in context(). */
  page(): Page;
  /** Another context (another person, no shared cookies or storage), closed after the test. */
  newContext(): Promise<{ context: BrowserContext; page: Page }>;
}

/**
 * Registers the hooks for one test file: Chromium launched in beforeAll and closed in afterAll, a fresh
 * context and page before each test, closed after it.
 */
export function useBrowser(): BrowserHarness {
  // A browser flow (sign-in redirects, axe runs, full-page screenshots) takes 3-15 s alone; on two cores
  // shared with a build it can take several times that. 60 s per test instead of jest.config's 30 s.
  jest.setTimeout(60_000);
  let browser: Browser | null = null;
  let contexts: BrowserContext[] = [];
  let first: { context: BrowserContext; page: Page } | null = null;

  const open = async (): Promise<{ context: BrowserContext; page: Page }> => {
    if (!browser) throw new Error('Chromium did not start (see beforeAll)');
    const context = await browser.newContext(CONTEXT_OPTIONS);
    context.setDefaultTimeout(10_000);
    contexts.push(context);
    const page = await context.newPage();
    watchPage(page);
    return { context, page };
  };

  beforeAll(async () => {
    browser = await launchChromium();
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
    browser = null;
  });
  beforeEach(async () => {
    first = await open();
  });
  afterEach(async () => {
    await Promise.all(contexts.map((c) => c.close().catch(() => undefined)));
    contexts = [];
    first = null;
  });

  const current = () => {
    if (!first) throw new Error('no page: use the harness inside a test');
    return first;
  };
  return {
    browser: () => {
      if (!browser) throw new Error('Chromium did not start (see beforeAll)');
      return browser;
    },
    context: () => current().context,
    page: () => current().page,
    newContext: open,
  };
}
