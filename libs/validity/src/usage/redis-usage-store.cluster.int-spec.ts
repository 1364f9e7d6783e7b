import { useTestRedisCluster } from '../testing/test-redis';
import { describeUsageStoreConformance } from './testing/usage-store.conformance';
import { RedisUsageStore } from './redis-usage-store';

// On a Redis Cluster every key of the store is hash-tagged with the namespace: one script writes a whole
// batch of keys and MGET reads many, which a cluster refuses (CROSSSLOT) for keys of different slots.
const cluster = useTestRedisCluster('usage');

describeUsageStoreConformance('redis cluster', {
  create: async () => new RedisUsageStore(cluster.client, { namespace: cluster.namespace() }),
});
