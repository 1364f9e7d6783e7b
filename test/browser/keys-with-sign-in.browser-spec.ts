/**
 * Issue 11's first walkthrough end to end with the real sign-in (embedded OpenID provider, a local user
 * made with `npm run user -- add`), in Chromium against the built service: sign in → Authentication
 * Keys → Generate API Key → the secret shown once with Copy → a reload shows only its masked start; and
 * with a stale password (auth_time older than STEP_UP_MAX_AGE_SECONDS) the provider's re-verification
 * page, after which the generate is retried by itself. axe scans each screen; afterwards no secret is
 * in localStorage, sessionStorage, a cookie, the URL or the history. (The screens in depth, signed in
 * through a stand-in provider: console/screens.browser-spec.ts.)
 */
import type { Page } from 'playwright-core';
import {
  addLocalUser,
  expectAccessible,
  expectNoConsoleErrors,
  FAVICON_404,
  expectSecretsNowhere,
  REVERIFY_HEADING,
  reverify,
  screenshot,
  signIn,
  startBuiltService,
  testUser,
  useBrowser,
  type BuiltService,
  type TestUser,
} from './support';

const b = useBrowser();

async function signInToConsole(page: Page, service: BuiltService, user: TestUser): Promise<void> {
  await page.goto(`${service.url}/console/`);
  await page.getByRole('heading', { name: 'Sign in' }).waitFor();
  await signIn(page, user);
  await page.getByRole('heading', { name: 'Authentication Keys', level: 1 }).waitFor();
  await page.getByRole('heading', { name: 'API keys' }).waitFor();
}

/** Generate API Key → Name → Generate; returns once the dialog with the secret is open (after a re-verification if asked). */
async function generateApiKey(page: Page, name: string): Promise<void> {
  await page.getByRole('button', { name: 'Generate API Key' }).click();
  const dialog = page.getByRole('dialog', { name: 'Generate API Key' });
  await dialog.getByLabel('Name').fill(name);
  await dialog.getByRole('button', { name: 'Generate', exact: true }).click();
}

async function secretShownOnce(page: Page): Promise<string> {
  const dialog = page.getByRole('dialog', { name: 'API Key generated' });
  await dialog.waitFor();
  await expect(dialog.getByText('You will not see this key again unless you reveal it.').isVisible()).resolves.toBe(true);
  const secret = await dialog.getByLabel('New key').inputValue();
  expect(secret.length).toBeGreaterThan(20);
  return secret;
}

describe('Authentication Keys with the real sign-in', () => {
  let service: BuiltService;
  let owner: TestUser;
  beforeAll(async () => {
    service = await startBuiltService();
    owner = await addLocalUser(service, testUser('owner', 'merchant_4711'));
  }, 60_000);
  afterAll(async () => {
    await service?.stop();
  });

  it('sign in → Generate API Key → secret shown once with Copy → reload shows only the masked start; no secret kept anywhere', async () => {
    const page = b.page();
    await b.context().grantPermissions(['clipboard-read', 'clipboard-write'], { origin: service.url });
    await signInToConsole(page, service, owner);
    await expectAccessible(page, 'authentication keys (empty)');
    await screenshot(page, 'authentication-keys-empty');

    await page.getByRole('button', { name: 'Generate API Key' }).click();
    const form = page.getByRole('dialog', { name: 'Generate API Key' });
    await form.getByLabel('Name').fill('Checkout');
    await form.getByLabel('IP addresses or ranges').fill('203.0.113.0/24');
    await expectAccessible(page, 'generate api key');
    await screenshot(page, 'generate-api-key');
    await form.getByRole('button', { name: 'Generate', exact: true }).click();

    const secret = await secretShownOnce(page);
    await expectAccessible(page, 'api key generated');
    await screenshot(page, 'api-key-generated');
    const dialog = page.getByRole('dialog', { name: 'API Key generated' });
    await dialog.getByRole('button', { name: 'Copy' }).click();
    await page.getByRole('status').getByText('Key copied to the clipboard').waitFor();
    await expect(
      page.evaluate(() =>
        (globalThis as unknown as { navigator: { clipboard: { readText(): Promise<string> } } }).navigator.clipboard.readText(),
      ),
    ).resolves.toBe(secret);
    await dialog.getByRole('button', { name: 'Done' }).click();
    await dialog.waitFor({ state: 'detached' });
    expect(await page.content()).not.toContain(secret);

    const start = secret.slice(0, 8);
    const row = page.getByRole('row', { name: /Checkout/ });
    await row.waitFor();
    await expectAccessible(page, 'authentication keys');
    await screenshot(page, 'authentication-keys');

    await page.reload();
    await page.getByRole('heading', { name: 'Authentication Keys', level: 1 }).waitFor(); // signed in again silently
    await page.getByRole('row', { name: /Checkout/ }).waitFor();
    expect(await page.content()).not.toContain(secret);
    await expect(
      page
        .getByRole('row', { name: /Checkout/ })
        .getByLabel(/^key starting /)
        .textContent(),
    ).resolves.toContain(start.slice(0, 4));
    await expectSecretsNowhere(page, [secret]);
    expectNoConsoleErrors(page, [FAVICON_404]);
  });

  it('stale password: Generate → "Enter your Password and verify your identity" → Verify → the generate is retried and its secret shown once', async () => {
    const stale = await startBuiltService({ STEP_UP_MAX_AGE_SECONDS: '1' });
    try {
      const user = await addLocalUser(stale, testUser('developer', 'merchant_4712'));
      const page = b.page();
      await signInToConsole(page, stale, user);
      await new Promise((done) => setTimeout(done, 2100)); // the sign-in's auth_time is now older than 1 s
      await generateApiKey(page, 'Stale');
      await page.getByRole('heading', { name: REVERIFY_HEADING }).waitFor();
      expect(new URL(page.url()).pathname).toMatch(/^\/oidc\/interaction\//);
      await expectAccessible(page, 'password re-verification');
      await screenshot(page, 'password-reverification');
      await reverify(page, user.password);
      const secret = await secretShownOnce(page);
      await page.getByRole('dialog', { name: 'API Key generated' }).getByRole('button', { name: 'Done' }).click();
      // generated once: the retried action, not a second key
      await expect(page.getByRole('row', { name: /Stale/ }).count()).resolves.toBe(1);
      await expectSecretsNowhere(page, [secret]);
      expectNoConsoleErrors(page, [FAVICON_404, { status: 401, url: /\/v1\/accounts\// }]);
    } finally {
      await stale.stop();
    }
  });
});
