#!/usr/bin/env node
// Readiness probe for the test Kafka broker (used by scripts/services.sh).
// usage: node scripts/kafka/probe.js HOST:PORT
// exit 0 = broker answers metadata and at least one (unfenced) broker is registered,
//      1 = not ready, 3 = kafkajs is not installed (caller falls back to another check).
'use strict';
const path = require('path');

const broker = process.argv[2] || '127.0.0.1:9192';
let kafkajs;
try {
  kafkajs = require(require.resolve('kafkajs', { paths: [process.cwd(), path.resolve(__dirname, '..', '..')] }));
} catch {
  process.exit(3);
}
const { Kafka, logLevel } = kafkajs;

const kafka = new Kafka({
  clientId: 'services-probe',
  brokers: [broker],
  logLevel: logLevel.NOTHING,
  connectionTimeout: 1000,
  requestTimeout: 3000,
  retry: { retries: 0 },
});
const admin = kafka.admin();
const hardStop = setTimeout(() => process.exit(1), 8000);

(async () => {
  await admin.connect();
  const cluster = await admin.describeCluster();
  if (!cluster.brokers.length) throw new Error('no unfenced broker registered yet');
  await admin.listTopics();
  console.log(`cluster ${cluster.clusterId}, ${cluster.brokers.length} broker(s)`);
})().then(
  async () => {
    await admin.disconnect().catch(() => {});
    clearTimeout(hardStop);
    process.exit(0);
  },
  async (err) => {
    if (process.env.PROBE_VERBOSE) console.error(err && err.message);
    await admin.disconnect().catch(() => {});
    process.exit(1);
  },
);
