import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError, loadConfig } from './configuration';

const env = (extra: Record<string, string>) => ({
  DATA_DIR: mkdtempSync(join(tmpdir(), 'cs-config-')),
  AUTH_JWT_SECRET: 'a-jwt-secret-that-is-long-enough-0123456789',
  SERVICE_TOKEN: 'a-service-token-0123456789abcdef',
  MASTER_KEY: Buffer.alloc(32, 1).toString('base64'),
  ...extra,
});

describe('key usage configuration', () => {
  it('is on by default, written every 5 s, at most 100000 key-days held', () => {
    expect(loadConfig(env({})).usage).toEqual({ enabled: true, flushMs: 5000, maxKeys: 100_000 });
  });

  it('reads USAGE=off, USAGE_FLUSH_MS and USAGE_MAX_KEYS', () => {
    expect(loadConfig(env({ USAGE: 'off', USAGE_FLUSH_MS: '250', USAGE_MAX_KEYS: '10' })).usage).toEqual({
      enabled: false,
      flushMs: 250,
      maxKeys: 10,
    });
  });

  it.each([
    ['USAGE', 'yes'],
    ['USAGE_FLUSH_MS', '0'],
    ['USAGE_MAX_KEYS', 'many'],
  ])('refuses %s=%s naming the variable', (name, value) => {
    expect(() => loadConfig(env({ [name]: value }))).toThrow(ConfigError);
    expect(() => loadConfig(env({ [name]: value }))).toThrow(new RegExp(`^${name}:`));
  });
});
