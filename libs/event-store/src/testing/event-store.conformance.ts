import {
  InvalidCheckpointError,
  streamPartition,
  WrongExpectedRevisionError,
  type AllStreamSubscription,
  type EventStore,
  type NewEvent,
  type SubscribeOptions,
} from '../event-store.port';
import { WAIT_MS, collect, expectIncreasing, expectWrongRevision, ids, newEvents, readAll, uid, withTimeout } from './conformance-helpers';

/**
 * The behaviour every EventStore adapter must show, written against the port only. Every test works
 * in its own random stream prefix and filters by it, so the suite also runs against a shared server
 * that other tests (or earlier runs) have written to. Waits are bounded: a broken adapter fails fast.
 */
export interface EventStoreConformanceFactory {
  create(): Promise<EventStore>;
  /** Reopen the same storage (a restart), after the current store was closed. Omit if unsupported. */
  reopen?(): Promise<EventStore>;
  cleanup?(): Promise<void>;
}

export function describeEventStoreConformance(name: string, factory: EventStoreConformanceFactory): void {
  describe(`EventStore conformance: ${name}`, () => {
    let store: EventStore;
    let opened: EventStore[] = [];
    let subs: AllStreamSubscription[] = [];
    /** Unique per test: streams are `${p}-...`, and reads filter by it. */
    let p: string;

    const subscribe = (options: SubscribeOptions = {}) => {
      const sub = store.subscribeToAll({ streamPrefixes: [p], ...options });
      subs.push(sub);
      return sub;
    };
    /** Appends a marker event and waits for it: proves nothing else (duplicates, strays) came before. */
    const expectExactly = async (c: ReturnType<typeof collect>, expected: { id: string }[], stream = `${p}-sentinel`) => {
      const [sentinel] = newEvents(1, 'sentinel');
      await store.appendToStream(stream, [sentinel], { expectedRevision: 'any' });
      const got = await c.waitFor(expected.length + 1);
      expect(ids(got)).toEqual([...ids(expected), sentinel.id]);
      expectIncreasing(got.map((e) => e.position));
    };

    beforeEach(async () => {
      p = `cf${uid()}`;
      store = await factory.create();
      opened = [store];
      subs = [];
    });

    afterEach(async () => {
      // An error from closing twice or after a failure is not what is under test; a close() that
      // hangs is, and must not surface as an anonymous 30s hook timeout.
      const hung: string[] = [];
      const close = (what: string, c: { close(): Promise<void> }) =>
        withTimeout(c.close(), what).catch((e: unknown) => {
          if (e instanceof Error && e.message.startsWith('timed out after')) hung.push(what);
        });
      for (const s of subs) await close('subscription.close()', s);
      for (const s of opened) await close('store.close()', s);
      await factory.cleanup?.();
      if (hung.length) throw new Error(`did not finish within ${WAIT_MS}ms: ${hung.join(', ')}`);
    });

    describe('appendToStream and readStream', () => {
      it('appends to a new stream and reads it back in order, with everything that was written', async () => {
        const events = newEvents(3);
        const before = Date.now();
        const result = await store.appendToStream(`${p}-key-1`, events, { expectedRevision: 'no_stream' });
        const read = await store.readStream(`${p}-key-1`);

        expect(read.map(({ id, type, data, metadata }) => ({ id, type, data, metadata }))).toEqual(events);
        expect(read.map((e) => [e.streamId, e.revision])).toEqual([0, 1, 2].map((r) => [`${p}-key-1`, r]));
        expectIncreasing(read.map((e) => e.position));
        expect(result).toEqual({ nextExpectedRevision: 2, position: read[2].position });
        for (const e of read) {
          expect(e.recordedAt).toBeInstanceOf(Date);
          // Generous: a real server's clock may differ from ours.
          expect(Math.abs(e.recordedAt.getTime() - before)).toBeLessThan(5 * 60_000);
        }
      });

      it('appends with the correct expected revision', async () => {
        const s = `${p}-key-1`;
        await store.appendToStream(s, newEvents(2), { expectedRevision: 'no_stream' });
        expect((await store.appendToStream(s, newEvents(1), { expectedRevision: 1 })).nextExpectedRevision).toBe(2);
        expect((await store.appendToStream(s, newEvents(2), { expectedRevision: 2 })).nextExpectedRevision).toBe(4);
        expect((await store.readStream(s)).map((e) => e.revision)).toEqual([0, 1, 2, 3, 4]);
      });

      it('rejects a wrong revision number and writes nothing of the batch', async () => {
        const s = `${p}-key-1`;
        const stored = await store.appendToStream(s, newEvents(2), { expectedRevision: 'no_stream' }).then(() => store.readStream(s));
        await expectWrongRevision(store.appendToStream(s, newEvents(3), { expectedRevision: 0 }), { streamId: s, expected: 0, actual: 1 });
        await expectWrongRevision(store.appendToStream(s, newEvents(3), { expectedRevision: 5 }), { streamId: s, expected: 5, actual: 1 });
        expect(await store.readStream(s)).toEqual(stored);
        expect(await readAll(store, { streamPrefixes: [p] })).toEqual(stored);
      });

      it("rejects 'no_stream' when the stream exists", async () => {
        const s = `${p}-key-1`;
        await store.appendToStream(s, newEvents(1), { expectedRevision: 'no_stream' });
        await expectWrongRevision(store.appendToStream(s, newEvents(2), { expectedRevision: 'no_stream' }), {
          streamId: s,
          expected: 'no_stream',
          actual: 0,
        });
        expect(await store.readStream(s)).toHaveLength(1);
      });

      it('rejects a revision number when the stream does not exist', async () => {
        const s = `${p}-key-1`;
        await expectWrongRevision(store.appendToStream(s, newEvents(2), { expectedRevision: 0 }), {
          streamId: s,
          expected: 0,
          actual: 'no_stream',
        });
        expect(await store.readStream(s)).toEqual([]);
      });

      it('writes nothing of a batch whose later event cannot be stored', async () => {
        const s = `${p}-key-1`;
        const events = newEvents(3);
        events[2] = { ...events[2], data: { amount: BigInt(1) } }; // not JSON-serialisable
        await expect(store.appendToStream(s, events, { expectedRevision: 'no_stream' })).rejects.toThrow();
        expect(await store.readStream(s)).toEqual([]);
        await store.appendToStream(s, newEvents(1), { expectedRevision: 'no_stream' });
      });

      it("appends with 'any' whether or not the stream exists", async () => {
        const s = `${p}-system`;
        expect((await store.appendToStream(s, newEvents(1), { expectedRevision: 'any' })).nextExpectedRevision).toBe(0);
        expect((await store.appendToStream(s, newEvents(2), { expectedRevision: 'any' })).nextExpectedRevision).toBe(2);
      });

      it.each([
        ['a revision number', 0],
        ["'no_stream'", 'no_stream'],
      ] as const)('lets exactly one of several concurrent appends expecting %s win', async (_, expectedRevision) => {
        const s = `${p}-key-1`;
        if (expectedRevision === 0) await store.appendToStream(s, newEvents(1), { expectedRevision: 'no_stream' });
        const batches = Array.from({ length: 5 }, () => newEvents(2));
        const results = await Promise.allSettled(batches.map((b) => store.appendToStream(s, b, { expectedRevision })));

        const won = results.flatMap((r, i) => (r.status === 'fulfilled' ? [batches[i]] : []));
        expect(won).toHaveLength(1);
        for (const r of results) if (r.status === 'rejected') expect(r.reason).toBeInstanceOf(WrongExpectedRevisionError);
        expect(ids((await store.readStream(s)).slice(-2))).toEqual(ids(won[0]));
      });

      it('reads a missing stream as []', async () => {
        expect(await store.readStream(`${p}-never-written`)).toEqual([]);
      });
    });

    describe('readAll', () => {
      /** Three streams, interleaved appends: the global order is the append order. */
      const seed = async () => {
        const order: NewEvent[] = [];
        for (const [stream, count] of [
          ['a-1', 2],
          ['b-1', 1],
          ['a-1', 1],
          ['c-1', 2],
          ['b-1', 1],
        ] as const) {
          const events = newEvents(count);
          await store.appendToStream(`${p}-${stream}`, events, { expectedRevision: 'any' });
          order.push(...events);
        }
        return order;
      };

      it('returns events of all streams in global order with strictly increasing positions', async () => {
        const order = await seed();
        const all = await readAll(store, { streamPrefixes: [p] });
        expect(ids(all)).toEqual(ids(order));
        expectIncreasing(all.map((e) => e.position));
        expect(all.filter((e) => e.streamId === `${p}-a-1`)).toEqual(await store.readStream(`${p}-a-1`));
      });

      it('includes every stream when not filtered', async () => {
        const [first] = await store
          .appendToStream(`${p}-x`, newEvents(1), { expectedRevision: 'no_stream' })
          .then(() => store.readStream(`${p}-x`));
        const order = await seed();
        const mine = (await readAll(store, { after: first.position })).filter((e) => e.streamId.startsWith(p));
        expect(ids(mine)).toEqual(ids(order));
      });

      it('reads strictly after `after`, up to `maxCount`', async () => {
        const order = await seed();
        const all = await readAll(store, { streamPrefixes: [p] });
        expect(ids(await readAll(store, { streamPrefixes: [p], after: all[1].position }))).toEqual(ids(order.slice(2)));
        expect(ids(await readAll(store, { streamPrefixes: [p], maxCount: 2 }))).toEqual(ids(order.slice(0, 2)));
        expect(ids(await readAll(store, { streamPrefixes: [p], after: all[2].position, maxCount: 3 }))).toEqual(ids(order.slice(3, 6)));
        expect(await readAll(store, { streamPrefixes: [p], after: all[all.length - 1].position })).toEqual([]);
      });

      it('splits into partitions: every event in exactly one, in position order, each stream whole in one, maxCount counting its own', async () => {
        // Twenty streams, so that every share of three has some.
        const order: NewEvent[] = [];
        for (let round = 0; round < 2; round++) {
          for (let n = 0; n < 20; n++) {
            const events = newEvents(1 + ((n + round) % 2));
            await store.appendToStream(`${p}-s${n}`, events, { expectedRevision: 'any' });
            order.push(...events);
          }
        }
        const all = await readAll(store, { streamPrefixes: [p] });
        const shares = await Promise.all([0, 1, 2].map((index) => readAll(store, { streamPrefixes: [p], partition: { index, count: 3 } })));
        for (const share of shares) {
          expect(share.length).toBeGreaterThan(0);
          expectIncreasing(share.map((e) => e.position));
        }
        expect(ids(shares.flat()).sort()).toEqual(ids(order).sort());
        for (const [index, share] of shares.entries()) {
          for (const event of share) expect(streamPartition(event.streamId, 3)).toBe(index);
        }
        // The events of a share are the events of its streams, as the whole read has them.
        expect(shares[1]).toEqual(all.filter((e) => streamPartition(e.streamId, 3) === 1));
        expect(ids(await readAll(store, { streamPrefixes: [p], partition: { index: 1, count: 3 }, maxCount: 2 }))).toEqual(
          ids(shares[1].slice(0, 2)),
        );
        expect(await readAll(store, { streamPrefixes: [p], partition: { index: 0, count: 1 } })).toEqual(all);
      });

      it.each([
        [3, 3],
        [-1, 2],
        [0, 0],
        [0.5, 2],
      ])('refuses partition %s of %s (a caller bug) with a RangeError', async (index, count) => {
        await expect(readAll(store, { partition: { index, count } })).rejects.toBeInstanceOf(RangeError);
      });

      it("refuses a checkpoint past every position the store gave out (another store's) with InvalidCheckpointError, instead of silently skipping to it", async () => {
        await seed();
        const beyond = (await store.headPosition())! + 1_000_000_000n;
        const read = readAll(store, { streamPrefixes: [p], after: beyond });
        await expect(read).rejects.toBeInstanceOf(InvalidCheckpointError);
        await expect(read).rejects.toMatchObject({ reason: 'beyond-head', position: beyond, retryable: false });
      });

      it('filters by stream prefix', async () => {
        const order = await seed();
        // Contains the prefix without starting with it: must not match.
        await store.appendToStream(`other-${p}-a-1`, newEvents(1), { expectedRevision: 'no_stream' });
        const all = await readAll(store, { streamPrefixes: [p] });
        const expected = all.filter((e) => !e.streamId.startsWith(`${p}-b-`));
        expect(await readAll(store, { streamPrefixes: [`${p}-a-`, `${p}-c-`] })).toEqual(expected);
        expect(await readAll(store, { streamPrefixes: [`${p}-nothing`] })).toEqual([]);
        expect(all).toHaveLength(order.length);
      });
    });

    describe('headPosition', () => {
      it('is the position of the last event of a matching stream, and of any stream without a filter', async () => {
        expect(await store.headPosition({ streamPrefixes: [`${p}-none-`] })).toBeUndefined();
        await store.appendToStream(`${p}-a-1`, newEvents(2), { expectedRevision: 'no_stream' });
        const [, lastA] = await store.readStream(`${p}-a-1`);
        await store.appendToStream(`${p}-b-1`, newEvents(1), { expectedRevision: 'no_stream' });
        const [lastB] = await store.readStream(`${p}-b-1`);
        expect(await store.headPosition({ streamPrefixes: [`${p}-a-`] })).toBe(lastA.position);
        expect(await store.headPosition({ streamPrefixes: [`${p}-a-`, `${p}-b-`] })).toBe(lastB.position);
        expect(await store.headPosition()).toBe(lastB.position);
        expect(await store.headPosition({ streamPrefixes: [`${p}-none-`] })).toBeUndefined();
      });

      it('finds a matching event behind many others', async () => {
        await store.appendToStream(`${p}-a-1`, newEvents(1), { expectedRevision: 'no_stream' });
        const [a] = await store.readStream(`${p}-a-1`);
        for (let i = 0; i < 5; i++) await store.appendToStream(`${p}-b-${i}`, newEvents(30), { expectedRevision: 'no_stream' });
        expect(await store.headPosition({ streamPrefixes: [`${p}-a-`] })).toBe(a.position);
      });
    });

    describe('subscribeToAll', () => {
      it('delivers stored events, then live ones, in order without gaps or duplicates', async () => {
        const stored = [...newEvents(2), ...newEvents(1)];
        await store.appendToStream(`${p}-a`, stored.slice(0, 2), { expectedRevision: 'no_stream' });
        await store.appendToStream(`${p}-b`, stored.slice(2), { expectedRevision: 'no_stream' });
        const sub = subscribe();
        const c = collect(sub);

        await withTimeout(sub.caughtUp, 'caughtUp');
        expect(ids(c.received)).toEqual(ids(stored));

        const live = newEvents(3);
        await store.appendToStream(`${p}-a`, live.slice(0, 1), { expectedRevision: 1 });
        await store.appendToStream(`${p}-c`, live.slice(1), { expectedRevision: 'no_stream' });
        await expectExactly(c, [...stored, ...live]);
      });

      it('delivers events appended while it catches up exactly once', async () => {
        for (let i = 0; i < 4; i++) await store.appendToStream(`${p}-a`, newEvents(5), { expectedRevision: 'any' });
        const all: { id: string }[] = await store.readStream(`${p}-a`);
        const c = collect(subscribe());
        for (let i = 0; i < 10; i++) {
          const [e] = newEvents(1);
          await store.appendToStream(`${p}-b`, [e], { expectedRevision: 'any' });
          all.push(e);
        }
        await expectExactly(c, all);
      });

      it('caughtUp resolves when there is nothing stored to catch up on', async () => {
        const sub = subscribe();
        collect(sub);
        await withTimeout(sub.caughtUp, 'caughtUp');
      });

      it('resumes strictly after the `after` checkpoint', async () => {
        await store.appendToStream(`${p}-a`, newEvents(5), { expectedRevision: 'no_stream' });
        const stored = await store.readStream(`${p}-a`);
        const sub = subscribe({ after: stored[1].position });
        const c = collect(sub);
        await withTimeout(sub.caughtUp, 'caughtUp');
        const live = newEvents(1);
        await store.appendToStream(`${p}-a`, live, { expectedRevision: 4 });
        await expectExactly(c, [...stored.slice(2), ...live]);
      });

      it('from a checkpoint past every position the store gave out: caughtUp rejects and iteration throws InvalidCheckpointError, nothing is delivered', async () => {
        await store.appendToStream(`${p}-a`, newEvents(2), { expectedRevision: 'no_stream' });
        const beyond = (await store.headPosition())! + 1_000_000_000n;
        const sub = subscribe({ after: beyond });
        const delivered: unknown[] = [];
        const iteration = (async () => {
          for await (const e of sub) delivered.push(e);
        })();
        await expect(withTimeout(sub.caughtUp, 'caughtUp')).rejects.toMatchObject({
          name: 'InvalidCheckpointError',
          reason: 'beyond-head',
        });
        await expect(withTimeout(iteration, 'iteration')).rejects.toBeInstanceOf(InvalidCheckpointError);
        expect(delivered).toEqual([]);
      });

      it('delivers only streams matching its prefixes, stored and live', async () => {
        const wanted: NewEvent[] = [];
        const append = async (stream: string, events: NewEvent[]) => {
          await store.appendToStream(`${p}-${stream}`, events, { expectedRevision: 'any' });
          if (!stream.startsWith('b-')) wanted.push(...events);
        };
        await append('a-1', newEvents(2));
        await append('b-1', newEvents(2));
        const sub = subscribe({ streamPrefixes: [`${p}-a-`, `${p}-c-`] });
        const c = collect(sub);
        await withTimeout(sub.caughtUp, 'caughtUp');
        await append('b-1', newEvents(1));
        await append('c-1', newEvents(1));
        await expectExactly(c, wanted, `${p}-c-sentinel`);
      });

      it('lets several subscribers read the same events independently', async () => {
        const events = newEvents(3);
        await store.appendToStream(`${p}-a`, events, { expectedRevision: 'no_stream' });
        const [c1, c2] = [collect(subscribe()), collect(subscribe())];
        expect(ids(await c1.waitFor(3))).toEqual(ids(events));
        expect(ids(await c2.waitFor(3))).toEqual(ids(events));
      });

      it('close() ends the for-await loop', async () => {
        await store.appendToStream(`${p}-a`, newEvents(2), { expectedRevision: 'no_stream' });
        const sub = subscribe();
        const c = collect(sub);
        await c.waitFor(2);
        await withTimeout(sub.close(), 'close()');
        await withTimeout(c.done, 'the for-await loop to end');
        expect(c.received).toHaveLength(2);
      });
    });

    if (factory.reopen) {
      const reopen = factory.reopen.bind(factory);
      const restart = async () => {
        await store.close();
        store = await reopen();
        opened.push(store);
      };

      describe('restart', () => {
        it('keeps events, revisions and positions', async () => {
          await store.appendToStream(`${p}-a`, newEvents(2), { expectedRevision: 'no_stream' });
          await store.appendToStream(`${p}-b`, newEvents(1), { expectedRevision: 'no_stream' });
          const before = await readAll(store, { streamPrefixes: [p] });
          await restart();
          expect(await readAll(store, { streamPrefixes: [p] })).toEqual(before);
          expect(await store.readStream(`${p}-a`)).toEqual(before.slice(0, 2));
        });

        it('continues appending with the right revisions and later positions', async () => {
          await store.appendToStream(`${p}-a`, newEvents(2), { expectedRevision: 'no_stream' });
          const [, last] = await store.readStream(`${p}-a`);
          await restart();
          await expectWrongRevision(store.appendToStream(`${p}-a`, newEvents(1), { expectedRevision: 'no_stream' }), { actual: 1 });
          const result = await store.appendToStream(`${p}-a`, newEvents(1), { expectedRevision: 1 });
          expect(result.nextExpectedRevision).toBe(2);
          expect(result.position > last.position).toBe(true);
        });

        it('resumes a subscription from a checkpoint taken before the restart', async () => {
          await store.appendToStream(`${p}-a`, newEvents(3), { expectedRevision: 'no_stream' });
          const first = subscribe();
          const [, checkpoint] = await collect(first).waitFor(2);
          await first.close();
          await restart();

          const stored = await store.readStream(`${p}-a`);
          const c = collect(subscribe({ after: checkpoint.position }));
          const live = newEvents(1);
          await store.appendToStream(`${p}-a`, live, { expectedRevision: 2 });
          await expectExactly(c, [stored[2], ...live]);
        });
      });
    }
  });
}
