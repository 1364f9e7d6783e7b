import { describeIdempotencyStoreConformance } from './testing/idempotency-store.conformance';
import { MemoryIdempotencyStore } from './memory-idempotency-store';

describeIdempotencyStoreConformance('MemoryIdempotencyStore', () => {
  let now = Date.parse('2026-12-01T00:00:00Z');
  const store = new MemoryIdempotencyStore(() => now);
  return Promise.resolve({
    store,
    elapse: (ms: number) => {
      now += ms;
      return Promise.resolve();
    },
  });
});
