/**
 * The sign-in's configuration (README, "Sign-in"): the embedded provider by default, its keys generated
 * once into DATA_DIR (0600); OIDC_ISSUER switches to the company's provider and then needs AUTH_JWKS_URL.
 */
import { mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError, loadConfig } from './configuration';
import { publicJwks } from './identity-keys';

const SECRETS = {
  AUTH_JWT_SECRET: 'a-jwt-secret-that-is-long-enough-0123456789',
  SERVICE_TOKEN: 'a-service-token-0123456789abcdef',
  MASTER_KEY: Buffer.alloc(32, 1).toString('base64'),
};
const dataDir = () => mkdtempSync(join(tmpdir(), 'cs-identity-'));

function refusal(env: Record<string, string>): ConfigError {
  try {
    loadConfig({ DATA_DIR: dataDir(), ...SECRETS, ...env });
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error('expected a ConfigError');
}

describe('sign-in configuration', () => {
  it('defaults to the embedded provider, its keys generated once into DATA_DIR/oidc-keys.json (mode 0600)', () => {
    const dir = dataDir();
    const config = loadConfig({ DATA_DIR: dir, ...SECRETS });
    expect(config.identity).toMatchObject({
      mode: 'embedded',
      issuer: null,
      clientId: 'console',
      scopes: 'openid email',
      rolesClaim: 'roles',
      accountClaim: 'acct',
      loginThrottle: { perUser: 5, perIp: 50, windowSeconds: 900 },
    });
    expect(config.publicUrl).toBeNull();
    const path = join(dir, 'oidc-keys.json');
    expect(statSync(path).mode & 0o777).toBe(0o600);
    const first = readFileSync(path, 'utf8');
    expect(loadConfig({ DATA_DIR: dir, ...SECRETS }).identity.keys).toEqual(JSON.parse(first));
    const [key] = publicJwks(config.identity.keys!).keys;
    expect(key).toMatchObject({ kty: 'EC', crv: 'P-256', alg: 'ES256', use: 'sig' });
    expect(key.d).toBeUndefined();
  });

  it('switches to the company provider with OIDC_ISSUER: no embedded keys, AUTH_ISSUER defaults to it', () => {
    const dir = dataDir();
    const config = loadConfig({
      DATA_DIR: dir,
      ...SECRETS,
      OIDC_ISSUER: 'https://sso.example.com/realms/payments',
      AUTH_JWKS_URL: 'https://sso.example.com/realms/payments/protocol/openid-connect/certs',
      OIDC_CLIENT_ID: 'credential-console',
      OIDC_SCOPES: 'openid  profile email',
      OIDC_ROLES_CLAIM: 'realm_access.roles',
      OIDC_ACCOUNT_CLAIM: 'acct',
    });
    expect(config.identity).toMatchObject({
      mode: 'external',
      issuer: 'https://sso.example.com/realms/payments',
      clientId: 'credential-console',
      scopes: 'openid profile email',
      rolesClaim: 'realm_access.roles',
      keys: null,
    });
    expect(config.auth.issuer).toBe('https://sso.example.com/realms/payments');
    expect(() => statSync(join(dir, 'oidc-keys.json'))).toThrow();
  });

  it.each([
    [{ OIDC_ISSUER: 'https://sso.example.com' }, 'AUTH_JWKS_URL', 'must be set with OIDC_ISSUER'],
    [{ OIDC_ISSUER: 'sso.example.com' }, 'OIDC_ISSUER', 'is not a URL'],
    [{ OIDC_SCOPES: 'email profile' }, 'OIDC_SCOPES', 'including openid'],
    [{ OIDC_ROLES_CLAIM: 'realm access..roles' }, 'OIDC_ROLES_CLAIM', 'dotted path'],
    [{ PUBLIC_URL: 'https://credentials.example.com/console' }, 'PUBLIC_URL', 'an origin only'],
    [{ PUBLIC_URL: 'ftp://credentials.example.com' }, 'PUBLIC_URL', 'must use https: or http:'],
    [{ LOGIN_FAILURES_PER_USER: '0' }, 'LOGIN_FAILURES_PER_USER', 'between 1 and 1000'],
  ])('refuses %j naming %s', (env, variable, message) => {
    const error = refusal(env);
    expect(error.variable).toBe(variable);
    expect(error.message).toContain(message);
  });

  it('keeps PUBLIC_URL as an origin', () => {
    expect(loadConfig({ DATA_DIR: dataDir(), ...SECRETS, PUBLIC_URL: 'https://Credentials.Example.com/' }).publicUrl).toBe(
      'https://credentials.example.com',
    );
  });
});
