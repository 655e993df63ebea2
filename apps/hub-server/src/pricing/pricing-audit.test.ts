import { randomUUID } from 'node:crypto';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  parsePriceBookVersionTag,
  priceCart,
  resolvePrice,
  type PriceBook,
  type PricedCart,
  type PriceEntry,
  type Promotion,
  type TaxRate,
} from '@retail/domain';
import type { EventPayloads } from '@retail/sync';
import { writeCatalog } from '../catalog/catalog-store';
import { listExceptions } from '../exceptions/exception-queue';
import { createHubContext, type HubContext } from '../hub-context';
import { inHubTransaction } from '../hub-tx';
import { pushEvents } from '../ingest/hub-ingest';
import type { Storage } from '../storage/storage';
import { backendKinds, createTestDatabase, type TestDatabase } from '../test-support/backends';
import {
  enrollTestDevice,
  EventFactory,
  loadTillPricing,
  movement,
  pricedSaleOf,
  seedPricing,
  seedWorld,
} from '../test-support/fixtures';
import {
  adjustmentsDiffer,
  compareComputations,
  promotionsDiffer,
  type AuditComputation,
  auditSale,
  catalogSku,
  readPriceBookVersionTag,
  type AuditLine,
  type CompletedSale,
} from './pricing-audit';
import { savePriceBook, savePriceEntries, savePromotion } from './pricing-store';

const SWITCH_AT = Date.UTC(2026, 11, 1, 0, 0, 0);
const PROMO_ENDS_AT = Date.UTC(2026, 11, 2, 0, 0, 0);
const TAX: TaxRate = {
  rateId: 'ny',
  name: 'NY sales tax',
  jurisdictionId: 'US-NY',
  taxCategory: 'standard',
  percent: 8.875,
};

/** What a till does: price with the books and promotions it has, write the sale.completed payload. */
function tillSale(
  at: number,
  items: { sku: string; qty: number }[],
  catalog: { books: PriceBook[]; entries: PriceEntry[]; promotions: Promotion[] },
  options: { orderDiscountPercent?: number; lineDiscountPercent?: number } = {},
): CompletedSale {
  const saleId = randomUUID();
  const lines = items.map((item, index) => {
    const resolved = resolvePrice(
      item.sku,
      catalog.entries
        .filter((entry) => entry.sku === item.sku)
        .map((entry) => ({ entry, book: catalog.books.find((b) => b.priceBookId === entry.priceBookId)! })),
      { storeId: 's1', regionId: 'north', at, qty: item.qty, currency: 'USD' },
    );
    return {
      lineId: `${saleId}-${index}`,
      sku: item.sku,
      name: `Item ${item.sku}`,
      unit: 'each' as const,
      taxCategory: 'standard',
      categoryIds: [],
      qty: item.qty,
      price: {
        source: 'price_book' as const,
        unitPrice: resolved.unitPrice,
        taxInclusive: resolved.taxInclusive,
        priceBookId: resolved.priceBookId,
        priceBookVersion: resolved.priceBookVersion,
      },
      ...(index === 0 && options.lineDiscountPercent !== undefined
        ? { discount: { percent: options.lineDiscountPercent } }
        : {}),
    };
  });
  const cart: PricedCart = priceCart({
    currency: 'USD',
    at,
    storeId: 's1',
    regionId: 'north',
    jurisdictionIds: ['US-NY'],
    lines,
    promotions: catalog.promotions,
    taxRates: [TAX],
    ...(options.orderDiscountPercent === undefined
      ? {}
      : { orderDiscount: { percent: options.orderDiscountPercent } }),
  });
  const applied = cart.promotions.applied.map((p) => ({ promotionId: p.promotionId, version: p.version }));
  return {
    saleId,
    receiptNumber: `S1-1-${saleId.slice(0, 6)}`,
    shiftId: 'shift-1',
    staffId: 'staff-1',
    currency: 'USD',
    priceBookVersion: cart.priceBookVersion,
    promotionIds: applied.map((p) => p.promotionId),
    promotions: applied,
    lines: cart.lines.map((line) => ({
      lineId: line.lineId,
      sku: line.sku,
      name: line.name,
      qty: line.qty,
      unit: line.unit,
      taxCategory: 'standard',
      unitPrice: line.unitPrice.amount,
      taxInclusive: line.taxInclusive,
      priceSource: 'price_book' as const,
      ...(line.price.source === 'price_book'
        ? { priceBookId: line.price.priceBookId, priceBookVersion: line.price.priceBookVersion }
        : {}),
      extended: line.extended.amount,
      adjustments: line.adjustments.map((a) => ({
        kind: a.kind,
        ...(a.promotionId === undefined ? {} : { promotionId: a.promotionId }),
        amount: a.amount.amount,
        reason: a.reason,
      })),
      net: line.net.amount,
      taxes: line.taxes.map((t) => ({
        rateId: t.rateId,
        name: t.name,
        percent: t.percent,
        amount: t.amount.amount,
      })),
      paid: line.paid.amount,
    })),
    totals: {
      subtotal: cart.totals.subtotal.amount,
      discount: cart.totals.discount.amount,
      tax: cart.totals.tax.amount,
      total: cart.totals.total.amount,
      cashRounding: 0,
      paid: cart.totals.total.amount,
      change: 0,
    },
    tenders: [{ tenderId: randomUUID(), type: 'card', amount: cart.totals.total.amount, reference: 'T-1' }],
    overrides: [],
    movements: cart.lines.map((line) => movement(line.sku, -line.qty, 'POS_SALE')),
    completedAt: new Date(at).toISOString(),
  };
}

describe.each(backendKinds())('pricing/pricing-audit on %s', (kind) => {
  let database: TestDatabase;
  let storage: Storage;
  let hub: HubContext;
  /** What a till that synced after the publishes below holds. */
  const replica = { books: [] as PriceBook[], entries: [] as PriceEntry[], promotions: [] as Promotion[] };

  beforeAll(async () => {
    database = await createTestDatabase(kind);
    storage = await database.open();
    hub = createHubContext(storage);
    await seedWorld(hub, { nodes: ['s1'], skus: ['A', 'B'] });
    await inHubTransaction(hub, (tx) => writeCatalog(tx, [{ kind: 'tax_rate', data: TAX }]));
    const book = { currency: 'USD', scope: { type: 'chain' as const }, taxInclusive: false };
    await savePriceBook(hub, 'pb-chain', { book: { ...book, name: 'Chain', priority: 0 } }, 'hq');
    const chain = await savePriceEntries(
      hub,
      'pb-chain',
      {
        entries: [
          { sku: 'A', tiers: [{ minQty: 1, unitPrice: 1000 }] },
          {
            sku: 'B',
            tiers: [
              { minQty: 1, unitPrice: 333 },
              { minQty: 6, unitPrice: 299 },
            ],
          },
        ],
      },
      'hq',
    );
    await savePriceBook(
      hub,
      'pb-december',
      { book: { ...book, name: 'December', priority: 10, startsAt: SWITCH_AT } },
      'hq',
    );
    const december = await savePriceEntries(
      hub,
      'pb-december',
      { entries: [{ sku: 'A', tiers: [{ minQty: 1, unitPrice: 850 }] }] },
      'hq',
    );
    const promotion = await savePromotion(
      hub,
      'promo-b',
      {
        promotion: {
          name: '15% off B',
          priority: 1,
          stacking: 'stackable',
          endsAt: PROMO_ENDS_AT,
          scope: { type: 'chain' },
          currency: 'USD',
          rule: { type: 'percent_off', target: { skus: ['B'] }, percent: 15 },
        },
      },
      'hq',
    );
    replica.books.push(chain, december);
    replica.entries.push(
      { priceBookId: 'pb-chain', sku: 'A', tiers: [{ minQty: 1, unitPrice: 1000 }] },
      {
        priceBookId: 'pb-chain',
        sku: 'B',
        tiers: [
          { minQty: 1, unitPrice: 333 },
          { minQty: 6, unitPrice: 299 },
        ],
      },
      { priceBookId: 'pb-december', sku: 'A', tiers: [{ minQty: 1, unitPrice: 850 }] },
    );
    replica.promotions.push(promotion);
  });

  afterAll(async () => {
    await storage?.close();
    await database?.dispose();
  });

  async function ingest(sale: CompletedSale) {
    const device = await enrollTestDevice(hub, 's1');
    const principal = { deviceId: device.deviceId, storeId: device.storeId };
    const events = new EventFactory(principal);
    const event = events.next('sale.completed', sale as EventPayloads['sale.completed']);
    const result = await pushEvents(hub, principal, { ...principal, events: [event] });
    expect(result.results[0]?.status).toBe('accepted');
    const found = await listExceptions(storage.db, { type: 'PRICING_AUDIT', limit: 500 });
    return found.filter((exception) => exception.causeEventIds.includes(event.eventId));
  }

  describe('auditSale', () => {
    it('matches a sale priced one millisecond before a scheduled price change and one at it', async () => {
      const before = tillSale(
        SWITCH_AT - 1,
        [
          { sku: 'A', qty: 2 },
          { sku: 'B', qty: 6 },
        ],
        replica,
      );
      const at = tillSale(
        SWITCH_AT,
        [
          { sku: 'A', qty: 2 },
          { sku: 'B', qty: 1 },
        ],
        replica,
      );
      expect(before.lines[0]?.unitPrice).toBe(1000);
      expect(at.lines[0]?.unitPrice).toBe(850);
      expect(before.promotionIds).toEqual(['promo-b']);
      expect(await auditSale(storage.db, 's1', before)).toEqual({ status: 'match' });
      expect(await auditSale(storage.db, 's1', at)).toEqual({ status: 'match' });
    });

    it('matches a sale with manual line and order discounts after the promotion ended', async () => {
      const sale = tillSale(
        PROMO_ENDS_AT,
        [
          { sku: 'A', qty: 3 },
          { sku: 'B', qty: 7 },
        ],
        replica,
        {
          lineDiscountPercent: 12.5,
          orderDiscountPercent: 7,
        },
      );
      expect(sale.promotionIds).toEqual([]);
      expect(await auditSale(storage.db, 's1', sale)).toEqual({ status: 'match' });
    });

    it('still matches a sale priced from an older version after HQ changed the price', async () => {
      const sale = tillSale(SWITCH_AT + 5, [{ sku: 'A', qty: 1 }], replica);
      await savePriceEntries(
        hub,
        'pb-december',
        { entries: [{ sku: 'A', tiers: [{ minQty: 1, unitPrice: 799 }] }] },
        'hq',
      );
      expect(sale.priceBookVersion).toBe('pb-december@2');
      expect(await auditSale(storage.db, 's1', sale)).toEqual({ status: 'match' });
    });

    it('finds a sale whose promotion was not in force at the sale time', async () => {
      const sale = tillSale(PROMO_ENDS_AT - 1, [{ sku: 'B', qty: 2 }], replica);
      const late = { ...sale, completedAt: new Date(PROMO_ENDS_AT).toISOString() };
      const result = await auditSale(storage.db, 's1', late);
      expect(result.status).toBe('mismatch');
      if (result.status !== 'mismatch') return;
      expect(result.reasons.join(' ')).toContain('promotions [promo-b@1]');
      expect(result.hub?.promotions).toEqual([]);
    });
  });

  describe('auditSalePricing (ingest hook)', () => {
    it('records nothing for a correct sale', async () => {
      const sale = tillSale(
        SWITCH_AT - 1,
        [
          { sku: 'A', qty: 1 },
          { sku: 'B', qty: 2 },
        ],
        replica,
      );
      expect(await ingest(sale)).toEqual([]);
    });

    it('records one exception with both computations for a tampered line, and keeps the sale as sold', async () => {
      const sale = tillSale(SWITCH_AT - 1, [{ sku: 'A', qty: 2 }], replica);
      const line = sale.lines[0]!;
      const tampered: CompletedSale = {
        ...sale,
        lines: [{ ...line, unitPrice: 100, extended: 200, net: 200, paid: 218 }],
        totals: { ...sale.totals, subtotal: 200, total: 218 },
      };
      const raised = await ingest(tampered);
      expect(raised).toHaveLength(1);
      const details = raised[0]!.details as {
        reasons: string[];
        till: { lines: { unitPrice: number }[]; totals: { total: number } };
        hub: { lines: { unitPrice: number }[]; totals: { total: number } };
      };
      expect(raised[0]).toMatchObject({ severity: 'warning', nodeId: 's1', status: 'open' });
      expect(details.reasons.join(' ')).toContain('unitPrice is 100 on the sale, 1000 by the hub');
      expect(details.till.lines[0]?.unitPrice).toBe(100);
      expect(details.hub.lines[0]?.unitPrice).toBe(1000);
      expect(details.hub.totals.total).toBe(sale.totals.total);
      const recorded = await storage.db
        .selectFrom('sales')
        .select('total')
        .where('sale_id', '=', sale.saleId)
        .executeTakeFirstOrThrow();
      expect(Number(recorded.total)).toBe(218);
    });

    it('records a sale naming a price book version the hub never published, with that reason', async () => {
      const sale = tillSale(SWITCH_AT - 1, [{ sku: 'A', qty: 1 }], replica);
      const forged: CompletedSale = {
        ...sale,
        priceBookVersion: 'pb-chain@99',
        lines: sale.lines.map((line) => ({ ...line, priceBookVersion: 99 })),
      };
      const raised = await ingest(forged);
      expect(raised).toHaveLength(1);
      const details = raised[0]!.details as { reasons: string[]; hub: unknown };
      expect(details.reasons).toEqual([
        'The sale was priced with price book pb-chain version 99, which the hub never published.',
      ]);
      expect(details.hub).toBeNull();
    });

    it('records a promotion version the hub never published', async () => {
      const sale = tillSale(SWITCH_AT - 1, [{ sku: 'B', qty: 1 }], replica);
      const forged: CompletedSale = { ...sale, promotions: [{ promotionId: 'promo-b', version: 7 }] };
      const raised = await ingest(forged);
      expect((raised[0]?.details as { reasons: string[] }).reasons).toEqual([
        'The sale applied promotion promo-b version 7, which the hub never published.',
      ]);
    });

    it('records a price from a book that had not started yet at the sale time', async () => {
      const sale = tillSale(SWITCH_AT, [{ sku: 'A', qty: 1 }], replica);
      const early = { ...sale, completedAt: new Date(SWITCH_AT - 1).toISOString() };
      const raised = await ingest(early);
      expect(raised).toHaveLength(1);
      expect((raised[0]?.details as { reasons: string[] }).reasons[0]).toMatch(
        /price book pb-december@2 does not price A at this store at .* \(Starts at/,
      );
    });
  });
});

describe.each(backendKinds())('pricing/pricing-audit price history cache on %s', (kind) => {
  let database: TestDatabase;
  let storage: Storage;
  let hub: HubContext;

  beforeAll(async () => {
    database = await createTestDatabase(kind);
    storage = await database.open();
    hub = createHubContext(storage);
    // Each test prices its own SKUs, so the books of one test never compete for another's.
    await seedWorld(hub, { nodes: ['s1'], skus: ['A', 'B', 'C', 'D'] });
  });

  afterAll(async () => {
    await storage?.close();
    await database?.dispose();
  });

  /** storage.db, counting the queries made against the version history. */
  function countingHistoryReads() {
    const counter = { reads: 0 };
    const executor = new Proxy(storage.db, {
      get(target, property, receiver) {
        const value: unknown = Reflect.get(target, property, receiver);
        if (property !== 'selectFrom' || typeof value !== 'function') return value;
        return (table: unknown) => {
          if (table === 'entity_versions') counter.reads += 1;
          return (value as (table: unknown) => unknown).call(target, table);
        };
      },
    });
    return { executor, counter };
  }

  describe('auditSale', () => {
    it('reads a price of a published version from the history once per storage, not once per sale', async () => {
      const pricing = await seedPricing(hub, { skus: ['A', 'B'], priceBookId: 'pb-cache' });
      const caches = { storage: {} };
      const { executor, counter } = countingHistoryReads();
      const first = pricedSaleOf(pricing, [
        { sku: 'A', qty: 1 },
        { sku: 'B', qty: 2 },
      ]);
      expect(await auditSale(executor, 's1', first, { ...caches, transaction: {} })).toEqual({
        status: 'match',
      });
      expect(counter.reads).toBeGreaterThan(0);
      counter.reads = 0;
      const second = pricedSaleOf(pricing, [
        { sku: 'B', qty: 3 },
        { sku: 'A', qty: 4 },
      ]);
      expect(await auditSale(executor, 's1', second, { ...caches, transaction: {} })).toEqual({
        status: 'match',
      });
      expect(counter.reads).toBe(0);
    });

    it('answers each version with its own price after HQ changes it', async () => {
      const caches = { storage: {} };
      const before = await seedPricing(hub, {
        skus: ['C'],
        priceBookId: 'pb-change',
        unitPrice: () => 500,
      });
      const oldSale = pricedSaleOf(before, [{ sku: 'C', qty: 1 }]);
      expect(await auditSale(storage.db, 's1', oldSale, caches)).toEqual({ status: 'match' });
      await savePriceEntries(
        hub,
        'pb-change',
        { entries: [{ sku: 'C', tiers: [{ minQty: 1, unitPrice: 600 }] }] },
        'hq',
      );
      const after = await loadTillPricing(storage.db);
      const newSale = pricedSaleOf(after, [{ sku: 'C', qty: 1 }]);
      expect(newSale.lines[0]?.unitPrice).toBe(600);
      expect(await auditSale(storage.db, 's1', newSale, caches)).toEqual({ status: 'match' });
      const stale = {
        ...oldSale,
        priceBookVersion: newSale.priceBookVersion,
        lines: oldSale.lines.map((line) => ({
          ...line,
          priceBookVersion: newSale.lines[0]!.priceBookVersion,
        })),
      };
      expect((await auditSale(storage.db, 's1', stale, caches)).status).toBe('mismatch');
      expect(await auditSale(storage.db, 's1', oldSale, caches)).toEqual({ status: 'match' });
    });

    it('keeps nothing for a version the hub has not published yet', async () => {
      const caches = { storage: {} };
      const current = await seedPricing(hub, {
        skus: ['D'],
        priceBookId: 'pb-early',
        unitPrice: () => 700,
      });
      const sale = pricedSaleOf(current, [{ sku: 'D', qty: 1 }]);
      const nextVersion = (sale.lines[0]!.priceBookVersion ?? 0) + 1;
      const early = {
        ...sale,
        priceBookVersion: `pb-early@${nextVersion}`,
        lines: sale.lines.map((line) => ({ ...line, priceBookVersion: nextVersion })),
      };
      expect((await auditSale(storage.db, 's1', early, caches)).status).toBe('mismatch');
      await savePriceEntries(
        hub,
        'pb-early',
        { entries: [{ sku: 'D', tiers: [{ minQty: 1, unitPrice: 650 }] }] },
        'hq',
      );
      const published = pricedSaleOf(await loadTillPricing(storage.db), [{ sku: 'D', qty: 1 }]);
      expect(published.priceBookVersion).toBe(`pb-early@${nextVersion}`);
      expect(await auditSale(storage.db, 's1', published, caches)).toEqual({ status: 'match' });
      expect((await auditSale(storage.db, 's1', early, caches)).status).toBe('mismatch');
    });
  });
});

describe('pricing/pricing-audit', () => {
  describe('catalogSku', () => {
    it('parses a catalog row once while its text is unchanged, and again when it changes', () => {
      const sku = `SKU-${randomUUID()}`;
      const text = JSON.stringify({
        sku,
        name: 'Mug',
        unit: 'each',
        taxCategory: 'standard',
        categoryIds: ['c1'],
      });
      const first = catalogSku(sku, text);
      expect(first).toEqual(JSON.parse(text));
      expect(catalogSku(sku, text)).toBe(first);
      // Every push shares it: nothing may change it.
      expect(Object.isFrozen(first) && Object.isFrozen(first.categoryIds)).toBe(true);
      const edited = JSON.stringify({
        sku,
        name: 'Mug',
        unit: 'each',
        taxCategory: 'reduced',
        categoryIds: ['c1'],
      });
      const second = catalogSku(sku, edited);
      expect(second).not.toBe(first);
      expect(second).toEqual(JSON.parse(edited));
      expect(catalogSku(sku, text)).toEqual(JSON.parse(text));
    });

    it('gives what JSON.parse gives for any row, read in any order', () => {
      fc.assert(
        fc.property(
          fc.array(fc.tuple(fc.constantFrom('A', 'B', 'C'), fc.jsonValue()), { minLength: 1, maxLength: 20 }),
          (rows) => {
            const prefix = randomUUID();
            for (const [sku, value] of rows) {
              const text = JSON.stringify(value);
              expect(catalogSku(`${prefix}-${sku}`, text)).toEqual(JSON.parse(text));
            }
          },
        ),
        { numRuns: 300 },
      );
    });
  });

  describe('adjustmentsDiffer', () => {
    /** The comparison the audit made before the item-by-item shortcut: the sorted texts. */
    const text = (line: Pick<AuditLine, 'adjustments'>) =>
      JSON.stringify(line.adjustments.map((a) => `${a.kind}:${a.promotionId ?? ''}:${a.amount}`).sort());
    const adjustment = fc.record({
      kind: fc.constantFrom('promotion', 'manual_line', 'manual_order'),
      promotionId: fc.constantFrom(null, '', 'p1', 'p2'),
      amount: fc.integer({ min: -2, max: 2 }),
    });
    const adjustments = fc.array(adjustment, { maxLength: 3 });

    it('says two lines differ exactly when their sorted discount texts differ', () => {
      fc.assert(
        fc.property(
          adjustments,
          fc.oneof(
            adjustments,
            // The same discounts, shuffled or identical: the cases that must compare equal.
            fc.constant('same' as const),
            fc.constant('reversed' as const),
          ),
          (left, choice) => {
            const right =
              choice === 'same' ? [...left] : choice === 'reversed' ? [...left].reverse() : choice;
            expect(adjustmentsDiffer({ adjustments: left }, { adjustments: right })).toBe(
              text({ adjustments: left }) !== text({ adjustments: right }),
            );
          },
        ),
        { numRuns: 3000 },
      );
    });
  });

  describe('compareComputations', () => {
    /** The promotions and lines as the audit compared them before its shortcuts: texts, a map by id. */
    const promotionsText = (computation: AuditComputation) =>
      computation.promotions.map((p) => `${p.promotionId}@${p.version}`).join(', ');
    const promotion = fc.record({ promotionId: fc.constantFrom('p1', 'p2', 'p@1'), version: fc.nat(3) });
    const line = (lineId: string) =>
      fc.record({
        lineId: fc.constant(lineId),
        sku: fc.constant(`sku-${lineId}`),
        qty: fc.constant(1),
        unitPrice: fc.integer({ min: 0, max: 2 }),
        taxInclusive: fc.boolean(),
        priceBook: fc.constantFrom(null, 'pb@1'),
        extended: fc.integer({ min: 0, max: 2 }),
        adjustments: fc.constant([]),
        net: fc.integer({ min: 0, max: 2 }),
        tax: fc.integer({ min: 0, max: 2 }),
        paid: fc.integer({ min: 0, max: 2 }),
      });
    /** Distinct line ids, as priceCart makes the hub's; the till's may repeat or miss one. */
    const computation = (ids: string[]) =>
      fc.record({
        priceBookVersion: fc.constantFrom('pb@1', 'pb@2'),
        promotions: fc.array(promotion, { maxLength: 2 }),
        lines: fc.tuple(...ids.map(line)),
        totals: fc.record({ subtotal: fc.nat(2), discount: fc.nat(2), tax: fc.nat(2), total: fc.nat(2) }),
      });
    const ids = fc.uniqueArray(fc.constantFrom('a', 'b', 'c', 'd'), { maxLength: 4 });

    it('finds the differences the texts and the map by line id found, lines in any order', () => {
      fc.assert(
        fc.property(
          ids.chain((hubIds) =>
            fc.tuple(
              computation(hubIds),
              fc.oneof(
                fc.constant(hubIds),
                fc.shuffledSubarray(hubIds),
                fc.array(fc.constantFrom('a', 'b', 'e'), { maxLength: 4 }),
              ),
            ),
          ),
          fc.boolean(),
          ([hub, tillIds], samePromotions) =>
            fc.assert(
              fc.property(computation(tillIds), (drawn) => {
                const till = samePromotions ? { ...drawn, promotions: [...hub.promotions] } : drawn;
                const hubLines = new Map(hub.lines.map((hubLine) => [hubLine.lineId, hubLine]));
                const expected = compareComputations(till, hub);
                // Each till line is compared with the hub line of its id, wherever it is.
                const lineReasons = till.lines.flatMap((tillLine) =>
                  compareComputations(
                    {
                      ...till,
                      promotions: hub.promotions,
                      priceBookVersion: hub.priceBookVersion,
                      lines: [tillLine],
                      totals: hub.totals,
                    },
                    { ...hub, lines: hubLines.has(tillLine.lineId) ? [hubLines.get(tillLine.lineId)!] : [] },
                  ),
                );
                expect(expected.filter((reason) => reason.startsWith('Line '))).toEqual(lineReasons);
                expect(expected.some((reason) => reason.startsWith('The till applied promotions'))).toBe(
                  promotionsText(till) !== promotionsText(hub),
                );
                expect(promotionsDiffer(till.promotions, hub.promotions)).toBe(
                  promotionsText(till) !== promotionsText(hub),
                );
              }),
              { numRuns: 5 },
            ),
        ),
        { numRuns: 500 },
      );
    });
  });

  describe('readPriceBookVersionTag', () => {
    it('answers what parsePriceBookVersionTag answers, and keeps the answer for the next sale', () => {
      for (const tag of ['', 'pb@1', 'a@2+b@10', 'chain@12+store-7@3']) {
        const first = readPriceBookVersionTag(tag);
        expect(first).toEqual(parsePriceBookVersionTag(tag));
        expect(readPriceBookVersionTag(tag)).toBe(first);
        expect(Object.isFrozen(first)).toBe(true);
        for (const ref of first) expect(Object.isFrozen(ref)).toBe(true);
      }
    });

    it('throws the parse error for a tag it cannot read, every time', () => {
      for (const tag of ['pb', 'b@1+a@2', 'pb@0']) {
        let refused: unknown;
        try {
          parsePriceBookVersionTag(tag);
        } catch (error) {
          refused = error;
        }
        expect(refused).toBeInstanceOf(Error);
        expect(() => readPriceBookVersionTag(tag)).toThrow((refused as Error).message);
        expect(() => readPriceBookVersionTag(tag)).toThrow((refused as Error).message);
      }
    });
  });
});
