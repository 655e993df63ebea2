import { copyFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { EventEnvelope, FeedChange } from '@retail/sync';
import { describeFeedStoreContract, describeOutboxStoreContract } from '@retail/sync/testing/store-contracts';
import { openDatabase, type Db } from '../database';
import { snapshotStagingFile } from '../feed/snapshot-staging';
import { readIdentity } from '../identity';
import { initStoreNode } from '../init';
import { TEST_SETUP, tempDir } from '../testing/test-node';
import { readReplica } from './replica';
import { SqliteFeedStore } from './sqlite-feed-store';
import { SqliteOutboxStore } from '../outbox/outbox';

const AT_MS = Date.parse('2026-11-23T10:00:00.000Z');

function freshDatabase(): { db: Db; close(): Promise<void> } {
  const dir = tempDir('pos-sync-store-');
  const file = `${dir.path}/store.db`;
  initStoreNode({ databasePath: file, setup: TEST_SETUP });
  const db = openDatabase(file);
  return {
    db,
    close: async () => {
      db.close();
      dir.remove();
    },
  };
}

/** What a command's transaction writes for each event (engine/outbox/outbox.ts, `appendOutboxEvent`). */
function appendToOutbox(db: Db, events: readonly EventEnvelope[]): void {
  const insert = db.prepare(
    `INSERT INTO outbox (device_seq, event_id, type, schema_version, store_id, device_id, hlc, occurred_at,
       tx_id, causes, payload, created_at_ms)
     VALUES (@deviceSeq, @eventId, @type, @schemaVersion, @storeId, @deviceId, @hlc, @occurredAt, @txId,
       @causes, @payload, @createdAtMs)`,
  );
  db.transaction(() => {
    for (const event of events) {
      insert.run({
        ...event,
        causes: event.causes === undefined ? null : JSON.stringify(event.causes),
        payload: JSON.stringify(event.payload),
        createdAtMs: AT_MS,
      });
    }
  }).immediate();
}

describeOutboxStoreContract('SqliteOutboxStore', async () => {
  const { db, close } = freshDatabase();
  return {
    store: new SqliteOutboxStore(db),
    append: async (events) => appendToOutbox(db, events),
    close,
  };
});

describeFeedStoreContract('SqliteFeedStore', async () => {
  const { db, close } = freshDatabase();
  const identity = readIdentity(db)!;
  return {
    store: new SqliteFeedStore({ db, identity, now: () => AT_MS }),
    upsert: (hubSeq: number, index: number): FeedChange => ({
      hubSeq,
      entity: 'category',
      key: `cat-${index}`,
      op: 'upsert',
      data: { categoryId: `cat-${index}`, name: `Category ${index}` },
    }),
    read: async () => readReplica(db),
    close,
  };
});

describe('sqlite-stores', () => {
  let opened: { db: Db; close(): Promise<void> } | undefined;
  afterEach(async () => {
    await opened?.close();
    opened = undefined;
  });

  describe('SqliteFeedStore.applySnapshotPage', () => {
    it('stages pages beside the replica, then swaps them in and indexes them once with the last page', async () => {
      opened = freshDatabase();
      const { db } = opened;
      const store = new SqliteFeedStore({ db, identity: readIdentity(db)!, now: () => AT_MS });
      const sku = (hubSeq: number, name: string): FeedChange => ({
        hubSeq,
        entity: 'sku',
        key: `SKU-${hubSeq}`,
        op: 'upsert',
        data: {
          sku: `SKU-${hubSeq}`,
          productId: 'p-1',
          name,
          unit: 'each',
          taxCategory: 'food',
          categoryIds: [],
          barcodes: [],
          active: true,
        },
      });
      const search = (term: string) =>
        db.prepare('SELECT sku FROM sku_search WHERE sku_search MATCH ?').all(`"${term}"*`);
      await store.reset();
      await store.applySnapshotPage({
        epoch: 'e1',
        upTo: 3,
        changes: [sku(1, 'Crème fraîche'), sku(2, 'Cream cheese')],
        after: 2,
        total: 3,
        done: false,
      });
      expect(search('creme')).toEqual([]);
      expect(db.prepare('SELECT COUNT(*) AS count FROM skus').get()).toEqual({ count: 0 });
      expect(existsSync(snapshotStagingFile(db.name))).toBe(true);
      await store.applySnapshotPage({
        epoch: 'e1',
        upTo: 3,
        changes: [sku(3, 'Creamer')],
        after: 3,
        total: 3,
        done: true,
      });
      expect(
        search('crea')
          .map((row) => (row as { sku: string }).sku)
          .sort(),
      ).toEqual(['SKU-2', 'SKU-3']);
      expect(search('creme')).toHaveLength(1);
      expect(db.prepare('SELECT search_index_deferred AS deferred FROM sync_state').get()).toEqual({
        deferred: 0,
      });
      expect(existsSync(snapshotStagingFile(db.name))).toBe(false);
      // After the snapshot the triggers maintain the index row by row again.
      await store.applyPage({ epoch: 'e1', changes: [sku(4, 'Crema catalana')], cursor: 4 });
      expect(search('catalana')).toHaveLength(1);
    });

    it('keeps the search triggers through the swap, and rolls back a failing page alone', async () => {
      opened = freshDatabase();
      const { db } = opened;
      const store = new SqliteFeedStore({ db, identity: readIdentity(db)!, now: () => AT_MS });
      const triggers = () =>
        db.prepare("SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'skus'").all();
      const before = triggers();
      expect(before).toHaveLength(3);
      const product = (hubSeq: number): FeedChange => ({
        hubSeq,
        entity: 'product',
        key: `p-${hubSeq}`,
        op: 'upsert',
        data: { productId: `p-${hubSeq}`, name: `Product ${hubSeq}` },
      });
      const page = (changes: FeedChange[], done = false) => ({
        epoch: 'e1',
        upTo: 4,
        changes,
        after: changes.at(-1)!.hubSeq,
        total: 4,
        done,
      });
      await store.applySnapshotPage(page([product(1), product(2)]));
      // The pages before it wait for their commit in the same staging transaction: they stay, and what
      // the failing page wrote before its bad change (a category, written at once) goes.
      const category: FeedChange = {
        hubSeq: 3,
        entity: 'category',
        key: 'c-3',
        op: 'upsert',
        data: { categoryId: 'c-3', name: 'Teas' },
      };
      await expect(
        store.applySnapshotPage(page([category, { hubSeq: 4, entity: 'product', key: 'p-4', op: 'delete' }])),
      ).rejects.toThrow(/upserts only/);
      expect((await store.position()).snapshot).toMatchObject({ after: 2, received: 2 });
      await store.applySnapshotPage(page([product(3), product(4)], true));
      expect(db.prepare('SELECT product_id AS id FROM products ORDER BY product_id').all()).toEqual(
        [1, 2, 3, 4].map((n) => ({ id: `p-${n}` })),
      );
      expect(db.prepare('SELECT COUNT(*) AS count FROM categories').get()).toEqual({ count: 0 });
      expect(triggers()).toEqual(before);
      db.prepare(
        `INSERT INTO skus (sku, product_id, name, unit, tax_category, active, data)
         VALUES ('RAW-1', 'p-1', 'Triggered tea', 'each', 'food', 1, '{}')`,
      ).run();
      expect(db.prepare('SELECT sku FROM sku_search WHERE sku_search MATCH ?').all('"trigger"*')).toEqual([
        { sku: 'RAW-1' },
      ]);
    });

    it('resumes after a kill from the last staged rows committed, at most 5,000 back', async () => {
      opened = freshDatabase();
      const { db } = opened;
      const store = new SqliteFeedStore({ db, identity: readIdentity(db)!, now: () => AT_MS });
      const changes: FeedChange[] = Array.from({ length: 12_000 }, (_, index) => ({
        hubSeq: index + 1,
        entity: 'product',
        key: `p-${index + 1}`,
        op: 'upsert',
        data: { productId: `p-${index + 1}`, name: `Product ${index + 1}` },
      }));
      const pageAfter = async (target: SqliteFeedStore, after: number) => {
        const page = changes.filter((change) => change.hubSeq > after).slice(0, 500);
        const last = page.at(-1)!.hubSeq;
        await target.applySnapshotPage({
          epoch: 'e1',
          upTo: 12_000,
          changes: page,
          after: last,
          total: 12_000,
          done: last === 12_000,
        });
        return last;
      };
      let after = 0;
      for (let page = 0; page < 15; page += 1) after = await pageAfter(store, after);
      expect((await store.position()).snapshot).toMatchObject({ after: 7_500, received: 7_500 });

      // A SIGKILL now: what is on disk is what a copy of the files holds (SQLite recovers the log's
      // committed frames only).
      const killed = tempDir('pos-sync-store-killed-');
      const liveCopy = join(killed.path, 'store.db');
      for (const [from, to] of [
        [db.name, liveCopy],
        [snapshotStagingFile(db.name), snapshotStagingFile(liveCopy)],
      ] as const) {
        for (const suffix of ['', '-wal']) {
          if (existsSync(`${from}${suffix}`)) copyFileSync(`${from}${suffix}`, `${to}${suffix}`);
        }
      }
      const restarted = openDatabase(liveCopy);
      try {
        const resumed = new SqliteFeedStore({
          db: restarted,
          identity: readIdentity(restarted)!,
          now: () => AT_MS,
        });
        const position = await resumed.position();
        expect(position.snapshot).toMatchObject({ after: 5_000, received: 5_000 });
        after = position.snapshot!.after;
        while (after < 12_000) after = await pageAfter(resumed, after);
        expect(await resumed.position()).toEqual({ epoch: 'e1', cursor: 12_000, snapshot: null });
        expect(restarted.prepare('SELECT COUNT(*) AS count FROM products').get()).toEqual({ count: 12_000 });
        expect(existsSync(snapshotStagingFile(liveCopy))).toBe(false);
        resumed.close();
      } finally {
        restarted.close();
        killed.remove();
      }
      store.close();
    });

    it('refuses a snapshot page that is not an upsert and writes nothing', async () => {
      opened = freshDatabase();
      const { db } = opened;
      const store = new SqliteFeedStore({ db, identity: readIdentity(db)!, now: () => AT_MS });
      await expect(
        store.applySnapshotPage({
          epoch: 'e1',
          upTo: 1,
          changes: [{ hubSeq: 1, entity: 'category', key: 'c', op: 'delete' }],
          after: 1,
          total: 1,
          done: true,
        }),
      ).rejects.toThrow(/upserts only/);
      expect(await store.position()).toEqual({ epoch: null, cursor: 0, snapshot: null });
    });
  });

  describe('SqliteOutboxStore.rewind', () => {
    it('keeps the acknowledgement time of the stretch it cuts, so pruning still honours retention', async () => {
      opened = freshDatabase();
      const { db } = opened;
      const store = new SqliteOutboxStore(db);
      const { createEventFactory, createSeededRandom } = await import('@retail/sync/testing');
      const events = createEventFactory({
        storeId: 'S1',
        deviceId: 'D1',
        now: () => AT_MS,
        random: createSeededRandom(3),
      }).next(6);
      appendToOutbox(db, events);
      await store.acknowledge({ lastSeq: 6, rejected: [], at: '2026-11-23T10:00:00.000Z' });
      await store.rewind(4);
      expect(await store.summary()).toMatchObject({ ackedSeq: 4, pending: 2 });
      expect(await store.prune('2026-11-23T09:00:00.000Z')).toBe(0);
      expect(await store.prune('2026-11-23T11:00:00.000Z')).toBe(4);
      expect((await store.readPending(10)).map((event) => event.deviceSeq)).toEqual([5, 6]);
    });
  });
});
