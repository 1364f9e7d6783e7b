/**
 * A secret scanning partner for tests: a locally generated ECDSA P-256 key pair whose public half
 * is served, as GitHub serves its own (`{"public_keys":[{key_identifier, key, is_current}]}`), from a
 * local HTTP server; the service under test fetches it through SECRET_SCANNING_KEYS_URL. `report`
 * signs a body as the partner program does: base64 DER ECDSA over the exact bytes.
 */
import { createHash, generateKeyPairSync, sign, type KeyObject } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ScanFinding {
  token: string;
  type: string;
  url: string;
  source?: string;
}

export interface TestPartner {
  /** Where the service fetches the keys (SECRET_SCANNING_KEYS_URL). */
  keysUrl: string;
  keyId: string;
  /** How many times the keys were fetched. */
  fetches(): number;
  /** The headers and exact body of a signed report (`keyId` and `privateKey` to sign as someone else). */
  signed(findings: unknown, options?: { keyId?: string; privateKey?: KeyObject }): { body: Buffer; headers: Record<string, string> };
  close(): Promise<void>;
}

export const newP256KeyPair = () => generateKeyPairSync('ec', { namedCurve: 'P-256' });

export async function startTestPartner(): Promise<TestPartner> {
  const { publicKey, privateKey } = newP256KeyPair();
  const pem = publicKey.export({ type: 'spki', format: 'pem' }).toString();
  const keyId = createHash('sha256').update(pem).digest('hex');
  let fetches = 0;
  const server: Server = createServer((request, response) => {
    fetches++;
    response.writeHead(200, { 'content-type': 'application/json' });
    response.end(JSON.stringify({ public_keys: [{ key_identifier: keyId, key: pem, is_current: true }] }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    keysUrl: `http://127.0.0.1:${port}/meta/public_keys/secret_scanning`,
    keyId,
    fetches: () => fetches,
    signed(findings, options = {}) {
      const body = Buffer.from(JSON.stringify(findings), 'utf8');
      const signature = sign('sha256', body, { key: options.privateKey ?? privateKey, dsaEncoding: 'der' }).toString('base64');
      return {
        body,
        headers: {
          'content-type': 'application/json',
          'Github-Public-Key-Identifier': options.keyId ?? keyId,
          'Github-Public-Key-Signature': signature,
        },
      };
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
