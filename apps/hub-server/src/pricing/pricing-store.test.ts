import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Promotion } from '@retail/domain';
import { readFeed } from '../feed/feed-store';
import { createHubContext, type HubContext } from '../hub-context';
import type { Storage } from '../storage/storage';
import { backendKinds, createTestDatabase, type TestDatabase } from '../test-support/backends';
import { nodeInput, seedWorld } from '../test-support/fixtures';
import { createNode } from '../nodes/nodes';
import {
  getPriceBook,
  listVersions,
  priceEntriesAtVersions,
  priceEntryAtVersion,
  savePriceBook,
  savePriceEntries,
  savePromotion,
} from './pricing-store';

const book = {
  name: 'Store 1 prices',
  currency: 'USD',
  scope: { type: 'store' as const, storeId: 's1' },
  priority: 10,
  taxInclusive: true,
};

const promotion: Omit<Promotion, 'promotionId' | 'version'> = {
  name: '10% off A',
  priority: 1,
  stacking: 'stackable',
  scope: { type: 'region', regionId: 'north' },
  currency: 'USD',
  rule: { type: 'percent_off', target: { skus: ['A'] }, percent: 10 },
} as unknown as Omit<Promotion, 'promotionId' | 'version'>;

describe.each(backendKinds())('pricing/pricing-store on %s', (kind) => {
  let database: TestDatabase;
  let storage: Storage;
  let hub: HubContext;

  beforeAll(async () => {
    database = await createTestDatabase(kind);
    storage = await database.open();
    hub = createHubContext(storage);
    await seedWorld(hub, { nodes: ['s1', 's2'], skus: ['A', 'B'] });
    await createNode(hub, nodeInput('s3', { region: 'south' }));
  });

  afterAll(async () => {
    await storage?.close();
    await database?.dispose();
  });

  describe('savePriceBook', () => {
    it('creates version 1, refuses a stale or missing expected version, and keeps every version', async () => {
      const created = await savePriceBook(hub, 'pb-s1', { book }, 'user:a');
      expect(created.version).toBe(1);
      await expect(savePriceBook(hub, 'pb-s1', { book }, 'user:a')).rejects.toMatchObject({
        code: 'CONFLICT',
      });
      const changed = await savePriceBook(
        hub,
        'pb-s1',
        { book: { ...book, priority: 11 }, expectedVersion: 1 },
        'user:b',
      );
      expect(changed).toMatchObject({ version: 2, priority: 11 });
      await expect(savePriceBook(hub, 'pb-s1', { book, expectedVersion: 1 }, 'user:c')).rejects.toMatchObject(
        { code: 'CONFLICT', details: { version: 2 } },
      );
      const versions = await listVersions(storage.db, 'price_book', 'pb-s1');
      expect(versions.map((v) => [v.version, v.changedBy])).toEqual([
        [2, 'user:b'],
        [1, 'user:a'],
      ]);
    });

    it('refuses a book scoped to a store that does not exist', async () => {
      await expect(
        savePriceBook(
          hub,
          'pb-x',
          { book: { ...book, scope: { type: 'store', storeId: 'nowhere' } } },
          'user:a',
        ),
      ).rejects.toMatchObject({ code: 'INVALID_INPUT' });
    });
  });

  describe('savePriceEntries', () => {
    it('sets prices, bumps the book version once and publishes them to the store in scope only', async () => {
      const before = (await getPriceBook(storage.db, 'pb-s1', { limit: 10 })).book.version;
      const after = await savePriceEntries(
        hub,
        'pb-s1',
        {
          entries: [
            { sku: 'A', tiers: [{ minQty: 1, unitPrice: 250 }] },
            { sku: 'B', tiers: [{ minQty: 1, unitPrice: 99 }] },
          ],
        },
        'user:a',
      );
      expect(after.version).toBe(before + 1);
      const s1 = await readFeed(storage.db, { nodeId: 's1', region: 'north' }, 0, 1000);
      expect(s1.changes.find((c) => c.key === 'pb-s1:A')?.data).toEqual({
        priceBookId: 'pb-s1',
        sku: 'A',
        tiers: [{ minQty: 1, unitPrice: 250 }],
      });
      expect(s1.changes.find((c) => c.key === 'pb-s1')?.data).toMatchObject({ version: after.version });
      const s2 = await readFeed(storage.db, { nodeId: 's2', region: 'north' }, 0, 1000);
      expect(s2.changes.some((c) => c.key.startsWith('pb-s1'))).toBe(false);
    });

    it('keeps every price at the book version that set it, removals included, never overwriting one', async () => {
      const priced = await savePriceBook(
        hub,
        'pb-history',
        { book: { ...book, name: 'History', scope: { type: 'chain' } } },
        'u',
      );
      const set = await savePriceEntries(
        hub,
        'pb-history',
        { entries: [{ sku: 'A', tiers: [{ minQty: 1, unitPrice: 300 }] }] },
        'u',
      );
      const changed = await savePriceEntries(
        hub,
        'pb-history',
        { entries: [{ sku: 'A', tiers: [{ minQty: 1, unitPrice: 280 }] }] },
        'u',
      );
      const removed = await savePriceEntries(
        hub,
        'pb-history',
        { entries: [{ sku: 'B', tiers: [{ minQty: 1, unitPrice: 50 }] }], remove: ['A'] },
        'u',
      );
      expect([priced.version, set.version, changed.version, removed.version]).toEqual([1, 2, 3, 4]);
      const priceOfA = (version: number) => priceEntryAtVersion(storage.db, 'pb-history', 'A', version);
      expect(await priceOfA(1)).toBeUndefined();
      expect((await priceOfA(2))?.tiers).toEqual([{ minQty: 1, unitPrice: 300 }]);
      expect((await priceOfA(3))?.tiers).toEqual([{ minQty: 1, unitPrice: 280 }]);
      expect(await priceOfA(4)).toBeNull();
      expect((await priceEntryAtVersion(storage.db, 'pb-history', 'B', 9))?.tiers).toEqual([
        { minQty: 1, unitPrice: 50 },
      ]);
      for (const version of [1, 2, 3, 4]) {
        const many = await priceEntriesAtVersions(
          storage.db,
          new Map([
            ['pb-history:A', version],
            ['pb-history:B', 4],
          ]),
        );
        expect(many.get('pb-history:A')).toEqual(await priceOfA(version));
        expect(many.get('pb-history:B')?.tiers).toEqual([{ minQty: 1, unitPrice: 50 }]);
      }
    });

    it('reads a price written before history was kept as the price of every version since', async () => {
      await savePriceBook(
        hub,
        'pb-legacy',
        { book: { ...book, name: 'Legacy', scope: { type: 'chain' } } },
        'u',
      );
      const legacy = { priceBookId: 'pb-legacy', sku: 'A', tiers: [{ minQty: 1, unitPrice: 111 }] };
      await storage.db
        .insertInto('price_entries')
        .values({ price_book_id: 'pb-legacy', sku: 'A', data: JSON.stringify(legacy) })
        .execute();
      expect(await priceEntryAtVersion(storage.db, 'pb-legacy', 'A', 1)).toEqual(legacy);
      expect(await priceEntryAtVersion(storage.db, 'pb-legacy', 'B', 1)).toBeUndefined();
    });

    it('refuses a rising tier or an unknown SKU with the field path', async () => {
      await expect(
        savePriceEntries(
          hub,
          'pb-s1',
          {
            entries: [
              {
                sku: 'A',
                tiers: [
                  { minQty: 1, unitPrice: 1 },
                  { minQty: 5, unitPrice: 2 },
                ],
              },
            ],
          },
          'u',
        ),
      ).rejects.toMatchObject({
        code: 'INVALID_INPUT',
        details: { path: 'body.entries.0.tiers.1.unitPrice' },
      });
      await expect(
        savePriceEntries(
          hub,
          'pb-s1',
          { entries: [{ sku: 'NOPE', tiers: [{ minQty: 1, unitPrice: 1 }] }] },
          'u',
        ),
      ).rejects.toMatchObject({ code: 'INVALID_INPUT', details: { path: 'body.entries.0.sku' } });
    });

    it('moves a book and its prices to its new audience and removes them from the old one', async () => {
      const current = (await getPriceBook(storage.db, 'pb-s1', { limit: 1 })).book;
      await savePriceBook(
        hub,
        'pb-s1',
        { book: { ...book, scope: { type: 'store', storeId: 's2' } }, expectedVersion: current.version },
        'u',
      );
      const s1 = await readFeed(storage.db, { nodeId: 's1', region: 'north' }, 0, 1000);
      expect(s1.changes.filter((c) => c.key.startsWith('pb-s1')).map((c) => c.op)).toEqual([
        'delete',
        'delete',
        'delete',
      ]);
      const s2 = await readFeed(storage.db, { nodeId: 's2', region: 'north' }, 0, 1000);
      expect(s2.changes.filter((c) => c.key.startsWith('pb-s1')).map((c) => [c.key, c.op])).toEqual([
        ['pb-s1', 'upsert'],
        ['pb-s1:A', 'upsert'],
        ['pb-s1:B', 'upsert'],
      ]);
      // Later changes in the new scope keep the old audience's delete rows.
      await savePriceEntries(
        hub,
        'pb-s1',
        { entries: [{ sku: 'A', tiers: [{ minQty: 1, unitPrice: 260 }] }] },
        'u',
      );
      const s1Later = await readFeed(storage.db, { nodeId: 's1', region: 'north' }, 0, 1000);
      expect(s1Later.changes.filter((c) => c.key.startsWith('pb-s1')).map((c) => c.op)).toEqual([
        'delete',
        'delete',
        'delete',
      ]);
    });
  });

  describe('savePromotion', () => {
    it('versions a regional promotion and publishes it to that region only', async () => {
      const saved = await savePromotion(hub, 'promo-1', { promotion }, 'user:a');
      expect(saved.version).toBe(1);
      const north = await readFeed(storage.db, { nodeId: 's1', region: 'north' }, 0, 1000);
      expect(north.changes.find((c) => c.key === 'promo-1')?.op).toBe('upsert');
      const south = await readFeed(storage.db, { nodeId: 's3', region: 'south' }, 0, 1000);
      expect(south.changes.some((c) => c.key === 'promo-1')).toBe(false);
      const again = await savePromotion(
        hub,
        'promo-1',
        { promotion: { ...promotion, priority: 5 }, expectedVersion: 1 },
        'user:a',
      );
      expect(again.version).toBe(2);
    });
  });
});
