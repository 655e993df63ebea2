import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHubContext, type HubContext } from '../hub-context';
import { pushEvents } from '../ingest/hub-ingest';
import type { Storage } from '../storage/storage';
import { backendKinds, createTestDatabase, type TestDatabase } from '../test-support/backends';
import { enrollTestDevice, EventFactory, receiptOf, seedWorld } from '../test-support/fixtures';
import { readLedger, type LedgerEntry } from './ledger-reads';

describe.each(backendKinds())('inventory/ledger-reads on %s', (kind) => {
  let database: TestDatabase;
  let storage: Storage;
  let hub: HubContext;

  beforeAll(async () => {
    database = await createTestDatabase(kind);
    storage = await database.open();
    // One frozen millisecond: every movement of a push is recorded at the same instant.
    hub = createHubContext(storage, () => 1_780_000_000_000);
    await seedWorld(hub, { nodes: ['s1'], skus: ['A'] });
  });

  afterAll(async () => {
    await storage?.close();
    await database?.dispose();
  });

  describe('readLedger', () => {
    it('pages through 150 receipts of one push without skipping or repeating a row', async () => {
      const device = await enrollTestDevice(hub, 's1');
      const principal = { deviceId: device.deviceId, storeId: device.storeId };
      const events = new EventFactory(principal);
      const batch = Array.from({ length: 150 }, () =>
        events.next('stock.received', receiptOf([{ sku: 'A', qty: 1 }])),
      );
      const ack = await pushEvents(hub, principal, { ...principal, events: batch });
      expect(ack.lastSeq).toBe(150);

      const seen: LedgerEntry[] = [];
      let page = await readLedger(storage.db, { sku: 'A', nodeId: 's1', limit: 100 });
      const pageSizes: number[] = [];
      while (page.length > 0) {
        pageSizes.push(page.length);
        seen.push(...page);
        const last = page[page.length - 1]!;
        page = await readLedger(storage.db, {
          sku: 'A',
          nodeId: 's1',
          before: last.recordedAt,
          beforeMovementId: last.movementId,
          limit: 100,
        });
      }
      expect(pageSizes).toEqual([100, 50]);
      expect(new Set(seen.map((entry) => entry.movementId)).size).toBe(150);
      expect(new Set(seen.map((entry) => entry.recordedAt)).size).toBe(1);
      expect(seen.reduce((sum, entry) => sum + entry.delta, 0)).toBe(150);
    });
  });
});
