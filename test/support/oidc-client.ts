/**
 * The console's sign-in without a browser: oauth4webapi (authorization code + PKCE, public client) plus
 * a cookie jar over fetch, following the provider's redirects by hand and filling its sign-in form the way
 * a browser would submit it (same-origin, with the page's CSRF field).
 */
import { execFileSync } from 'node:child_process';
import { resolve } from 'node:path';
import * as oauth from 'oauth4webapi';

export const ROOT = resolve(__dirname, '../..');

/** Adds a local user with the CLI (the password on stdin); returns the CLI's output. */
export function addUser(dataDir: string, user: { email: string; account: string; role: string; password: string }): string {
  return execFileSync(
    process.execPath,
    ['scripts/user.js', 'add', '--email', user.email, '--account', user.account, '--role', user.role, '--password-stdin'],
    { cwd: ROOT, env: { ...process.env, DATA_DIR: dataDir }, input: `${user.password}\n`, encoding: 'utf8' },
  );
}

interface Cookie {
  name: string;
  value: string;
  path: string;
}

export class CookieJar {
  private cookies: Cookie[] = [];

  store(response: Response): void {
    for (const line of response.headers.getSetCookie()) {
      const [pair, ...attributes] = line.split(';').map((part) => part.trim());
      const eq = pair.indexOf('=');
      const name = pair.slice(0, eq);
      const value = pair.slice(eq + 1);
      let path = '/';
      let expired = false;
      for (const attribute of attributes) {
        const [key, val = ''] = attribute.split('=');
        if (key.toLowerCase() === 'path') path = val;
        if (key.toLowerCase() === 'expires' && Date.parse(val) <= Date.now()) expired = true;
        if (key.toLowerCase() === 'max-age' && Number(val) <= 0) expired = true;
      }
      this.cookies = this.cookies.filter((c) => !(c.name === name && c.path === path));
      if (!expired) this.cookies.push({ name, value, path });
    }
  }

  header(url: URL): string {
    return this.cookies
      .filter((c) => url.pathname === c.path || url.pathname.startsWith(c.path.endsWith('/') ? c.path : `${c.path}/`) || c.path === '/')
      .map((c) => `${c.name}=${c.value}`)
      .join('; ');
  }
}

export interface Page {
  url: URL;
  status: number;
  html: string;
  headers: Headers;
}

export interface SignedIn {
  accessToken: string;
  idToken: oauth.IDToken | undefined;
  claims: Record<string, unknown>;
}

export const decodeJwt = (token: string): Record<string, unknown> =>
  JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString('utf8')) as Record<string, unknown>;

/** One person's browser: its cookies, and the console's client (config.json). */
export class ConsoleBrowser {
  readonly jar = new CookieJar();
  private as: oauth.AuthorizationServer | null = null;
  private pending: { verifier: string; state: string; nonce: string; maxAge?: number } | null = null;
  config: { issuer: string; clientId: string; scopes: string; apiBase: string; redirectPath: string } | null = null;

  constructor(private readonly base: string) {}

  async get(url: URL | string, init: RequestInit = {}): Promise<Response> {
    const target = new URL(url, this.base);
    const response = await fetch(target, {
      ...init,
      redirect: 'manual',
      headers: { ...(init.headers as Record<string, string>), cookie: this.jar.header(target) },
    });
    this.jar.store(response);
    return response;
  }

  private async server(): Promise<oauth.AuthorizationServer> {
    if (this.as) return this.as;
    const config = (await (await fetch(`${this.base}/console/config.json`)).json()) as NonNullable<ConsoleBrowser['config']>;
    this.config = config;
    const issuer = new URL(config.issuer);
    const response = await oauth.discoveryRequest(issuer, { algorithm: 'oidc', [oauth.allowInsecureRequests]: true });
    this.as = await oauth.processDiscoveryResponse(issuer, response);
    return this.as;
  }

  /** Starts an authorization (as the console does) and follows redirects until a page or the callback. */
  async authorize(options: { stepUp?: boolean } = {}): Promise<Page | { callback: URL }> {
    const as = await this.server();
    const config = this.config!;
    this.pending = {
      verifier: oauth.generateRandomCodeVerifier(),
      state: oauth.generateRandomState(),
      nonce: oauth.generateRandomNonce(),
      ...(options.stepUp ? { maxAge: 0 } : {}),
    };
    const url = new URL(as.authorization_endpoint!);
    url.searchParams.set('client_id', config.clientId);
    url.searchParams.set('redirect_uri', new URL(config.redirectPath, this.base).href);
    url.searchParams.set('response_type', 'code');
    url.searchParams.set('scope', config.scopes);
    url.searchParams.set('code_challenge', await oauth.calculatePKCECodeChallenge(this.pending.verifier));
    url.searchParams.set('code_challenge_method', 'S256');
    url.searchParams.set('state', this.pending.state);
    url.searchParams.set('nonce', this.pending.nonce);
    if (options.stepUp) {
      url.searchParams.set('prompt', 'login');
      url.searchParams.set('max_age', '0');
    }
    return this.follow(await this.get(url), url);
  }

  private async follow(response: Response, url: URL): Promise<Page | { callback: URL }> {
    let current = response;
    let at = url;
    for (let hops = 0; hops < 10; hops++) {
      if (current.status < 300 || current.status >= 400) {
        return { url: at, status: current.status, html: await current.text(), headers: current.headers };
      }
      const next = new URL(current.headers.get('location')!, at);
      if (next.pathname === this.config!.redirectPath) return { callback: next };
      at = next;
      current = await this.get(next);
    }
    throw new Error('too many redirects');
  }

  /** Submits the form of a sign-in page as a browser would (same-origin POST with its hidden fields). */
  async submit(page: Page, fields: Record<string, string>): Promise<Page | { callback: URL }> {
    const action = /<form method="post" action="([^"]+)"/.exec(page.html)?.[1];
    if (!action) throw new Error(`no form on the page:\n${page.html}`);
    const csrf = /name="csrf" value="([^"]+)"/.exec(page.html)?.[1] ?? '';
    const target = new URL(action.replace(/&amp;/g, '&'), page.url);
    const response = await this.get(target, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        origin: target.origin,
        'sec-fetch-site': 'same-origin',
      },
      body: new URLSearchParams({ csrf, ...fields }).toString(),
    });
    return this.follow(response, target);
  }

  /** At the callback: the code for tokens, checked as the console checks them. */
  async exchange(callback: URL): Promise<SignedIn> {
    const as = await this.server();
    const config = this.config!;
    const client: oauth.Client = { client_id: config.clientId };
    const pending = this.pending!;
    const params = oauth.validateAuthResponse(as, client, callback, pending.state);
    const response = await oauth.authorizationCodeGrantRequest(
      as,
      client,
      oauth.None(),
      params,
      new URL(config.redirectPath, this.base).href,
      pending.verifier,
      { [oauth.allowInsecureRequests]: true },
    );
    const result = await oauth.processAuthorizationCodeResponse(as, client, response, {
      expectedNonce: pending.nonce,
      requireIdToken: true,
      ...(pending.maxAge === undefined ? {} : { maxAge: pending.maxAge }),
    });
    return { accessToken: result.access_token, idToken: oauth.getValidatedIdTokenClaims(result), claims: decodeJwt(result.access_token) };
  }

  /** The whole sign-in: authorize, the form with email and password, the code exchange. */
  async signIn(email: string, password: string): Promise<SignedIn> {
    const page = await this.authorize();
    if ('callback' in page) return this.exchange(page.callback);
    const after = await this.submit(page, { email, password });
    if (!('callback' in after)) throw new Error(`sign-in did not complete (HTTP ${after.status}):\n${after.html}`);
    return this.exchange(after.callback);
  }
}
