/**
 * Secrets for local use, generated once into DATA_DIR/dev-secrets.json (mode 0600) when the
 * environment does not provide them, so `npm start` works on a fresh clone. Production sets them.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export type DevSecretName = 'AUTH_JWT_SECRET' | 'SERVICE_TOKEN' | 'MASTER_KEY';
export type DevSecrets = Partial<Record<DevSecretName, string>>;

export const devSecretsPath = (dataDir: string): string => join(dataDir, 'dev-secrets.json');

const generators: Record<DevSecretName, () => string> = {
  AUTH_JWT_SECRET: () => randomBytes(48).toString('base64url'),
  SERVICE_TOKEN: () => `svc_${randomBytes(32).toString('base64url')}`,
  MASTER_KEY: () => randomBytes(32).toString('base64'),
};

export function readDevSecrets(dataDir: string): DevSecrets {
  const path = devSecretsPath(dataDir);
  return existsSync(path) ? (JSON.parse(readFileSync(path, 'utf8')) as DevSecrets) : {};
}

export function loadOrCreateDevSecrets(dataDir: string, needed: DevSecretName[]): DevSecrets {
  const secrets = readDevSecrets(dataDir);
  const missing = needed.filter((name) => !secrets[name]);
  if (missing.length > 0) {
    for (const name of missing) secrets[name] = generators[name]();
    mkdirSync(dataDir, { recursive: true });
    writeFileSync(devSecretsPath(dataDir), `${JSON.stringify(secrets, null, 2)}\n`, { mode: 0o600 });
  }
  return secrets;
}
