import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EventPayloads } from '@retail/sync';
import { createEnrollmentCode, enrollDevice } from '../auth/devices';
import { createHubContext, type HubContext } from '../hub-context';
import { pushEvents } from '../ingest/hub-ingest';
import type { Storage } from '../storage/storage';
import { backendKinds, createTestDatabase, type TestDatabase } from '../test-support/backends';
import { EventFactory, ISO, movement, saleOf, seedWorld } from '../test-support/fixtures';
import { listExceptions } from '../exceptions/exception-queue';
import { lookupSale, SaleLookupService } from './sale-lookup';

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

  async function enrolled(nodeId: string) {
    return enrollDevice(hub, { code: (await createEnrollmentCode(hub, nodeId, 't')).code, deviceName: 'L' });
  }

  async function push(
    device: { deviceId: string; storeId: string },
    events: EventFactory,
    ...payloads: [string, unknown][]
  ) {
    const result = await pushEvents(hub, device, {
      deviceId: device.deviceId,
      storeId: device.storeId,
      events: payloads.map(([type, payload]) => events.next(type as 'sale.completed', payload as never)),
    });
    expect(result.results.map((item) => item.status)).toEqual(payloads.map(() => 'accepted'));
  }

  describe('lookupSale', () => {
    it('answers what a return needs: lines with returnable quantities and tenders with what was refunded, after returns at any store', async () => {
      const seller = await enrolled('s1');
      const returner = await enrolled('s2');
      const base = saleOf([
        { sku: 'A', qty: 2 },
        { sku: 'B', qty: 1 },
      ]);
      const sale = {
        ...base,
        staffId: 'staff-who-sold',
        shiftId: 'shift-of-the-sale',
        tenders: [
          { tenderId: randomUUID(), type: 'card' as const, amount: 300, reference: 'TERMINAL-REF-991' },
        ],
      };
      const sellerEvents = new EventFactory(seller);
      await push(seller, sellerEvents, ['sale.completed', sale]);
      const returned = returnOf(sale, 0, 1);
      await push(returner, new EventFactory(returner), ['return.completed', returned]);

      const found = await lookupSale(hub, sale.receiptNumber);
      expect(found).toEqual({
        saleId: sale.saleId,
        receiptNumber: sale.receiptNumber,
        storeId: 's1',
        status: 'completed',
        currency: 'USD',
        completedAt: sale.completedAt,
        lines: [
          {
            lineId: sale.lines[0]!.lineId,
            sku: 'A',
            name: 'A',
            unit: 'each',
            qty: 2,
            unitPrice: 100,
            paid: 200,
            returnedQty: 1,
            returnableQty: 1,
          },
          {
            lineId: sale.lines[1]!.lineId,
            sku: 'B',
            name: 'B',
            unit: 'each',
            qty: 1,
            unitPrice: 100,
            paid: 100,
            returnedQty: 0,
            returnableQty: 1,
          },
        ],
        tenders: [{ tenderId: sale.tenders[0]!.tenderId, type: 'card', amount: 300, refunded: 100 }],
      });
      const text = JSON.stringify(found);
      for (const secret of [
        'staff-who-sold',
        'shift-of-the-sale',
        'TERMINAL-REF-991',
        seller.deviceId,
        'staff-2',
        'shift-2',
      ]) {
        expect(text).not.toContain(secret);
      }
    });

    it('offers nothing to return from a voided sale', async () => {
      const seller = await enrolled('s1');
      const sale = saleOf([{ sku: 'A', qty: 3 }]);
      await push(
        seller,
        new EventFactory(seller),
        ['sale.completed', sale],
        [
          'sale.voided',
          {
            saleId: sale.saleId,
            receiptNumber: sale.receiptNumber,
            reason: 'wrong item',
            override: { managerId: 'staff-1', reason: 'wrong item', at: ISO },
            currency: 'USD',
            refunds: [{ tenderId: randomUUID(), type: 'cash', amount: 100 }],
            movements: [movement('A', 3, 'POS_VOID')],
            voidedAt: ISO,
          },
        ],
      );
      const found = await lookupSale(hub, sale.receiptNumber);
      expect(found.status).toBe('voided');
      expect(found.lines.map((line) => line.returnableQty)).toEqual([0]);
    });

    it('says NOT_FOUND with a sentence staff can act on for an unknown receipt', async () => {
      await expect(lookupSale(hub, 'S9-1-000001')).rejects.toMatchObject({
        code: 'NOT_FOUND',
        message: expect.stringMatching(/no sale with receipt number S9-1-000001/),
      });
    });
  });

  describe('SaleLookupService', () => {
    it('logs every lookup, limits each device, and tells HQ once when a device walks through receipts', async () => {
      const walker = await enrolled('s2');
      const neighbour = await enrolled('s2');
      const seller = await enrolled('s1');
      const sale = saleOf([{ sku: 'B', qty: 1 }]);
      await push(seller, new EventFactory(seller), ['sale.completed', sale]);
      const lines: Record<string, unknown>[] = [];
      const log = { info: (fields: Record<string, unknown>) => void lines.push(fields) };
      const service = new SaleLookupService(hub, { rateLimit: { perSecond: 0.001, burst: 3 } });

      expect((await service.lookup(walker, sale.receiptNumber, log)).saleId).toBe(sale.saleId);
      const outcomes: string[] = [];
      for (let seq = 1; seq <= 5; seq += 1) {
        outcomes.push(
          await service.lookup(walker, `S001-1-00000${seq}`, log).then(
            () => 'found',
            (error: { code: string }) => error.code,
          ),
        );
      }
      expect(outcomes).toEqual(['NOT_FOUND', 'NOT_FOUND', 'RATE_LIMITED', 'RATE_LIMITED', 'RATE_LIMITED']);
      expect((await service.lookup(neighbour, sale.receiptNumber, log)).saleId).toBe(sale.saleId);

      expect(lines[0]).toMatchObject({
        audit: 'sale-lookup',
        deviceId: walker.deviceId,
        storeId: 's2',
        receiptNumber: sale.receiptNumber,
        saleStoreId: 's1',
        outcome: 'found',
      });
      expect(lines.map((line) => line.outcome)).toEqual([
        'found',
        'not_found',
        'not_found',
        'refused',
        'refused',
        'refused',
        'found',
      ]);
      const raised = await listExceptions(storage.db, { type: 'SALE_LOOKUP_LIMIT', limit: 10 });
      expect(raised).toHaveLength(1);
      expect(raised[0]).toMatchObject({ nodeId: 's2', details: { deviceId: walker.deviceId } });
    });
  });
});
