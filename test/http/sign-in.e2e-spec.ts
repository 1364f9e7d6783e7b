/**
 * The console's sign-in against the embedded OpenID provider (issue 11), without a browser: discovery,
 * authorization code + PKCE with oauth4webapi, the sign-in form, the token, and the API accepting it;
 * wrong passwords, throttling, RFC 9470's re-verification, config.json, and nothing secret in the logs.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { startTestApp, uniqueAccount, type TestApp } from '../support/app';
import { actorToken, bearer } from '../support/tokens';
import { addUser, ConsoleBrowser, ROOT, type Page } from '../support/oidc-client';

const PASSWORD = 'correct horse battery staple';
const REVERIFY = 'Enter your Password and verify your identity';

const createKey = (app: TestApp, acct: string, token: string): Promise<Response> =>
  fetch(`${app.url}/v1/accounts/${acct}/keys`, {
    method: 'POST',
    headers: { ...bearer(token), 'content-type': 'application/json' },
    body: JSON.stringify({ kind: 'api', name: 'Checkout widget' }),
  });

const isPage = (value: Page | { callback: URL }): value is Page => !('callback' in value);

describe('Sign-in with the embedded OpenID provider', () => {
  let app: TestApp;
  const secretsSeen: string[] = [PASSWORD];

  beforeAll(async () => {
    app = await startTestApp({ LOGIN_FAILURES_PER_USER: '3', STEP_UP_MAX_AGE_SECONDS: '2' });
  });
  afterAll(async () => {
    await app?.close();
  });

  const person = (role = 'owner') => {
    const acct = uniqueAccount();
    const email = `${acct.toLowerCase()}@example.com`;
    addUser(app.dataDir, { email, account: acct, role, password: PASSWORD });
    return { acct, email };
  };

  it('serves /console/config.json: the issuer, the client, the scopes, nothing secret', async () => {
    const response = await fetch(`${app.url}/console/config.json`);
    expect(response.status).toBe(200);
    expect(response.headers.get('cache-control')).toBe('no-store');
    expect(await response.json()).toEqual({
      issuer: `${app.url}/oidc`,
      clientId: 'console',
      scopes: 'openid email',
      apiBase: app.url,
      redirectPath: '/console/callback',
    });
  });

  it('publishes discovery and keys: code flow with PKCE S256 only', async () => {
    const discovery: any = await (await fetch(`${app.url}/oidc/.well-known/openid-configuration`)).json();
    expect(discovery.issuer).toBe(`${app.url}/oidc`);
    expect(discovery.response_types_supported).toEqual(['code']);
    expect(discovery.code_challenge_methods_supported).toEqual(['S256']);
    const jwks: any = await (await fetch(discovery.jwks_uri)).json();
    expect(jwks.keys).toHaveLength(1);
    expect(jwks.keys[0]).toMatchObject({ kty: 'EC', crv: 'P-256', alg: 'ES256', use: 'sig' });
    expect(jwks.keys[0].d).toBeUndefined();
    const keysFile = join(app.dataDir, 'oidc-keys.json');
    expect(statSync(keysFile).mode & 0o777).toBe(0o600);
  });

  it('signs a person in with the code flow; the API accepts the access token (create a key: 201)', async () => {
    const { acct, email } = person();
    const browser = new ConsoleBrowser(app.url);
    const before = Math.floor(Date.now() / 1000);
    const page = await browser.authorize();
    if (!isPage(page)) throw new Error('expected the sign-in page');
    expect(page.status).toBe(200);
    expect(page.html).toContain('<label for="email">Email</label>');
    expect(page.html).toContain('<label for="password">Password</label>');
    expect(page.html).toContain('<button type="submit">Sign in</button>');
    expect(page.html).not.toMatch(/<script|style=/);
    expect(page.headers.get('content-security-policy')).toContain("default-src 'none'");
    expect(page.headers.get('content-security-policy')).toContain("frame-ancestors 'none'");
    const after = await browser.submit(page, { email, password: PASSWORD });
    if (isPage(after)) throw new Error(`sign-in failed: ${after.html}`);
    const signedIn = await browser.exchange(after.callback);
    secretsSeen.push(signedIn.accessToken);
    // Everything the API needs, and auth_time the instant the password was entered.
    expect(signedIn.claims).toMatchObject({ acct, roles: ['owner'], iss: `${app.url}/oidc`, aud: `${app.url}/v1` });
    expect(signedIn.claims.sub).toMatch(/^usr_[0-9a-f]{24}$/);
    expect(signedIn.claims.auth_time).toBeGreaterThanOrEqual(before);
    expect(signedIn.claims.auth_time).toBeLessThanOrEqual(Math.floor(Date.now() / 1000));
    expect(signedIn.idToken?.email).toBe(email);
    const created = await createKey(app, acct, signedIn.accessToken);
    expect(created.status).toBe(201);
    // Another account's keys stay out of reach with this token.
    expect((await fetch(`${app.url}/v1/accounts/${uniqueAccount()}/keys`, { headers: bearer(signedIn.accessToken) })).status).toBe(404);
  });

  it('answers a wrong password and an unknown email with the same message', async () => {
    const { email } = person();
    const browser = new ConsoleBrowser(app.url);
    const page = (await browser.authorize()) as Page;
    const wrong = (await browser.submit(page, { email, password: 'not the password 123' })) as Page;
    const unknown = (await browser.submit(page, { email: `nobody-${Date.now()}@example.com`, password: PASSWORD })) as Page;
    for (const answer of [wrong, unknown]) {
      expect(answer.status).toBe(401);
      expect(answer.html).toContain('Wrong email or password.');
      expect(answer.html).toContain('role="alert"');
      expect(answer.html).not.toContain('not the password 123');
      expect(answer.html).not.toContain(PASSWORD);
    }
  });

  it('throttles sign-in after repeated failures, even with the right password then', async () => {
    const { email } = person();
    const browser = new ConsoleBrowser(app.url);
    const page = (await browser.authorize()) as Page;
    for (let i = 0; i < 3; i++)
      expect(((await browser.submit(page, { email, password: `wrong password ${i}!` })) as Page).status).toBe(401);
    const refused = (await browser.submit(page, { email, password: PASSWORD })) as Page;
    expect(refused.status).toBe(429);
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(refused.html).toContain('Too many failed sign-in attempts');
    // The same for an email nobody has: the answer does not tell which emails exist.
    const other = `nobody-${Date.now()}@example.com`;
    for (let i = 0; i < 3; i++) await browser.submit(page, { email: other, password: `wrong password ${i}!` });
    expect(((await browser.submit(page, { email: other, password: PASSWORD })) as Page).status).toBe(429);
  });

  it('refuses a form posted from another site or without the CSRF field', async () => {
    const browser = new ConsoleBrowser(app.url);
    const page = (await browser.authorize()) as Page;
    const action = new URL(/action="([^"]+)"/.exec(page.html)![1], page.url);
    const post = (headers: Record<string, string>, body: string) =>
      browser.get(action, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers }, body });
    expect((await post({ origin: 'https://evil.example' }, 'email=a%40b.c&password=x')).status).toBe(403);
    expect((await post({ origin: action.origin }, 'email=a%40b.c&password=x&csrf=forged')).status).toBe(403);
  });

  it('re-verifies the password (RFC 9470): stale auth_time → 401 insufficient_user_authentication → prompt=login → fresh token → 201', async () => {
    const { acct, email } = person();
    const browser = new ConsoleBrowser(app.url);
    const first = await browser.signIn(email, PASSWORD);
    secretsSeen.push(first.accessToken);
    await new Promise((r) => setTimeout(r, 3100)); // STEP_UP_MAX_AGE_SECONDS=2 here
    const stale = await createKey(app, acct, first.accessToken);
    expect(stale.status).toBe(401);
    expect(stale.headers.get('www-authenticate')).toContain('error="insufficient_user_authentication"');
    // Signed in already: without prompt=login the provider would not ask again. With it, the password only.
    const page = await browser.authorize({ stepUp: true });
    if (!isPage(page)) throw new Error('expected the re-verification page');
    expect(page.html).toContain(`<h1>${REVERIFY}</h1>`);
    expect(page.html).toContain('<label for="password">Password</label>');
    expect(page.html).toContain('<button type="submit">Verify</button>');
    expect(page.html).not.toContain('<label for="email">');
    const wrong = (await browser.submit(page, { password: 'not it at all, sorry' })) as Page;
    expect(wrong.status).toBe(401);
    expect(wrong.html).toContain('Wrong password.');
    const after = await browser.submit(page, { password: PASSWORD });
    if (isPage(after)) throw new Error(`re-verification failed: ${after.html}`);
    const fresh = await browser.exchange(after.callback);
    secretsSeen.push(fresh.accessToken);
    expect(fresh.claims.sub).toBe(first.claims.sub);
    expect(fresh.claims.auth_time as number).toBeGreaterThan(first.claims.auth_time as number);
    expect((await createKey(app, acct, fresh.accessToken)).status).toBe(201);
  });

  it('keeps issuing tokens without the password while the session lasts (no prompt)', async () => {
    const { email } = person('auditor');
    const browser = new ConsoleBrowser(app.url);
    const first = await browser.signIn(email, PASSWORD);
    const again = await browser.authorize();
    expect('callback' in again).toBe(true);
    const second = await browser.exchange((again as { callback: URL }).callback);
    expect(second.claims).toMatchObject({ roles: ['auditor'], auth_time: first.claims.auth_time });
  });

  it('asks again for the password once it has changed, and signs a removed user out', async () => {
    const { email } = person('developer');
    const browser = new ConsoleBrowser(app.url);
    await browser.signIn(email, PASSWORD);
    const cli = (args: string[], input?: string) =>
      execFileSync(process.execPath, ['scripts/user.js', ...args], { cwd: ROOT, env: { ...process.env, DATA_DIR: app.dataDir }, input });
    await new Promise((r) => setTimeout(r, 1100)); // the change is later than the sign-in (whole seconds)
    cli(['passwd', '--email', email, '--password-stdin'], 'the new passphrase of 2026\n');
    const reverify = await browser.authorize();
    if (!isPage(reverify)) throw new Error('a changed password should be asked for');
    expect(reverify.html).toContain(REVERIFY);
    expect(((await browser.submit(reverify, { password: PASSWORD })) as Page).status).toBe(401);
    const done = await browser.submit(reverify, { password: 'the new passphrase of 2026' });
    expect('callback' in done).toBe(true);
    cli(['remove', '--email', email]);
    const signIn = await browser.authorize();
    if (!isPage(signIn)) throw new Error('a removed user should be signed out');
    expect(signIn.html).toContain('<label for="email">Email</label>');
  });

  it('still accepts the HS256 tokens of AUTH_JWT_SECRET', async () => {
    const acct = uniqueAccount();
    expect((await createKey(app, acct, await actorToken({ acct }))).status).toBe(201);
  });

  it('never writes a password or a token to the logs', () => {
    const logs = app.logger.lines.map((l) => l.text).join('\n');
    expect(logs).toContain('signed in');
    for (const secret of secretsSeen) expect(logs).not.toContain(secret);
    expect(logs).not.toMatch(/wrong password \d|not it at all|not the password/);
  });
});

describe('npm run user', () => {
  let app: TestApp;
  beforeAll(async () => {
    app = await startTestApp();
  });
  afterAll(async () => {
    await app?.close();
  });

  const cli = (args: string[], input?: string) =>
    spawnSync(process.execPath, ['scripts/user.js', ...args], {
      cwd: ROOT,
      env: { ...process.env, DATA_DIR: app.dataDir },
      input,
      encoding: 'utf8',
    });

  it('adds, lists, changes the password of and removes a user; the password never shows', async () => {
    const added = cli(
      ['add', '--email', 'Dev@Example.com', '--account', 'acct_cli', '--role', 'developer', '--password-stdin'],
      `${PASSWORD}\n`,
    );
    expect(added.status).toBe(0);
    expect(added.stdout).toMatch(/^added dev@example\.com \(usr_[0-9a-f]{24}\): account acct_cli, role developer\n$/);
    const file = readFileSync(join(app.dataDir, 'users.json'), 'utf8');
    expect(statSync(join(app.dataDir, 'users.json')).mode & 0o777).toBe(0o600);
    expect(file).not.toContain(PASSWORD);
    expect(JSON.parse(file).users[0].password).toMatchObject({ alg: 'scrypt', N: 32768, r: 8, p: 1, keyLength: 64 });
    const list = cli(['list']);
    expect(list.stdout).toMatch(/^dev@example\.com\tacct_cli\tdeveloper\tusr_[0-9a-f]{24}\n$/);
    expect(list.stdout).not.toMatch(/scrypt|hash|salt/);

    await new ConsoleBrowser(app.url).signIn('dev@example.com', PASSWORD);
    const changed = cli(['passwd', '--email', 'dev@example.com', '--password-stdin'], 'a brand new passphrase\n');
    expect(changed.status).toBe(0);
    expect(changed.stdout).toBe('password changed for dev@example.com\n');
    const browser = new ConsoleBrowser(app.url);
    const page = (await browser.authorize()) as Page;
    expect(((await browser.submit(page, { email: 'dev@example.com', password: PASSWORD })) as Page).status).toBe(401);
    await new ConsoleBrowser(app.url).signIn('dev@example.com', 'a brand new passphrase');

    expect(cli(['remove', '--email', 'dev@example.com']).stdout).toBe('removed dev@example.com\n');
    expect(cli(['list']).stdout).toContain('no users');
    for (const run of [added, list, changed]) expect(run.stdout + run.stderr).not.toMatch(/correct horse|brand new passphrase/);
  });

  it('explains what is wrong, never repeating a password', () => {
    const asArgument = cli(['add', '--email', 'a@b.co', '--account', 'a', '--role', 'owner', '--password', 'hunter2hunter2']);
    expect(asArgument.status).toBe(2);
    expect(asArgument.stderr).toContain('a password is never taken as an argument');
    expect(asArgument.stderr).not.toContain('hunter2');
    const stray = cli(['add', 'hunter2hunter2']);
    expect(stray.stderr).toContain('unexpected argument at position 2');
    expect(stray.stderr).not.toContain('hunter2');
    const short = cli(['add', '--email', 'a@b.co', '--account', 'a', '--role', 'owner', '--password-stdin'], 'short\n');
    expect(short.status).toBe(2);
    expect(short.stderr).toBe('user: the password is too short: at least 12 characters\n');
    expect(cli(['add', '--email', 'a@b.co', '--account', 'a', '--role', 'root', '--password-stdin'], `${PASSWORD}\n`).stderr).toBe(
      'user: --role must be one of owner, admin, developer, auditor, viewer\n',
    );
    expect(cli(['add', '--email', 'not-an-email', '--account', 'a', '--role', 'owner']).stderr).toContain(
      '--email is not an email address',
    );
    expect(cli(['add', '--email', 'a@b.co', '--account', 'a', '--role', 'owner']).stderr).toContain('use --password-stdin');
    expect(cli(['passwd', '--email', 'nobody@b.co', '--password-stdin'], `${PASSWORD}\n`).stderr).toContain('no user with this email');
    const help = cli(['--help']);
    expect(help.status).toBe(0);
    expect(help.stdout).toContain('usage: npm run user -- add');
    expect(execFileSync('npm', ['run', '-s', 'user', '--', '--help'], { cwd: ROOT, encoding: 'utf8' })).toContain('--password-stdin');
  });
});

describe("Sign-in with the company's identity provider (OIDC_ISSUER)", () => {
  let app: TestApp;
  beforeAll(async () => {
    app = await startTestApp({
      OIDC_ISSUER: 'https://sso.example.com/realms/payments',
      AUTH_JWKS_URL: 'https://sso.example.com/realms/payments/protocol/openid-connect/certs',
      OIDC_CLIENT_ID: 'credential-console',
      OIDC_SCOPES: 'openid profile email',
    });
  });
  afterAll(async () => {
    await app?.close();
  });

  it('points the console at it in config.json and runs no provider of its own', async () => {
    expect(await (await fetch(`${app.url}/console/config.json`)).json()).toEqual({
      issuer: 'https://sso.example.com/realms/payments',
      clientId: 'credential-console',
      scopes: 'openid profile email',
      apiBase: app.url,
      redirectPath: '/console/callback',
    });
    expect((await fetch(`${app.url}/oidc/.well-known/openid-configuration`)).status).toBe(404);
    expect(readdirSync(app.dataDir)).not.toContain('oidc-keys.json');
  });
});
