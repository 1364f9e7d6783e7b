import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError, loadConfig } from './configuration';

const SECRETS = {
  AUTH_JWT_SECRET: 'a-jwt-secret-that-is-long-enough-0123456789',
  SERVICE_TOKEN: 'a-service-token-0123456789abcdef',
  MASTER_KEY: Buffer.alloc(32, 1).toString('base64'),
};
const load = (env: Record<string, string>) => loadConfig({ DATA_DIR: mkdtempSync(join(tmpdir(), 'cs-config-')), ...SECRETS, ...env });

describe('rate-limit configuration', () => {
  it('has defaults well above a normal load (and the verify benchmark)', () => {
    expect(load({}).rateLimits).toEqual({
      verifyPerSecond: 50_000,
      signingPerSecond: 10_000,
      actorPerMinute: 3_000,
      accountPerMinute: 6_000,
      redisTimeoutMs: 100,
    });
  });

  it('reads each variable; 0 turns that limit off', () => {
    const config = load({
      RATE_LIMIT_VERIFY_PER_SECOND: '5',
      RATE_LIMIT_SIGNING_PER_SECOND: '0',
      RATE_LIMIT_MANAGEMENT_PER_MINUTE: '7',
      RATE_LIMIT_ACCOUNT_PER_MINUTE: '11',
      RATE_LIMIT_REDIS_TIMEOUT_MS: '2000',
    });
    expect(config.rateLimits).toEqual({
      verifyPerSecond: 5,
      signingPerSecond: 0,
      actorPerMinute: 7,
      accountPerMinute: 11,
      redisTimeoutMs: 2000,
    });
  });

  it.each([
    ['RATE_LIMIT_VERIFY_PER_SECOND', '-1'],
    ['RATE_LIMIT_VERIFY_PER_SECOND', '1.5'],
    ['RATE_LIMIT_SIGNING_PER_SECOND', 'lots'],
    ['RATE_LIMIT_MANAGEMENT_PER_MINUTE', '20000000'],
    ['RATE_LIMIT_ACCOUNT_PER_MINUTE', '1e3'],
    ['RATE_LIMIT_REDIS_TIMEOUT_MS', '0'],
    ['RATE_LIMIT_REDIS_TIMEOUT_MS', '60000'],
  ])('refuses %s=%s with a message naming it', (variable, value) => {
    let error: unknown;
    try {
      load({ [variable]: value });
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).variable).toBe(variable);
    expect((error as ConfigError).message.startsWith(`${variable}: `)).toBe(true);
  });
});
