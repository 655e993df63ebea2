import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEnrollmentCode, enrollDevice } from '../auth/devices';
import { writeCatalog } from '../catalog/catalog-store';
import { feedHead } from '../feed/feed-store';
import { createHubContext, type HubContext } from '../hub-context';
import { inHubTransaction } from '../hub-tx';
import { readFeedEpoch, rotateFeedEpoch, type Storage } from '../storage/storage';
import { backendKinds, createTestDatabase, type TestDatabase } from '../test-support/backends';
import { seedWorld, sku } from '../test-support/fixtures';
import { snapshotPage } from './sync-service';

describe.each(backendKinds())('sync-service on %s', (kind) => {
  let database: TestDatabase;
  let storage: Storage;
  let hub: HubContext;
  let principal: { deviceId: string; storeId: string };

  beforeAll(async () => {
    database = await createTestDatabase(kind);
    storage = await database.open();
    hub = createHubContext(storage);
    await seedWorld(hub, { nodes: ['s1'], skus: ['A'] });
    await inHubTransaction(hub, (tx) =>
      writeCatalog(
        tx,
        ['B', 'C', 'D', 'E'].map((id) => ({ kind: 'sku' as const, data: sku(id) })),
      ),
    );
    const { code } = await createEnrollmentCode(hub, 's1', 'test');
    const enrolled = await enrollDevice(hub, { code, deviceName: 'Lane 1' });
    principal = { deviceId: enrolled.deviceId, storeId: 's1' };
  });

  afterAll(async () => {
    await storage?.close();
    await database?.dispose();
  });

  describe('snapshotPage', () => {
    it('answers a resumed snapshot whose upTo is past the head (hub restored since) with a page of the new epoch', async () => {
      const first = await snapshotPage(hub, principal, { after: 0, limit: 2 });
      expect(first.done).toBe(false);
      // The till saved upTo and after from before the restore; the restored hub's head is below upTo
      // and it started a new epoch.
      const staleUpTo = (await feedHead(storage.db)) + 25;
      const epoch = await rotateFeedEpoch(storage.db);
      const resumed = await snapshotPage(hub, principal, { upTo: staleUpTo, after: first.after, limit: 2 });
      expect(resumed.epoch).toBe(epoch);
      expect(resumed.epoch).not.toBe(first.epoch);
      expect(await readFeedEpoch(storage.db)).toBe(epoch);
    });

    it('still refuses an after past upTo', async () => {
      await expect(snapshotPage(hub, principal, { upTo: 3, after: 4, limit: 2 })).rejects.toMatchObject({
        code: 'INVALID_INPUT',
      });
    });
  });
});
