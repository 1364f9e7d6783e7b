import { useTestRedisCluster } from '../testing/test-redis';
import { describeHistoryStoreConformance } from './testing/history-store.conformance';
import { RedisHistoryStore } from './redis-history-store';

// On a Redis Cluster an account's keys share its hash tag ({<accountId>}): its write is one MULTI and a
// page's range read and HMGET stay in one slot, while accounts spread over the masters; a dropped
// generation is scanned for on every master.
const cluster = useTestRedisCluster('history');

describeHistoryStoreConformance('redis cluster', {
  create: async () => new RedisHistoryStore(cluster.client, { namespace: cluster.namespace() }),
});
describeHistoryStoreConformance('redis cluster, scan budget 5', {
  create: async () => new RedisHistoryStore(cluster.client, { namespace: cluster.namespace(), scanBudget: 5 }),
});
