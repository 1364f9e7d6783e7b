import { describeUsageStoreConformance } from './testing/usage-store.conformance';
import { MemoryUsageStore } from './memory-usage-store';

describeUsageStoreConformance('memory', { create: async () => new MemoryUsageStore() });
