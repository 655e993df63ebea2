import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EventPayloads } from '@retail/sync';
import { createEnrollmentCode, enrollDevice } from '../auth/devices';
import { createHubContext, type HubContext } from '../hub-context';
import { pushEvents } from '../ingest/hub-ingest';
import type { Storage } from '../storage/storage';
import { backendKinds, createTestDatabase, type TestDatabase } from '../test-support/backends';
import { EventFactory, ISO, movement, saleOf, seedWorld } from '../test-support/fixtures';
import { lookupSale } from './sale-lookup';

function returnOf(
  sale: EventPayloads['sale.completed'],
  lineIndex: number,
  qty: number,
): EventPayloads['return.completed'] {
  const line = sale.lines[lineIndex]!;
  return {
    returnId: randomUUID(),
    receiptNumber: `RET-${randomUUID().slice(0, 8)}`,
    originalSaleId: sale.saleId,
    originalReceiptNumber: sale.receiptNumber,
    shiftId: 'shift-2',
    staffId: 'staff-2',
    currency: sale.currency,
    lines: [
      {
        returnLineId: randomUUID(),
        originalLineId: line.lineId,
        sku: line.sku,
        qty,
        refund: 100 * qty,
        disposition: 'sellable',
      },
    ],
    refunds: [
      {
        tenderId: randomUUID(),
        type: 'cash',
        amount: 100 * qty,
        originalTenderId: sale.tenders[0]!.tenderId,
      },
    ],
    movements: [movement(line.sku, qty, 'RETURN_RESTOCK')],
    completedAt: ISO,
  };
}

describe.each(backendKinds())('sync/sale-lookup on %s', (kind) => {
  let database: TestDatabase;
  let storage: Storage;
  let hub: HubContext;

  beforeAll(async () => {
    database = await createTestDatabase(kind);
    storage = await database.open();
    hub = createHubContext(storage);
    await seedWorld(hub, { nodes: ['s1', 's2'], skus: ['A', 'B'] });
  });

  afterAll(async () => {
    await storage?.close();
    await database?.dispose();
  });

  describe('lookupSale', () => {
    it('finds a sale of another store by receipt number with the returns made against it anywhere', async () => {
      const seller = await enrollDevice(hub, {
        code: (await createEnrollmentCode(hub, 's1', 't')).code,
        deviceName: 'L1',
      });
      const returner = await enrollDevice(hub, {
        code: (await createEnrollmentCode(hub, 's2', 't')).code,
        deviceName: 'L2',
      });
      const sale = saleOf([
        { sku: 'A', qty: 2 },
        { sku: 'B', qty: 1 },
      ]);
      const sellerEvents = new EventFactory(seller);
      await pushEvents(hub, seller, {
        deviceId: seller.deviceId,
        storeId: seller.storeId,
        events: [sellerEvents.next('sale.completed', sale)],
      });
      const returned = returnOf(sale, 0, 1);
      const returnerEvents = new EventFactory(returner);
      await pushEvents(hub, returner, {
        deviceId: returner.deviceId,
        storeId: returner.storeId,
        events: [returnerEvents.next('return.completed', returned)],
      });

      const found = await lookupSale(hub, sale.receiptNumber);
      expect(found).toMatchObject({ storeId: 's1', deviceId: seller.deviceId, status: 'completed' });
      expect(found.sale.saleId).toBe(sale.saleId);
      expect(found.sale.lines.map((line) => [line.sku, line.qty])).toEqual([
        ['A', 2],
        ['B', 1],
      ]);
      expect(found.returns.map((item) => item.returnId)).toEqual([returned.returnId]);
    });

    it('says NOT_FOUND with a sentence staff can act on for an unknown receipt', async () => {
      await expect(lookupSale(hub, 'S9-1-000001')).rejects.toMatchObject({
        code: 'NOT_FOUND',
        message: expect.stringMatching(/no sale with receipt number S9-1-000001/),
      });
    });
  });
});
