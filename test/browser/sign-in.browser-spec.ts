/**
 * The embedded sign-in page (the real OpenID provider under /oidc, a local user made with
 * `npm run user -- add`) in Chromium against the built service: reached from /console, it has a strict
 * CSP and logs no error, it works with the keyboard alone, axe finds nothing serious on it, and a wrong
 * password is said in an alert without leaving the page.
 */
import {
  addLocalUser,
  browserRecords,
  expectAccessible,
  expectNoConsoleErrors,
  FAVICON_404,
  expectStrictCsp,
  lastDocument,
  screenshot,
  signIn,
  signInWithKeyboard,
  startBuiltService,
  testUser,
  useBrowser,
  type BuiltService,
  type TestUser,
} from './support';

let service: BuiltService;
let owner: TestUser;
beforeAll(async () => {
  service = await startBuiltService();
  owner = await addLocalUser(service, testUser('owner', `acct_signin_${process.pid}`));
}, 60_000);
afterAll(async () => {
  await service?.stop();
});

const b = useBrowser();

describe('embedded sign-in page', () => {
  it('/console sends a signed-out person to the sign-in page: strict CSP, labelled fields, no console error, axe clean', async () => {
    const page = b.page();
    await page.goto(`${service.url}/console/`);
    await page.getByRole('heading', { name: 'Sign in' }).waitFor();
    expect(new URL(page.url()).pathname).toMatch(/^\/oidc\/interaction\//);
    const signInDocument = lastDocument(page, '/oidc/interaction/');
    expect(signInDocument.status).toBe(200);
    expectStrictCsp(signInDocument.headers['content-security-policy'], 'the sign-in page');
    expectStrictCsp(lastDocument(page, '/console').headers['content-security-policy'], 'the console page');
    await expect(page.getByLabel('Email').getAttribute('type')).resolves.toBe('email');
    await expect(page.getByLabel('Password').getAttribute('type')).resolves.toBe('password');
    expectNoConsoleErrors(page, [FAVICON_404]);
    await expectAccessible(page, 'sign-in');
    await screenshot(page, 'sign-in');
  });

  it('keyboard only: Tab to Email and Password, Enter signs in and lands on Authentication Keys', async () => {
    const page = b.page();
    await page.goto(`${service.url}/console/`);
    await page.getByRole('heading', { name: 'Sign in' }).waitFor();
    await signInWithKeyboard(page, owner);
    await page.getByRole('heading', { name: 'Authentication Keys', level: 1 }).waitFor();
    expect(new URL(page.url()).pathname).toBe('/console/');
    await expect(page.getByText(`Signed in as`).textContent()).resolves.toContain(owner.account);
    // the callback's code and state left the address bar and the history; nothing kept in storage
    const { history, localStorage, sessionStorage } = await browserRecords(page);
    expect(history.join('\n')).not.toMatch(/[?&]code=/);
    expect(localStorage).toEqual({});
    expect(sessionStorage).toEqual({});
    expectNoConsoleErrors(page, [FAVICON_404]);
  });

  it('a wrong password is said in an alert on the same page, and the password is not echoed back', async () => {
    const page = b.page();
    await page.goto(`${service.url}/console/`);
    await page.getByRole('heading', { name: 'Sign in' }).waitFor();
    await signIn(page, { email: owner.email, password: 'not-the-password-0123' });
    await expect(page.getByRole('alert').textContent()).resolves.toContain('Wrong email or password.');
    await expect(page.getByLabel('Password').inputValue()).resolves.toBe('');
    expect(await page.content()).not.toContain('not-the-password-0123');
    await expectAccessible(page, 'sign-in with an error');
    await signIn(page, owner);
    await page.getByRole('heading', { name: 'Authentication Keys', level: 1 }).waitFor();
  });

  it("roles come from the real provider's token: an auditor lands on History without key management, a viewer is told why there is nothing", async () => {
    const account = `acct_roles_${process.pid}`;
    const auditor = await addLocalUser(service, testUser('auditor', account));
    const viewer = await addLocalUser(service, testUser('viewer', account));
    const page = b.page();
    await page.goto(`${service.url}/console/`);
    await signIn(page, auditor);
    await page.getByRole('heading', { name: 'History of the account', level: 1 }).waitFor();
    await expect(page.getByRole('button', { name: 'Generate API Key' }).count()).resolves.toBe(0);
    await expect(page.getByRole('navigation', { name: 'Developer Space' }).getByRole('link').allTextContents()).resolves.toEqual([
      'History',
    ]);
    await expectAccessible(page, 'history (auditor, real sign-in)');
    expectNoConsoleErrors(page, [FAVICON_404]);

    const other = await b.newContext();
    await other.page.goto(`${service.url}/console/`);
    await signIn(other.page, viewer);
    await other.page.getByRole('heading', { name: 'Nothing to show', level: 1 }).waitFor();
    await expect(other.page.getByRole('main').textContent()).resolves.toContain('(viewer)');
    await expectAccessible(other.page, 'nothing to show (viewer)');
    await screenshot(other.page, 'nothing-to-show');
    expectNoConsoleErrors(other.page, [FAVICON_404]);
  });
});
