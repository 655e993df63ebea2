import { describe, expect, it } from 'vitest';
import type { EventEnvelope } from '../envelope';
import type { FeedChange } from '../feed';
import type { FeedStore, OutboxStore } from '../client/stores';
import { createEventFactory } from './event-factory';
import { feedKey } from './memory-feed-store';
import { createSeededRandom } from './seeded-random';

export interface OutboxStoreHarness {
  readonly store: OutboxStore;
  /** Writes events the way the node's commands do (one local transaction). */
  append(events: readonly EventEnvelope[]): Promise<void>;
  close?(): Promise<void>;
}

export interface FeedStoreHarness {
  readonly store: FeedStore;
  /** A valid upsert for this replica (its entity data must pass the node's schemas). */
  upsert(hubSeq: number, index: number): FeedChange;
  /** The replica's hub data keyed `${entity}:${key}` (see feedKey). */
  read(): Promise<Map<string, unknown>>;
  close?(): Promise<void>;
}

const AT = '2026-11-23T10:00:00.000Z';
const LATER = '2026-11-23T11:00:00.000Z';

async function withHarness<H extends { close?(): Promise<void> }>(
  make: () => Promise<H>,
  body: (harness: H) => Promise<void>,
): Promise<void> {
  const harness = await make();
  try {
    await body(harness);
  } finally {
    await harness.close?.();
  }
}

/**
 * The behaviour every OutboxStore must have, as a vitest suite: the store node runs it against its
 * SQLite outbox, and this package runs it against MemoryOutboxStore. Events belong to store S1, device D1.
 */
export function describeOutboxStoreContract(name: string, make: () => Promise<OutboxStoreHarness>): void {
  const events = (count: number) =>
    createEventFactory({
      storeId: 'S1',
      deviceId: 'D1',
      now: () => Date.parse(AT),
      random: createSeededRandom(5),
    }).next(count);

  describe(`OutboxStore contract: ${name}`, () => {
    it('starts empty', async () => {
      await withHarness(make, async ({ store }) => {
        expect(await store.summary()).toEqual({
          ackedSeq: 0,
          lastSeq: 0,
          pending: 0,
          oldestPendingAt: undefined,
          rejected: [],
        });
        expect(await store.readPending(10)).toEqual([]);
      });
    });

    it('reads pending events in deviceSeq order, up to the limit', async () => {
      await withHarness(make, async (harness) => {
        const written = events(5);
        await harness.append(written);
        expect((await harness.store.readPending(3)).map((event) => event.deviceSeq)).toEqual([1, 2, 3]);
        expect(await harness.store.readPending(10)).toEqual(written);
        expect(await harness.store.summary()).toMatchObject({ lastSeq: 5, pending: 5 });
      });
    });

    it('reads after a given point too, never before the acknowledged one', async () => {
      await withHarness(make, async (harness) => {
        await harness.append(events(6));
        expect((await harness.store.readPending(2, 3)).map((event) => event.deviceSeq)).toEqual([4, 5]);
        await harness.store.acknowledge({ lastSeq: 4, rejected: [], at: AT });
        expect((await harness.store.readPending(10, 2)).map((event) => event.deviceSeq)).toEqual([5, 6]);
        expect(await harness.store.readPending(10, 6)).toEqual([]);
      });
    });

    it('acknowledges up to lastSeq, only forwards, and records each rejection once', async () => {
      await withHarness(make, async (harness) => {
        const written = events(5);
        await harness.append(written);
        const rejection = { eventId: written[1]!.eventId, deviceSeq: 2, reason: 'Unknown SKU.' };
        await harness.store.acknowledge({ lastSeq: 3, rejected: [rejection], at: AT });
        await harness.store.acknowledge({ lastSeq: 3, rejected: [rejection], at: LATER });
        await harness.store.acknowledge({ lastSeq: 1, rejected: [], at: LATER });
        const summary = await harness.store.summary();
        expect(summary).toMatchObject({ ackedSeq: 3, lastSeq: 5, pending: 2 });
        expect(summary.rejected).toEqual([{ ...rejection, rejectedAt: AT }]);
        expect((await harness.store.readPending(10)).map((event) => event.deviceSeq)).toEqual([4, 5]);
      });
    });

    it('makes acknowledged events pending again on rewind, and ignores a rewind that loses nothing', async () => {
      await withHarness(make, async (harness) => {
        await harness.append(events(4));
        await harness.store.acknowledge({ lastSeq: 4, rejected: [], at: AT });
        await harness.store.rewind(4);
        expect((await harness.store.summary()).ackedSeq).toBe(4);
        await harness.store.rewind(1);
        expect(await harness.store.summary()).toMatchObject({ ackedSeq: 1, pending: 3 });
        expect((await harness.store.readPending(10)).map((event) => event.deviceSeq)).toEqual([2, 3, 4]);
      });
    });

    it('prunes only events acknowledged before the cutoff, and then refuses a rewind past them', async () => {
      await withHarness(make, async (harness) => {
        await harness.append(events(4));
        await harness.store.acknowledge({ lastSeq: 2, rejected: [], at: AT });
        expect(await harness.store.prune(AT)).toBe(0);
        expect(await harness.store.prune(LATER)).toBe(2);
        expect(await harness.store.summary()).toMatchObject({ ackedSeq: 2, lastSeq: 4, pending: 2 });
        const error = await harness.store.rewind(0).then(
          () => undefined,
          (thrown: { code?: string }) => thrown,
        );
        expect(error?.code).toBe('SEQUENCE_GAP');
        expect((await harness.store.summary()).ackedSeq).toBe(2);
      });
    });
  });
}

/** The behaviour every FeedStore must have; see describeOutboxStoreContract. */
export function describeFeedStoreContract(name: string, make: () => Promise<FeedStoreHarness>): void {
  describe(`FeedStore contract: ${name}`, () => {
    it('starts with no epoch, cursor 0 and no snapshot', async () => {
      await withHarness(make, async ({ store }) => {
        expect(await store.position()).toEqual({ epoch: null, cursor: 0, snapshot: null });
      });
    });

    it('saves snapshot progress with each page and the feed position with the last', async () => {
      await withHarness(make, async (harness) => {
        const [a, b, c] = [harness.upsert(2, 0), harness.upsert(5, 1), harness.upsert(7, 2)];
        await harness.store.applySnapshotPage({
          epoch: 'e1',
          upTo: 9,
          changes: [a, b],
          after: 5,
          total: 3,
          done: false,
        });
        expect(await harness.store.position()).toEqual({
          epoch: null,
          cursor: 0,
          snapshot: { epoch: 'e1', upTo: 9, after: 5, received: 2, total: 3 },
        });
        await harness.store.applySnapshotPage({
          epoch: 'e1',
          upTo: 9,
          changes: [c],
          after: 9,
          total: 3,
          done: true,
        });
        expect(await harness.store.position()).toEqual({ epoch: 'e1', cursor: 9, snapshot: null });
        expect([...(await harness.read()).keys()].sort()).toEqual(
          [a, b, c].map((change) => feedKey(change.entity, change.key)).sort(),
        );
      });
    });

    it('applies a page with its cursor, deletes included', async () => {
      await withHarness(make, async (harness) => {
        const first = harness.upsert(1, 0);
        await harness.store.applySnapshotPage({
          epoch: 'e1',
          upTo: 1,
          changes: [first],
          after: 1,
          total: 1,
          done: true,
        });
        const second = harness.upsert(3, 1);
        await harness.store.applyPage({
          epoch: 'e1',
          changes: [{ hubSeq: 2, entity: first.entity, key: first.key, op: 'delete' }, second],
          cursor: 6,
        });
        expect(await harness.store.position()).toEqual({ epoch: 'e1', cursor: 6, snapshot: null });
        expect([...(await harness.read()).keys()]).toEqual([feedKey(second.entity, second.key)]);
      });
    });

    it('refuses a page of another epoch and changes nothing', async () => {
      await withHarness(make, async (harness) => {
        await harness.store.applySnapshotPage({
          epoch: 'e1',
          upTo: 0,
          changes: [],
          after: 0,
          total: 0,
          done: true,
        });
        await expect(
          harness.store.applyPage({ epoch: 'e2', changes: [harness.upsert(1, 0)], cursor: 1 }),
        ).rejects.toThrow();
        expect(await harness.store.position()).toEqual({ epoch: 'e1', cursor: 0, snapshot: null });
        expect((await harness.read()).size).toBe(0);
      });
    });

    it('forgets the position on reset but keeps serving its data until a new snapshot is complete', async () => {
      await withHarness(make, async (harness) => {
        const old = [harness.upsert(3, 0), harness.upsert(4, 1)];
        await harness.store.applySnapshotPage({
          epoch: 'e1',
          upTo: 4,
          changes: old,
          after: 4,
          total: 2,
          done: true,
        });
        const oldKeys = old.map((change) => feedKey(change.entity, change.key)).sort();
        await harness.store.reset();
        expect(await harness.store.position()).toEqual({ epoch: null, cursor: 0, snapshot: null });
        expect([...(await harness.read()).keys()].sort()).toEqual(oldKeys);

        // A download of the new epoch stops half way (the link drops): the old copy is whole.
        const fresh = [harness.upsert(7, 2), harness.upsert(8, 3)];
        await harness.store.applySnapshotPage({
          epoch: 'e2',
          upTo: 8,
          changes: fresh.slice(0, 1),
          after: 7,
          total: 2,
          done: false,
        });
        expect([...(await harness.read()).keys()].sort()).toEqual(oldKeys);
        expect((await harness.store.position()).snapshot).toMatchObject({ epoch: 'e2', after: 7 });

        // A second re-download starts over; its last page swaps the whole new copy in at once.
        await harness.store.reset();
        expect(await harness.store.position()).toEqual({ epoch: null, cursor: 0, snapshot: null });
        await harness.store.applySnapshotPage({
          epoch: 'e3',
          upTo: 8,
          changes: fresh.slice(1),
          after: 8,
          total: 1,
          done: true,
        });
        expect(await harness.store.position()).toEqual({ epoch: 'e3', cursor: 8, snapshot: null });
        expect([...(await harness.read()).keys()]).toEqual([feedKey(fresh[1]!.entity, fresh[1]!.key)]);
      });
    });
  });
}
