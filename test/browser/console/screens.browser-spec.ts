/**
 * The Developer Space console's screens in Chromium against the built service, signed in through a
 * stand-in provider (fake-provider.ts) so that these tests are about the screens: generate with the
 * password re-verification (RFC 9470 step-up) and the secret shown once, the eye (show, copy, hide),
 * regenerate with the expiry pop-up and the old key under the new one, edit with the API's field
 * messages, delete with a confirmation naming the key, roles, history and validity, a live update from a
 * second person, the keyboard, and an axe scan of each screen. Names as apps/console/README.md lists them.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { actorToken } from '../../support/tokens';
import {
  expectAccessible,
  expectSecretsNowhere,
  problemsFor,
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
beforeAll(async () => {
  service = await startBuiltService();
}, 60_000);
afterAll(async () => {
  await service?.stop();
});

const b = useBrowser();

/**
 * No console error or page exception, except Chromium's own line for an answer the screen expects and
 * handles: the 401 step-up challenge, the 400 with the API's field messages.
 */
function expectNoConsoleErrors(page: Page, expected: Array<401 | 400> = []): void {
  const { console: lines, errors } = problemsFor(page);
  const unexpected = lines.filter(
    (line) => !expected.some((status) => line.startsWith(`Failed to load resource: the server responded with a status of ${status} `)),
  );
  const all = [...unexpected.map((l) => `console.error: ${l}`), ...errors.map((e) => `page error: ${e}`)];
  if (all.length) throw new Error(`the page logged ${all.length} error(s):\n  ${all.join('\n  ')}`);
}
let accounts = 0;
const account = () => `acct_screens_${process.pid}_${++accounts}`;

async function openConsole(page: Page, user: FakeUser) {
  const provider = await fakeProvider(page.context(), service.url, user);
  await page.goto(`${service.url}/console/`);
  return provider;
}

/** Generates a key through the API (fresh owner token), for tests that start from an existing key. */
async function apiGenerate(acct: string, body: Record<string, unknown>): Promise<{ id: string; secret: string }> {
  const token = await actorToken({ acct, roles: ['owner'], sub: 'user_setup' });
  const response = await fetch(`${service.url}/v1/accounts/${acct}/keys`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  const answer = (await response.json()) as { key: { id: string }; secret: string };
  return { id: answer.key.id, secret: answer.secret };
}

it('generates an API key after the password re-verification and shows the secret once, with Copy', async () => {
  const page = b.page();
  await b.context().grantPermissions(['clipboard-read', 'clipboard-write'], { origin: service.url });
  const acct = account();
  const provider = await openConsole(page, { sub: 'user_dev', acct, roles: ['developer'], authAge: 3600 });
  await page.getByRole('heading', { name: 'Authentication Keys' }).waitFor();
  await expectAccessible(page, 'authentication keys (empty)');
  await screenshot(page, 'console-authentication-keys-empty');

  await page.getByRole('button', { name: 'Generate API Key' }).click();
  const dialog = page.getByRole('dialog', { name: 'Generate API Key' });
  await dialog.getByLabel('Name').fill('Checkout widget');
  await dialog.getByLabel('IP addresses or ranges').fill('203.0.113.0/24');
  await dialog.getByRole('radio', { name: 'Multiple JSON' }).check();
  await expectAccessible(page, 'generate dialog');
  await screenshot(page, 'console-generate-api-key');
  await dialog.getByRole('button', { name: 'Generate' }).click();

  // The sign-in is an hour old: the API asks for a fresh one, the console goes to re-verify and comes back.
  const shown = page.getByRole('dialog', { name: 'API Key generated' });
  await shown.waitFor();
  expect(provider.authorizations).toHaveLength(2);
  expect(provider.authorizations[1].get('prompt')).toBe('login');
  expect(provider.authorizations[1].get('max_age')).toBe('0');
  await expect(shown.getByText('You will not see this key again unless you reveal it.').isVisible()).resolves.toBe(true);
  const secret = await shown.getByLabel('New key').inputValue();
  expect(secret).toMatch(/^ak_live_/);
  await expectAccessible(page, 'secret shown once');
  await shown.getByRole('button', { name: 'Copy' }).click();
  expect(await page.evaluate(() => (globalThis as unknown as ClipboardGlobals).navigator.clipboard.readText())).toBe(secret);
  await shown.getByRole('button', { name: 'Done' }).click();
  await shown.waitFor({ state: 'detached' });
  expect(await page.content()).not.toContain(secret);

  const table = page.getByRole('table', { name: 'API keys' });
  const row = table.getByRole('row', { name: /Checkout widget/ });
  await row.waitFor();
  expect(await row.textContent()).toContain('203.0.113.0/24');
  expect(await row.textContent()).toContain('Multiple JSON');
  expect(await row.textContent()).toContain('user_dev');
  await screenshot(page, 'console-authentication-keys');
  await expectSecretsNowhere(page, [secret]);
  expectNoConsoleErrors(page, [401]);
});

it('shows a key with the eye, copies it and hides it again (the secret leaves the page)', async () => {
  const page = b.page();
  const acct = account();
  const { secret } = await apiGenerate(acct, { kind: 'signing', name: 'Webhooks' });
  await openConsole(page, { sub: 'user_owner', acct, roles: ['owner'] });
  const table = page.getByRole('table', { name: 'Signing keys' });
  await table.waitFor();
  await table.getByRole('button', { name: 'Show key', exact: true }).click();
  await table.getByText(secret).waitFor();
  await table.getByRole('button', { name: 'Copy' }).waitFor();
  await expectAccessible(page, 'key shown');
  await table.getByRole('button', { name: 'Hide key', exact: true }).click();
  await table.getByRole('button', { name: 'Show key', exact: true }).waitFor();
  expect(await page.content()).not.toContain(secret);
  await expectSecretsNowhere(page, [secret]);
  expectNoConsoleErrors(page);
});

it('regenerates with "1 hour": the new secret once, the old key under it with its expiry', async () => {
  const page = b.page();
  const acct = account();
  const { secret: old } = await apiGenerate(acct, { kind: 'api', name: 'Server' });
  await openConsole(page, { sub: 'user_admin', acct, roles: ['admin'] });
  await page.getByRole('button', { name: 'Regenerate Key Server' }).click();
  const dialog = page.getByRole('dialog', { name: 'Regenerate Key' });
  await dialog.getByRole('group', { name: 'Choose when the current key should expire' }).waitFor();
  for (const choice of ['Now', '1 hour', '24 hours', '7 days', '30 days', 'A date and time']) {
    await dialog.getByRole('radio', { name: choice }).waitFor();
  }
  await dialog.getByRole('radio', { name: '1 hour' }).check();
  await expectAccessible(page, 'regenerate dialog');
  await screenshot(page, 'console-regenerate-key');
  await dialog.getByRole('button', { name: 'Set Expiry' }).click();
  const shown = page.getByRole('dialog', { name: 'Key regenerated' });
  const secret = await shown.getByLabel('New key').inputValue();
  expect(secret).not.toBe(old);
  await shown.getByRole('button', { name: 'Done' }).click();
  const row = page.getByRole('table', { name: 'API keys' }).getByRole('row', { name: /Server/ });
  await row.getByText(/expires in (59|60) min/).waitFor();
  await row.getByRole('button', { name: 'Show key (previous)' }).waitFor();
  await screenshot(page, 'console-grace-period');
  await expectSecretsNowhere(page, [secret, old]);
  expectNoConsoleErrors(page);
});

it("edits a key: the API's field message for a bad range, then saved", async () => {
  const page = b.page();
  const acct = account();
  await apiGenerate(acct, { kind: 'api', name: 'Edit me' });
  await openConsole(page, { sub: 'user_dev', acct, roles: ['developer'] });
  await page.getByRole('button', { name: 'Edit Edit me' }).click();
  const dialog = page.getByRole('dialog', { name: 'Edit Edit me' });
  await dialog.getByLabel('IP addresses or ranges').fill('10.0.0.1/8');
  await dialog.getByRole('button', { name: 'Save' }).click();
  const alert = dialog.getByRole('alert');
  await alert.waitFor();
  expect(await alert.textContent()).toContain('10.0.0.0/8');
  await expectAccessible(page, 'edit dialog with an error');
  await dialog.getByLabel('IP addresses or ranges').fill('10.0.0.0/8');
  await dialog.getByLabel('Name').fill('Edited');
  await dialog.getByRole('button', { name: 'Save' }).click();
  await dialog.waitFor({ state: 'detached' });
  await page.getByRole('status').getByText('Edited saved').waitFor();
  expect(await page.getByRole('row', { name: /Edited/ }).textContent()).toContain('10.0.0.0/8');
  expectNoConsoleErrors(page, [400]);
});

it('deletes a key after a confirmation that names it; Escape closes a dialog and focus returns', async () => {
  const page = b.page();
  const acct = account();
  await apiGenerate(acct, { kind: 'api', name: 'Old key' });
  await openConsole(page, { sub: 'user_owner', acct, roles: ['owner'] });
  const opener = page.getByRole('button', { name: 'Delete Old key' });
  await opener.click();
  const dialog = page.getByRole('dialog', { name: 'Delete Old key?' });
  expect(await dialog.textContent()).toContain('“Old key”');
  await page.keyboard.press('Escape');
  await dialog.waitFor({ state: 'detached' });
  expect(await opener.evaluate((el) => el === (globalThis as unknown as PageGlobals).document.activeElement)).toBe(true);
  await page.keyboard.press('Enter'); // keyboard only: the focused button opens it again
  await expectAccessible(page, 'delete dialog');
  await dialog.getByRole('button', { name: 'Delete key' }).click();
  await page.getByRole('status').getByText('Old key deleted (revoked)').waitFor();
  expect(await page.getByRole('row', { name: /Old key/ }).textContent()).toContain('Revoked');
  expectNoConsoleErrors(page);
});

it('auditors read history and ask the validity question; other roles are told why they see nothing', async () => {
  const page = b.page();
  const acct = account();
  const { id } = await apiGenerate(acct, { kind: 'api', name: 'Audited', allowedIps: ['203.0.113.0/24'] });
  await openConsole(page, { sub: 'user_audit', acct, roles: ['auditor'] });
  await page.getByRole('heading', { name: 'History of the account' }).waitFor();
  expect(await page.getByRole('button', { name: 'Generate API Key' }).count()).toBe(0);
  await page.getByRole('cell', { name: 'KeyGenerated' }).waitFor();
  await page.getByLabel('Key id').fill(id);
  await page.getByLabel('IP address', { exact: true }).fill('203.0.113.9');
  await page.getByLabel('Time', { exact: true }).fill(new Date(Date.now() + 60_000).toISOString().slice(0, 19));
  await page.getByRole('button', { name: 'Check validity' }).click();
  await page.getByText(/^Valid: a request from 203\.0\.113\.9/).waitFor();
  await expectAccessible(page, 'history (auditor)');
  await screenshot(page, 'console-history-auditor');
  expectNoConsoleErrors(page);

  const other = await b.newContext();
  await fakeProvider(other.context, service.url, { sub: 'user_view', acct, roles: ['viewer'] });
  await other.page.goto(`${service.url}/console/`);
  await other.page.getByRole('heading', { name: 'Nothing to show' }).waitFor();
  expect(await other.page.getByRole('main').textContent()).toContain('viewer');
  await expectAccessible(other.page, 'no role');
});

it('auditors filter, page and export the account history (checked offline), and see the keys as they were at an instant', async () => {
  const page = b.page();
  const acct = account();
  const kept = await apiGenerate(acct, { kind: 'api', name: 'Kept', allowedIps: ['198.51.100.7'] });
  const gone = await apiGenerate(acct, { kind: 'api', name: 'Gone' });
  const owner = await actorToken({ acct, roles: ['owner'], sub: 'user_setup' });
  const call = async (method: string, path: string, body?: unknown) => {
    const response = await fetch(`${service.url}/v1/accounts/${acct}/keys/${path}`, {
      method,
      headers: { authorization: `Bearer ${owner}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    expect(response.status).toBe(200);
  };
  // 2 + 100 + 1 events: more than the screen's page of 100.
  for (let i = 1; i <= 100; i++) await call('PATCH', kept.id, { name: `Kept ${i}` });
  await new Promise((resolve) => setTimeout(resolve, 1100));
  const beforeRevocation = new Date(Date.now() - 500);
  await call('DELETE', gone.id);

  await openConsole(page, { sub: 'user_audit', acct, roles: ['auditor'] });
  await page.getByRole('heading', { name: 'History of the account' }).waitFor();
  const table = page.getByRole('table', { name: /first$/ });
  await table.getByRole('cell', { name: 'KeyRevoked' }).waitFor();
  expect(await table.getByRole('row').count()).toBe(1 + 100);
  expect(await table.getByRole('row').nth(1).textContent()).toContain('KeyRevoked');
  await page.getByRole('button', { name: 'Show older events' }).click();
  await table.getByRole('cell', { name: 'KeyGenerated' }).first().waitFor();
  expect(await table.getByRole('row').count()).toBe(1 + 103);
  expect(await page.getByRole('button', { name: 'Show older events' }).count()).toBe(0);

  // A change while a later page is open does not move the rows being read; it is offered instead.
  const later = await apiGenerate(acct, { kind: 'api', name: 'Later' });
  await page.getByText('New events were recorded.').waitFor();
  expect(await table.getByRole('row').count()).toBe(1 + 103);
  await page.getByRole('button', { name: 'Show the newest again' }).click();
  await page.getByText('New events were recorded.').waitFor({ state: 'detached' });
  expect(await table.getByRole('row').nth(1).textContent()).toContain(later.id);
  expect(await table.getByRole('row').count()).toBe(1 + 100);

  // One type: the one revocation; its CSV export holds that event only.
  await page.getByLabel('Event type').selectOption('KeyRevoked');
  await page.getByRole('button', { name: 'Show events' }).click();
  await page.getByRole('table', { name: 'Matching events, newest first' }).waitFor();
  expect(await table.getByRole('row').count()).toBe(2);
  expect(await table.getByRole('row').nth(1).textContent()).toContain(gone.id);
  await expectAccessible(page, 'history filtered (auditor)');
  await screenshot(page, 'console-history-filtered');
  const [csv] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Export CSV' }).click()]);
  expect(csv.suggestedFilename()).toBe(`history-${acct}.csv`);
  const csvLines = readFileSync(await csv.path(), 'utf8')
    .trim()
    .split(/\r?\n/);
  expect(csvLines).toHaveLength(2);
  expect(csvLines[1]).toContain('KeyRevoked');
  expect(csvLines[1]).toContain(gone.id);
  await page.getByText(`Downloaded history-${acct}.csv: 1 event`).waitFor();

  // One key, oldest first: its whole stream, exported as NDJSON and checked offline by the shipped script.
  await page.getByRole('button', { name: 'Clear filters' }).click();
  await page.getByLabel('Key', { exact: true }).fill(kept.id);
  await page.getByLabel('Order').selectOption('oldest');
  await page.getByRole('button', { name: 'Show events' }).click();
  await page.getByRole('table', { name: 'Matching events, oldest first' }).waitFor();
  expect(await table.getByRole('row').nth(1).textContent()).toContain('KeyGenerated');
  expect(await page.getByRole('button', { name: 'Show later events' }).count()).toBe(1);
  const [ndjson] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Export NDJSON' }).click()]);
  const file = await ndjson.path();
  const events = readFileSync(file, 'utf8')
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line) as { keyId?: string; type: string; streamId?: string });
  expect(events).toHaveLength(101);
  expect(events.map((e) => e.type)).toEqual(['KeyGenerated', ...Array(100).fill('KeyUpdated')]);
  await page.getByText(`Downloaded history-${acct}.ndjson: 101 events`).waitFor();
  const check = spawnSync(process.execPath, [join(__dirname, '../../../scripts/audit-check-export.js'), file], { encoding: 'utf8' });
  expect({ status: check.status, stderr: check.stderr }).toEqual({ status: 0, stderr: '' });

  // The keys as they were: before the revocation both active (and Kept's allow-list), now Gone revoked.
  const instant = page.getByLabel('Instant', { exact: true });
  const keysAt = page.getByRole('table', { name: /^Keys of the account at / });
  await instant.fill(beforeRevocation.toISOString().slice(0, 19));
  await page.getByRole('button', { name: 'Show the keys as they were' }).click();
  await keysAt.waitFor();
  expect(await keysAt.getByRole('row', { name: new RegExp(gone.id) }).textContent()).toContain('Active');
  expect(await keysAt.getByRole('row', { name: new RegExp(kept.id) }).textContent()).toContain('198.51.100.7');
  await instant.fill(new Date().toISOString().slice(0, 19));
  await page.getByRole('button', { name: 'Show the keys as they were' }).click();
  await keysAt.getByRole('row', { name: new RegExp(`${gone.id}.*Revoked`) }).waitFor();
  await expectAccessible(page, 'keys at an instant (auditor)');
  expectNoConsoleErrors(page);
});

it('updates an open page when another person changes a key, without a reload', async () => {
  const page = b.page();
  const acct = account();
  await openConsole(page, { sub: 'user_one', acct, roles: ['owner'] });
  await page.getByRole('heading', { name: 'Authentication Keys' }).waitFor();
  await page.getByText('No API keys yet.').waitFor();
  const navigations: string[] = [];
  page.on('framenavigated', (frame) => navigations.push(frame.url()));

  const second = await b.newContext();
  await fakeProvider(second.context, service.url, { sub: 'user_two', acct, roles: ['developer'] });
  await second.page.goto(`${service.url}/console/`);
  await second.page.getByRole('button', { name: 'Generate API Key' }).click();
  await second.page.getByLabel('Name').fill('From someone else');
  await second.page.getByRole('button', { name: 'Generate', exact: true }).click();
  await second.page.getByRole('dialog', { name: 'API Key generated' }).waitFor();

  await page.getByRole('row', { name: /From someone else/ }).waitFor();
  await page
    .getByRole('status')
    .getByText(/by user_two/)
    .waitFor();
  expect(navigations).toEqual([]);
  expectNoConsoleErrors(page);
});

it('keyboard only: Tab to Generate API Key, Enter, type, Enter; Tab stays in the dialog; Escape returns focus', async () => {
  const page = b.page();
  const acct = account();
  await openConsole(page, { sub: 'user_keys', acct, roles: ['developer'] });
  const generate = page.getByRole('button', { name: 'Generate API Key' });
  await generate.waitFor();
  const focused = (locator: typeof generate) =>
    locator.evaluate((el) => el === (globalThis as unknown as PageGlobals).document.activeElement);
  for (let i = 0; i < 30 && !(await focused(generate)); i++) await page.keyboard.press('Tab');
  expect(await focused(generate)).toBe(true);
  await page.keyboard.press('Enter');
  const dialog = page.getByRole('dialog', { name: 'Generate API Key' });
  await dialog.waitFor();
  expect(await focused(dialog.getByLabel('Name'))).toBe(true);
  await page.keyboard.type('Typed by keyboard');
  await page.keyboard.press('Enter');
  const shown = page.getByRole('dialog', { name: 'API Key generated' });
  await shown.waitFor();
  for (let i = 0; i < 8; i++) {
    await page.keyboard.press('Tab');
    const inside = await shown.evaluate((dialogElement) => {
      const active = (globalThis as unknown as PageGlobals).document.activeElement as { closest?: (s: string) => unknown } | null;
      return !active?.closest || active.closest('dialog') === dialogElement;
    });
    expect(inside).toBe(true);
  }
  await page.keyboard.press('Escape');
  await shown.waitFor({ state: 'detached' });
  expect(await focused(generate)).toBe(true);
  await page.getByRole('row', { name: /Typed by keyboard/ }).waitFor();
  expectNoConsoleErrors(page);
});

it('generates a signing key, then sets its expiry to a date and time', async () => {
  const page = b.page();
  const acct = account();
  await openConsole(page, { sub: 'user_sign', acct, roles: ['owner'] });
  await page.getByRole('button', { name: 'Generate Signing Key' }).click();
  const dialog = page.getByRole('dialog', { name: 'Generate Signing Key' });
  await dialog.getByLabel('Name').fill('Payment links');
  await dialog.getByRole('button', { name: 'Generate' }).click();
  const shown = page.getByRole('dialog', { name: 'Signing Key generated' });
  const secret = await shown.getByLabel('New key').inputValue();
  expect(secret).toMatch(/^sig_live_/);
  await shown.getByRole('button', { name: 'Done' }).click();

  await page.getByRole('button', { name: 'Set expiry Payment links' }).click();
  const expiry = page.getByRole('dialog', { name: 'Set expiry of Payment links' });
  await expiry.getByLabel('Expiry date and time').fill('2099-01-02T03:04');
  await expectAccessible(page, 'set expiry dialog');
  await expiry.getByRole('button', { name: 'Save expiry' }).click();
  await page.getByRole('status').getByText('Expiry of Payment links set').waitFor();
  const row = page.getByRole('table', { name: 'Signing keys' }).getByRole('row', { name: /Payment links/ });
  expect(await row.locator('time[datetime="2099-01-02T03:04:00.000Z"]').count()).toBe(1);
  await expectSecretsNowhere(page, [secret]);
  expectNoConsoleErrors(page);
});
