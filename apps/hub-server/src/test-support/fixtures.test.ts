import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TaxRate } from '@retail/domain';
import { listExceptions } from '../exceptions/exception-queue';
import { createHubContext, type HubContext } from '../hub-context';
import { pushEvents } from '../ingest/hub-ingest';
import { auditSale, type CompletedSale } from '../pricing/pricing-audit';
import type { Storage } from '../storage/storage';
import { backendKinds, createTestDatabase, type TestDatabase } from './backends';
import {
  enrollTestDevice,
  EventFactory,
  pricedSaleOf,
  saleOf,
  seedPricing,
  seedWorld,
  type TillPricing,
} from './fixtures';

const TAX: TaxRate = {
  rateId: 'ny',
  name: 'NY sales tax',
  jurisdictionId: 'US-NY',
  taxCategory: 'standard',
  percent: 8.875,
};

// The benchmarks' headline figures rest on these sales passing the pricing audit: if the fixture drifts
// from what the till writes or the audit reads, these tests fail rather than the benchmarks silently
// measuring the exception path again.
describe.each(backendKinds())('test-support/fixtures on %s', (kind) => {
  let database: TestDatabase;
  let storage: Storage;
  let hub: HubContext;
  let pricing: TillPricing;

  beforeAll(async () => {
    database = await createTestDatabase(kind);
    storage = await database.open();
    hub = createHubContext(storage);
    await seedWorld(hub, { nodes: ['s1'], skus: ['A', 'B', 'C'] });
    pricing = await seedPricing(hub, {
      skus: ['A', 'B', 'C'],
      unitPrice: (_sku, index) => 333 + index * 250,
      taxRate: TAX,
      promotion: {
        promotionId: 'promo-b',
        name: '15% off B',
        priority: 1,
        stacking: 'stackable',
        scope: { type: 'chain' },
        currency: 'USD',
        rule: { type: 'percent_off', target: { skus: ['B'] }, percent: 15 },
      },
    });
  });

  afterAll(async () => {
    await storage?.close();
    await database?.dispose();
  });

  async function ingest(sale: CompletedSale) {
    const device = await enrollTestDevice(hub, 's1');
    const principal = { deviceId: device.deviceId, storeId: device.storeId };
    const event = new EventFactory(principal).next('sale.completed', sale);
    const result = await pushEvents(hub, principal, { ...principal, events: [event] });
    expect(result.results[0]?.status).toBe('accepted');
    const raised = await listExceptions(storage.db, { type: 'PRICING_AUDIT', limit: 500 });
    return raised.filter((exception) => exception.causeEventIds.includes(event.eventId));
  }

  describe('pricedSaleOf', () => {
    it('prices from the published book with the promotion and tax, as a till would', () => {
      const sale = pricedSaleOf(pricing, [
        { sku: 'A', qty: 2 },
        { sku: 'B', qty: 3 },
      ]);
      expect(sale.priceBookVersion).toBe('pb-chain@2');
      expect(sale.lines.map((line) => line.unitPrice)).toEqual([333, 583]);
      expect(sale.promotions).toEqual([{ promotionId: 'promo-b', version: 1 }]);
      expect(sale.totals.discount).toBeGreaterThan(0);
      expect(sale.totals.tax).toBeGreaterThan(0);
      expect(sale.totals.total).toBe(sale.lines.reduce((total, line) => total + line.paid, 0));
    });

    it('passes the audit and raises nothing on ingest when the sale is as priced', async () => {
      const sale = pricedSaleOf(pricing, [
        { sku: 'A', qty: 1 },
        { sku: 'B', qty: 2 },
        { sku: 'C', qty: 5 },
      ]);
      expect(await auditSale(storage.db, 's1', sale)).toEqual({ status: 'match' });
      expect(await ingest(sale)).toEqual([]);
    });

    it('fails the audit and raises one exception when a priced sale is tampered with', async () => {
      const sale = pricedSaleOf(pricing, [{ sku: 'B', qty: 2 }]);
      const line = sale.lines[0]!;
      const tampered: CompletedSale = {
        ...sale,
        lines: [{ ...line, unitPrice: line.unitPrice - 1 }],
      };
      const result = await auditSale(storage.db, 's1', tampered);
      expect(result.status).toBe('mismatch');
      expect(await ingest(tampered)).toHaveLength(1);
    });
  });

  describe('saleOf', () => {
    it('names an unpublished price book, so every such sale raises a pricing exception', async () => {
      const sale = saleOf([{ sku: 'A', qty: 1 }]);
      const result = await auditSale(storage.db, 's1', sale);
      expect(result.status).toBe('mismatch');
      expect(await ingest(sale)).toHaveLength(1);
    });
  });
});
