/** docs/asyncapi.yaml names the topic the service publishes to when KAFKA_TOPIC is not set. */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadNotificationContract } from '../../../notifications/src/testing/notification-contract';
import { loadConfig } from './configuration';

it('the AsyncAPI channel is the default KAFKA_TOPIC', async () => {
  const contract = await loadNotificationContract();
  const config = loadConfig({
    DATA_DIR: mkdtempSync(join(tmpdir(), 'cs-config-')),
    AUTH_JWT_SECRET: 'contract-jwt-secret-0123456789-abcdefghij',
    SERVICE_TOKEN: 'contract-service-token-0123456789',
    MASTER_KEY: Buffer.alloc(32, 7).toString('base64'),
    KAFKA_BROKERS: 'localhost:9092',
  });
  expect(config.kafka?.topic).toBe(contract.topic);
}, 30_000);
