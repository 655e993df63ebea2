import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Promotion } from '@retail/domain';
import { readFeed } from '../feed/feed-store';
import { createHubContext, type HubContext } from '../hub-context';
import { createNode } from '../nodes/nodes';
import type { Storage } from '../storage/storage';
import { backendKinds, createTestDatabase, type TestDatabase } from '../test-support/backends';
import { nodeInput, seedWorld } from '../test-support/fixtures';
import { savePromotion } from './pricing-store';
import { previewPromotion } from './promotion-preview';

const promotion = {
  name: '10% off A',
  priority: 1,
  stacking: 'stackable',
  scope: { type: 'region', regionId: 'north' },
  currency: 'USD',
  rule: { type: 'percent_off', target: { skus: ['A', 'Z'] }, percent: 10 },
} as unknown as Omit<Promotion, 'promotionId' | 'version'>;

describe.each(backendKinds())('pricing/promotion-preview on %s', (kind) => {
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

  it('says which stores and items a new promotion reaches, and writes nothing', async () => {
    const before = await readFeed(storage.db, { nodeId: 's1', region: 'north' }, 0, 1000);
    const preview = await previewPromotion(storage.db, 'promo-p', { promotion });
    expect(preview).toMatchObject({
      promotionId: 'promo-p',
      version: 1,
      currentVersion: 0,
      storesDropped: [],
    });
    expect(preview.stores.map((store) => store.nodeId)).toEqual(['s1', 's2']);
    expect(preview.items).toEqual([
      { sku: 'A', name: expect.any(String) },
      { sku: 'Z', name: null },
    ]);
    expect(preview.changes.map((change) => change.field)).toContain('rule');
    expect(await readFeed(storage.db, { nodeId: 's1', region: 'north' }, 0, 1000)).toEqual(before);
    expect(await storage.db.selectFrom('promotions').selectAll().execute()).toEqual([]);
  });

  it('lists what a change alters and the stores that lose it, and refuses a stale version', async () => {
    await savePromotion(hub, 'promo-q', { promotion }, 'user:a');
    const moved = await previewPromotion(storage.db, 'promo-q', {
      promotion: { ...promotion, scope: { type: 'store', storeId: 's3' }, endsAt: Date.UTC(2027, 0, 1) },
      expectedVersion: 1,
    });
    expect(moved).toMatchObject({ version: 2, currentVersion: 1 });
    expect(moved.changes).toEqual([
      { field: 'endsAt', before: null, after: Date.UTC(2027, 0, 1) },
      {
        field: 'scope',
        before: { type: 'region', regionId: 'north' },
        after: { type: 'store', storeId: 's3' },
      },
    ]);
    expect(moved.stores.map((store) => store.nodeId)).toEqual(['s3']);
    expect(moved.storesDropped.map((store) => store.nodeId)).toEqual(['s1', 's2']);

    await savePromotion(
      hub,
      'promo-q',
      { promotion: { ...promotion, priority: 3 }, expectedVersion: 1 },
      'user:b',
    );
    await expect(
      previewPromotion(storage.db, 'promo-q', { promotion, expectedVersion: 1 }),
    ).rejects.toMatchObject({ code: 'CONFLICT', message: expect.stringContaining('now version 2') });
    await expect(
      previewPromotion(storage.db, 'promo-q', {
        promotion: { ...promotion, startsAt: 10, endsAt: 5 },
        expectedVersion: 2,
      }),
    ).rejects.toMatchObject({ code: 'INVALID_INPUT' });
  });
});
