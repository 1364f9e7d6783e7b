import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EventStoreUnavailableError } from '../event-store.port';
import { SqliteEventStore } from './sqlite-event-store';

describe('SqliteCheckpointStore', () => {
  let dir: string;
  let file: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'es-cp-'));
    file = join(dir, 'events.db');
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('loads undefined for a subscriber that never saved, then the last saved position', async () => {
    const store = SqliteEventStore.open(':memory:');
    const checkpoints = store.checkpoints();
    expect(await checkpoints.load('projector')).toBeUndefined();
    await checkpoints.save('projector', 5n);
    await checkpoints.save('projector', 7n);
    await checkpoints.save('outbox', 2n);
    expect(await checkpoints.load('projector')).toBe(7n);
    expect(await checkpoints.load('outbox')).toBe(2n);
    await store.close();
  });

  it('keeps positions beyond 2^53 exact', async () => {
    const store = SqliteEventStore.open(':memory:');
    await store.checkpoints().save('big', 2n ** 62n + 1n);
    expect(await store.checkpoints().load('big')).toBe(2n ** 62n + 1n);
    await store.close();
  });

  it('survives a restart, in the same file as the events', async () => {
    const first = SqliteEventStore.open(file);
    await first.checkpoints().save('projector', 42n);
    await first.close();
    const second = SqliteEventStore.open(file);
    expect(await second.checkpoints().load('projector')).toBe(42n);
    await second.close();
  });

  it('fails with EventStoreUnavailableError once the store is closed', async () => {
    const store = SqliteEventStore.open(file);
    const checkpoints = store.checkpoints();
    await store.close();
    await expect(checkpoints.save('projector', 1n)).rejects.toBeInstanceOf(EventStoreUnavailableError);
    await expect(checkpoints.load('projector')).rejects.toBeInstanceOf(EventStoreUnavailableError);
    expect(() => store.checkpoints()).toThrow(EventStoreUnavailableError);
  });
});
