import type { KeyRecord } from '@cs/validity';
import { toKeyView } from './views';

const NOW = Date.parse('2026-03-01T12:00:00.000Z');
const secret = (status: KeyRecord['status'], expiresAt: string | null = null) => ({
  version: 1,
  hash: 'h',
  start: 'ak_live_ab',
  expiresAt,
  status,
});
const record = (overrides: Partial<KeyRecord>): KeyRecord => ({
  keyId: 'key_01HZX3Q7N8M2K5VJ4T6R9P0ABC',
  accountId: 'acct_1',
  kind: 'api',
  name: 'n',
  status: 'suspended',
  createdAt: '2026-03-01T10:00:00.000Z',
  createdBy: 'u',
  updatedAt: '2026-03-01T11:00:00.000Z',
  allowedIps: [],
  webhookFormat: 'single',
  version: 1,
  current: secret('suspended'),
  previous: null,
  retired: [],
  ...overrides,
});

describe('the key view of a suspended key', () => {
  it('shows suspended', () => {
    expect(toKeyView(record({}), NOW).status).toBe('suspended');
  });

  it('shows expired once its current expiry has passed, whatever else it is', () => {
    const expiresAt = new Date(NOW - 1000).toISOString();
    expect(toKeyView(record({ current: secret('suspended', expiresAt) }), NOW).status).toBe('expired');
  });
});
