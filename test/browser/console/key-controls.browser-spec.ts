/**
 * The console's later screens in Chromium against the built service, signed in through the stand-in
 * provider (fake-provider.ts): suspend and resume (a confirmation naming the key, the password
 * re-verification, Regenerate off while suspended), a key's permissions, external id, metadata and last
 * use (the API's permission message next to the field), publishable keys (shown in full with Copy, their
 * allowed origins), and the account's leak policy with a partner's signed leak report read in the history.
 * Names as apps/console/README.md lists them.
 */
import type { Page } from 'playwright-core';
import { TEST_SECRETS } from '../../support/app';
import { startTestPartner, type TestPartner } from '../../support/partner';
import { actorToken } from '../../support/tokens';
import {
  expectAccessible,
  expectNoConsoleErrors,
  expectSecretsNowhere,
  screenshot,
  startBuiltService,
  useBrowser,
  type BuiltService,
} from '../support';
import type { PageGlobals } from '../support/page-globals';
import { fakeProvider, type FakeUser } from './fake-provider';

interface ClipboardGlobals {
  navigator: { clipboard: { readText(): Promise<string> } };
}

let service: BuiltService;
let partner: TestPartner;
beforeAll(async () => {
  partner = await startTestPartner();
  // Usage written every 100 ms, so a verify shows as "Last used" at once.
  service = await startBuiltService({ SECRET_SCANNING_KEYS_URL: partner.keysUrl, USAGE_FLUSH_MS: '100' });
}, 60_000);
afterAll(async () => {
  await service?.stop();
  await partner?.close();
});

const b = useBrowser();

let accounts = 0;
const account = () => `acct_controls_${process.pid}_${++accounts}`;

async function openConsole(page: Page, user: FakeUser) {
  const provider = await fakeProvider(page.context(), service.url, user);
  await page.goto(`${service.url}/console/`);
  await page.getByRole('heading', { name: 'Authentication Keys' }).waitFor();
  return provider;
}

async function asOwner(acct: string, method: string, path: string, body?: unknown): Promise<any> {
  const token = await actorToken({ acct, roles: ['owner'], sub: 'user_setup' });
  const response = await fetch(`${service.url}${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  return response.json();
}

async function apiGenerate(acct: string, body: Record<string, unknown>): Promise<{ id: string; secret: string }> {
  const answer = await asOwner(acct, 'POST', `/v1/accounts/${acct}/keys`, body);
  return { id: answer.key.id, secret: answer.secret };
}

async function verifyCode(secret: string): Promise<string> {
  const response = await fetch(`${service.url}/v1/verify`, {
    method: 'POST',
    headers: { authorization: `Bearer ${TEST_SECRETS.SERVICE_TOKEN}`, 'content-type': 'application/json' },
    body: JSON.stringify({ key: secret }),
  });
  return ((await response.json()) as { code: string }).code;
}

const isFocused = (page: Page, name: string) =>
  page.getByRole('button', { name, exact: true }).evaluate((el) => el === (globalThis as unknown as PageGlobals).document.activeElement);

it('suspends a key after a confirmation naming it and the password re-verification; Regenerate is off with its reason; Resume', async () => {
  const page = b.page();
  const acct = account();
  const { secret } = await apiGenerate(acct, { kind: 'api', name: 'Checkout' });
  const provider = await openConsole(page, { sub: 'user_dev', acct, roles: ['developer'], authAge: 3600 });

  await page.getByRole('button', { name: 'Suspend Checkout' }).click();
  const dialog = page.getByRole('dialog', { name: 'Suspend Checkout?' });
  expect(await dialog.textContent()).toContain('“Checkout”');
  await dialog.getByLabel('Reason').fill('unusual traffic');
  await expectAccessible(page, 'suspend dialog');
  await dialog.getByRole('button', { name: 'Suspend key' }).click();

  // The sign-in is an hour old: re-verified at the provider, then the suspend runs by itself.
  await page.getByRole('status').getByText('Checkout suspended').waitFor();
  expect(provider.authorizations.map((a) => a.get('prompt'))).toEqual([null, 'login']);
  const row = page.getByRole('table', { name: 'API keys' }).getByRole('row', { name: /Checkout/ });
  await row.getByRole('cell', { name: /^Suspended/ }).waitFor();
  expect(await verifyCode(secret)).toBe('SUSPENDED');

  const regenerate = row.getByRole('button', { name: 'Regenerate Key Checkout' });
  expect(await regenerate.getAttribute('aria-disabled')).toBe('true');
  const why = await regenerate.evaluate((el) => {
    const doc = (globalThis as unknown as PageGlobals).document as unknown as {
      getElementById(id: string): { textContent: string } | null;
    };
    return doc.getElementById(el.getAttribute('aria-describedby') ?? '')?.textContent;
  });
  expect(why).toBe('Resume it to regenerate');
  await regenerate.focus(); // still reachable by keyboard, so its reason is heard; pressing it does nothing
  await page.keyboard.press('Enter');
  expect(await page.getByRole('dialog').count()).toBe(0);
  await expectAccessible(page, 'suspended key');
  await screenshot(page, 'console-suspended-key');

  const history = await asOwner(acct, 'GET', `/v1/accounts/${acct}/history`);
  expect(history.events.find((e: { type: string }) => e.type === 'KeySuspended').data.reason).toBe('unusual traffic');

  await row.getByRole('button', { name: 'Resume Checkout' }).click();
  await page.getByRole('status').getByText('Checkout resumed').waitFor();
  await row.getByRole('cell', { name: 'Active', exact: true }).waitFor();
  expect(await isFocused(page, 'Suspend Checkout')).toBe(true); // the button that resumed keeps the focus
  expect(await verifyCode(secret)).toBe('VALID');
  await expectSecretsNowhere(page, [secret]);
  expectNoConsoleErrors(page, [{ status: 401 }]);
});

it("shows permissions, external id, metadata and last use; the API's permission message sits next to the field", async () => {
  const page = b.page();
  const acct = account();
  const used = await apiGenerate(acct, { kind: 'api', name: 'Server', permissions: ['payments:write'], metadata: { team: 'checkout' } });
  expect(await verifyCode(used.secret)).toBe('VALID');
  for (let i = 0; i < 50; i++) {
    if ((await asOwner(acct, 'GET', `/v1/accounts/${acct}/keys/${used.id}`)).lastUsedAt) break;
    await new Promise((done) => setTimeout(done, 100));
  }
  await openConsole(page, { sub: 'user_owner', acct, roles: ['owner'] });
  const table = page.getByRole('table', { name: 'API keys' });
  const server = table.getByRole('row', { name: /Server/ });
  expect(await server.textContent()).toContain('payments:write');
  const lastUsed = server.locator('time[title]').filter({ hasText: /just now|minute/ });
  await lastUsed.waitFor();
  expect(new Date(String(await lastUsed.getAttribute('datetime'))).getTime()).toBeGreaterThan(Date.now() - 60_000);
  await server.getByText('Metadata', { exact: true }).click(); // read-only, as JSON
  await server.getByText('"team": "checkout"').waitFor();

  await page.getByRole('button', { name: 'Generate API Key' }).click();
  const dialog = page.getByRole('dialog', { name: 'Generate API Key' });
  await dialog.getByLabel('Name').fill('Scoped');
  const permissions = dialog.getByLabel('Permissions');
  await permissions.fill('payments:write, Refunds:read');
  await dialog.getByLabel('External id').fill('merchant-42');
  await dialog.getByRole('button', { name: 'Generate' }).click();
  await dialog.getByRole('alert').waitFor();
  expect(await permissions.getAttribute('aria-invalid')).toBe('true');
  const next = dialog.locator('#gen-permissions-error');
  expect(await next.textContent()).toMatch(/permission/i);
  expect(await permissions.getAttribute('aria-describedby')).toContain('gen-permissions-error');
  await expectAccessible(page, 'generate with a permission error');
  await permissions.fill('payments:write, refunds:read');
  await dialog.getByRole('button', { name: 'Generate' }).click();
  const shown = page.getByRole('dialog', { name: 'API Key generated' });
  const secret = await shown.getByLabel('New key').inputValue();
  await shown.getByRole('button', { name: 'Done' }).click();

  const scoped = table.getByRole('row', { name: /Scoped/ });
  await scoped.waitFor();
  const text = await scoped.textContent();
  for (const part of ['payments:write', 'refunds:read', 'External id: merchant-42', 'Never']) expect(text).toContain(part);

  await scoped.getByRole('button', { name: 'Edit Scoped' }).click();
  const edit = page.getByRole('dialog', { name: 'Edit Scoped' });
  expect(await edit.getByLabel('Permissions').inputValue()).toBe('payments:write, refunds:read');
  await edit.getByLabel('Permissions').fill('');
  await edit.getByRole('button', { name: 'Save' }).click();
  await page.getByRole('status').getByText('Scoped saved').waitFor();
  await scoped.getByRole('cell', { name: 'Unrestricted' }).waitFor();
  await expectSecretsNowhere(page, [secret, used.secret]);
  expectNoConsoleErrors(page, [{ status: 400 }]);
});

it('publishable keys: allowed origins required (the message next to the field), the key shown in full with Copy, regenerated', async () => {
  const page = b.page();
  await b.context().grantPermissions(['clipboard-read', 'clipboard-write'], { origin: service.url });
  const acct = account();
  await openConsole(page, { sub: 'user_owner', acct, roles: ['owner'] });
  await page.getByText('No publishable keys yet.').waitFor();
  await page.getByRole('button', { name: 'Generate Publishable Key' }).click();
  const dialog = page.getByRole('dialog', { name: 'Generate Publishable Key' });
  await dialog.getByLabel('Name').fill('Shop');
  expect(await dialog.getByRole('radio').count()).toBe(0); // no webhook setting for a key that signs nothing
  await dialog.getByRole('button', { name: 'Generate' }).click();
  const origins = dialog.getByLabel('Allowed origins');
  await dialog
    .locator('#gen-origins-error')
    .getByText(/origin/)
    .waitFor();
  expect(await origins.getAttribute('aria-invalid')).toBe('true');
  await origins.fill('https://shop.example\nhttp://localhost:5173');
  await dialog.getByRole('button', { name: 'Generate' }).click();

  const shown = page.getByRole('dialog', { name: 'Publishable Key generated' });
  const key = await shown.getByLabel('New key').inputValue();
  expect(key).toMatch(/^pk_live_/);
  await shown.getByRole('button', { name: 'Done' }).click();

  const table = page.getByRole('table', { name: 'Publishable keys' });
  const row = table.getByRole('row', { name: /Shop/ });
  await row.getByText(key, { exact: true }).waitFor();
  const text = await row.textContent();
  for (const part of ['https://shop.example', 'http://localhost:5173', 'checkout:read', 'prices:read', 'Never'])
    expect(text).toContain(part);
  expect(await row.getByRole('button', { name: /Show key/ }).count()).toBe(0);
  await row.getByRole('button', { name: 'Copy Shop' }).click();
  expect(await page.evaluate(() => (globalThis as unknown as ClipboardGlobals).navigator.clipboard.readText())).toBe(key);
  await expectAccessible(page, 'publishable keys');
  await screenshot(page, 'console-publishable-keys');

  await row.getByRole('button', { name: 'Regenerate Key Shop' }).click();
  const regenerate = page.getByRole('dialog', { name: 'Regenerate Key' });
  await regenerate.getByRole('radio', { name: 'Now' }).check();
  await regenerate.getByRole('button', { name: 'Set Expiry' }).click();
  const again = page.getByRole('dialog', { name: 'Key regenerated' });
  const fresh = await again.getByLabel('New key').inputValue();
  expect(fresh).toMatch(/^pk_live_/);
  expect(fresh).not.toBe(key);
  await again.getByRole('button', { name: 'Done' }).click();
  await row.getByText(fresh, { exact: true }).waitFor();
  expectNoConsoleErrors(page, [{ status: 400 }]);
});

it('leak policy: an owner chooses "Only alert me" after re-verifying; a leak report then shows live and readably in the history', async () => {
  const page = b.page();
  const acct = account();
  const { id, secret } = await apiGenerate(acct, { kind: 'api', name: 'Leaky' });
  const provider = await openConsole(page, { sub: 'user_owner', acct, roles: ['owner'], authAge: 3600 });
  const policy = page.getByRole('group', { name: 'When a key is reported leaked' });
  expect(await policy.getByRole('radio', { name: 'Revoke it at once' }).isChecked()).toBe(true);
  await page.getByText('The default: no one has changed it.').waitFor();
  await policy.getByRole('radio', { name: 'Only alert me' }).check();
  await page.getByRole('button', { name: 'Save leak policy' }).click();

  await page.getByRole('status').getByText('Leak policy saved: Only alert me').waitFor();
  expect(provider.authorizations.map((a) => a.get('prompt'))).toEqual([null, 'login']);
  expect(await page.getByRole('radio', { name: 'Only alert me' }).isChecked()).toBe(true);
  await page.getByText(/^Set by user_owner on /).waitFor();
  expect((await asOwner(acct, 'GET', `/v1/accounts/${acct}/leak-policy`)).policy).toBe('alert');
  await expectAccessible(page, 'leak policy');

  // A partner reports the key found in public: the open page hears of it; under "alert" the key keeps working.
  const url = 'https://github.com/octo-org/shop/blob/main/.env';
  const { body, headers } = partner.signed([{ token: secret, type: 'credential_service_api_key', url, source: 'content' }]);
  const report = await fetch(`${service.url}/v1/secret-scanning/reports`, { method: 'POST', headers, body });
  expect(report.status).toBe(200);
  await page.getByRole('status').getByText('Keys updated: key leaked by secret-scanning').waitFor();
  expect(await verifyCode(secret)).toBe('VALID');

  await page.getByRole('link', { name: 'History Leaky' }).click();
  await page.getByRole('heading', { name: `History of key ${id}` }).waitFor();
  const leak = page.getByRole('row', { name: /KeyLeakReported/ });
  const said = await leak.textContent();
  expect(said).toContain(`Reported leaked by a secret scanning partner (credential_service_api_key), found at ${url} (content)`);
  expect(said).toContain('secret version 1');
  expect(said).toContain('only alerted (the account’s leak policy): the key still works');
  expect(said).toContain('system: secret-scanning');
  await expectAccessible(page, 'history with a leak report');
  await expectSecretsNowhere(page, [secret]);
  expectNoConsoleErrors(page, [{ status: 401 }]);

  // A developer reads the policy and cannot change it.
  const developer = await b.newContext();
  await fakeProvider(developer.context, service.url, { sub: 'user_dev', acct, roles: ['developer'] });
  await developer.page.goto(`${service.url}/console/`);
  await developer.page.getByText('When a key is reported leaked: Only alert me. Owners and admins change this.').waitFor();
  expect(await developer.page.getByRole('button', { name: 'Save leak policy' }).count()).toBe(0);
});

it('signing keys in the Standard Webhooks formats: a whsec_ secret shown once; an Ed25519 key shown by its public key, no eye, as the JWKS has it', async () => {
  const page = b.page();
  const acct = account();
  await openConsole(page, { sub: 'user_owner', acct, roles: ['owner'] });
  const table = page.getByRole('table', { name: 'Signing keys' });

  await page.getByRole('button', { name: 'Generate Signing Key' }).click();
  let dialog = page.getByRole('dialog', { name: 'Generate Signing Key' });
  await dialog.getByLabel('Name').fill('Hooks HMAC');
  expect(await dialog.getByRole('radio', { name: 'Stripe-style header (t=…,v1=…)' }).isChecked()).toBe(true);
  await dialog.getByRole('radio', { name: 'Standard Webhooks, shared secret (whsec_…)' }).check();
  await dialog.getByRole('button', { name: 'Generate' }).click();
  let shown = page.getByRole('dialog', { name: 'Signing Key generated' });
  const secret = await shown.getByLabel('New key').inputValue();
  expect(secret).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
  await shown.getByText('You will not see this key again unless you reveal it.').waitFor();
  await shown.getByRole('button', { name: 'Done' }).click();
  const hmacRow = table.getByRole('row', { name: /Hooks HMAC/ });
  await hmacRow.getByText('Format: Standard Webhooks').waitFor();
  expect(await hmacRow.getByRole('button', { name: 'Show key' }).count()).toBe(1);

  await page.getByRole('button', { name: 'Generate Signing Key' }).click();
  dialog = page.getByRole('dialog', { name: 'Generate Signing Key' });
  await dialog.getByLabel('Name').fill('Hooks Ed25519');
  await dialog.getByRole('radio', { name: 'Standard Webhooks, Ed25519 (receivers get a public key)' }).check();
  await dialog.getByRole('button', { name: 'Generate' }).click();
  shown = page.getByRole('dialog', { name: 'Signing Key generated' });
  const publicKey = await shown.getByLabel('New key').inputValue();
  expect(publicKey).toMatch(/^whpk_[A-Za-z0-9+/]{43}=$/);
  await shown.getByText(/the private key never leaves the service/).waitFor();
  expect(await shown.getByText('You will not see this key again unless you reveal it.').count()).toBe(0);
  await shown.getByRole('button', { name: 'Done' }).click();

  const edRow = table.getByRole('row', { name: /Hooks Ed25519/ });
  await edRow.getByText('Format: Standard Webhooks, Ed25519').waitFor();
  await edRow.getByText(publicKey, { exact: true }).waitFor();
  expect(await edRow.getByRole('button', { name: /Show key/ }).count()).toBe(0);
  await edRow.getByRole('button', { name: 'Copy public key of Hooks Ed25519' }).waitFor();
  // The key the table shows is the one receivers find in the account's JWKS.
  const jwks = (await (await fetch(`${service.url}/v1/accounts/${acct}/jwks.json`)).json()) as { keys: { x: string }[] };
  const raw = Buffer.from(publicKey.slice('whpk_'.length), 'base64').toString('base64url');
  expect(jwks.keys.map((k) => k.x)).toEqual([raw]);
  await expectAccessible(page, 'signing key formats');
  await expectSecretsNowhere(page, [secret]);
  expectNoConsoleErrors(page);
});
