import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '@retail/hub-server/src/api/app';
import { createEnrollmentCode, enrollDevice } from '@retail/hub-server/src/auth/devices';
import { writeCatalog } from '@retail/hub-server/src/catalog/catalog-store';
import { listExceptions } from '@retail/hub-server/src/exceptions/exception-queue';
import { createHubContext, type HubContext } from '@retail/hub-server/src/hub-context';
import { inHubTransaction } from '@retail/hub-server/src/hub-tx';
import { createNode } from '@retail/hub-server/src/nodes/nodes';
import { savePriceBook, savePriceEntries, savePromotion } from '@retail/hub-server/src/pricing/pricing-store';
import type { Storage } from '@retail/hub-server/src/storage/storage';
import {
  backendKinds,
  createTestDatabase,
  type TestDatabase,
} from '@retail/hub-server/src/test-support/backends';
import type { CommandInput, CommandName, CommandResponse, SaleView } from '../src/shared/commands';
import { openStoreEngine, type StoreEngine } from '../src/engine/engine';
import { initStoreNode } from '../src/engine/init';
import { TEST_PIN_COST, expectOk, fakeClock, tempDir, type FakeClock } from '../src/engine/testing/test-node';

/**
 * Scheduled prices and promotions switch at the right millisecond on a till that has lost the hub. The
 * real hub (in-process, 127.0.0.1, both backends) publishes a price book that starts later and a promotion
 * that ends later; the real store engine receives them through its feed, goes offline, and sells across
 * both boundaries on an injected clock. Back online, its sales reach the hub, whose pricing audit agrees
 * with every one of them.
 */

const WIDGET = '4006381333931';
const GADGET = '4006381333948';
const HOUR = 3_600_000;

async function until<T>(what: string, probe: () => Promise<T | undefined> | T | undefined): Promise<T> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const value = await probe();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`never happened: ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe.each(backendKinds())('pricing schedule on a real store engine against the hub on %s', (kind) => {
  let database: TestDatabase;
  let storage: Storage;
  let hub: HubContext;
  let app: FastifyInstance;
  let engine: StoreEngine;
  let session: string;
  let clock: FakeClock;
  let removeDir: () => void;
  /** The till's "now" when the schedule was published; the boundaries are hours after it. */
  const start = Math.floor(Date.now() / 1000) * 1000;
  const priceChangeAt = start + HOUR;
  const promotionEndsAt = start + 2 * HOUR;

  function ok<N extends CommandName>(name: N, input: CommandInput<N>): CommandResponse<N> {
    return expectOk(engine.execute(name, input, { session }));
  }

  function lineOf(view: SaleView, barcodeSku: string) {
    const line = view.lines.find((candidate) => candidate.sku === barcodeSku);
    if (line === undefined) throw new Error(`no ${barcodeSku} line`);
    return line;
  }

  /** A new sale with one line of `code`, priced at the till's current time. */
  function scan(code: string): SaleView {
    const sale = ok('sale-start', {});
    return ok('sale-add-line', { saleId: sale.saleId, code });
  }

  function payAndComplete(view: SaleView, cash: number): SaleView {
    ok('sale-add-tender', { saleId: view.saleId, tender: { type: 'cash', amount: cash } });
    return ok('sale-complete', { saleId: view.saleId });
  }

  beforeAll(async () => {
    database = await createTestDatabase(kind);
    storage = await database.open();
    hub = createHubContext(storage);
    await createNode(hub, {
      nodeId: 'store-a',
      code: 'SA',
      name: 'Store A',
      kind: 'store',
      region: 'idf',
      latitude: 48.85,
      longitude: 2.35,
      pickupEnabled: false,
      pickCapacity: 0,
      jurisdiction: 'FR',
      currency: 'EUR',
      timezone: 'Europe/Paris',
      active: true,
    });
    await inHubTransaction(hub, (tx) =>
      writeCatalog(tx, [
        { kind: 'product', data: { productId: 'P-WIDGET', name: 'Widget' } },
        { kind: 'product', data: { productId: 'P-GADGET', name: 'Gadget' } },
        ...(
          [
            ['WIDGET', WIDGET],
            ['GADGET', GADGET],
          ] as const
        ).map(([sku, barcode]) => ({
          kind: 'sku' as const,
          data: {
            sku,
            productId: `P-${sku}`,
            name: sku,
            unit: 'each' as const,
            taxCategory: 'standard',
            categoryIds: [],
            barcodes: [barcode],
            active: true,
          },
        })),
        {
          kind: 'tax_rate',
          data: {
            rateId: 'fr-std',
            name: 'TVA 20%',
            jurisdictionId: 'FR',
            taxCategory: 'standard',
            percent: 20,
          },
        },
      ]),
    );
    const book = { currency: 'EUR', scope: { type: 'chain' as const }, taxInclusive: true };
    await savePriceBook(hub, 'pb-chain', { book: { ...book, name: 'Chain', priority: 0 } }, 'hq');
    await savePriceEntries(
      hub,
      'pb-chain',
      {
        entries: [
          { sku: 'WIDGET', tiers: [{ minQty: 1, unitPrice: 500 }] },
          { sku: 'GADGET', tiers: [{ minQty: 1, unitPrice: 1_000 }] },
        ],
      },
      'hq',
    );

    const dir = tempDir('pricing-schedule-');
    removeDir = dir.remove;
    const databasePath = join(dir.path, 'store.db');
    clock = fakeClock(start);
    const init = initStoreNode({
      databasePath,
      setup: {
        storeId: 'store-a',
        storeCode: 'SA',
        deviceNo: 1,
        currency: 'EUR',
        locale: 'fr-FR',
        timezone: 'Europe/Paris',
        // Cash is paid to the nearest 0.05, so a sale's lines carry their share of the rounding.
        cashRoundingIncrement: 5,
      },
      firstManager: { staffCode: 'M1', name: 'Morgan Manager', pin: '1234' },
      pinCost: TEST_PIN_COST,
      clock,
    });
    const { code } = await createEnrollmentCode(hub, 'store-a', 'test');
    const enrolled = await enrollDevice(hub, {
      code,
      deviceName: 'SA lane 1',
      deviceId: init.identity.deviceId,
      deviceNo: 1,
      storeId: 'store-a',
    });
    ({ app } = await buildApp({ hub }));
    const hubUrl = await app.listen({ host: '127.0.0.1', port: 0 });
    engine = openStoreEngine({
      databasePath,
      clock,
      pinCost: TEST_PIN_COST,
      sync: {
        transport: 'http',
        tuning: { livePullIntervalMs: 150, backoff: { baseMs: 50, capMs: 400 }, errorRetryMs: 500 },
      },
    });
    await engine.sync.configure({ hubUrl, credential: enrolled.credential });
    session = expectOk(engine.execute('staff-sign-in', { staffCode: 'M1', pin: '1234' })).session;
    await until(
      'the till has the catalog',
      () => engine.execute('catalog-scan', { code: WIDGET }, { session }).ok || undefined,
    );
  });

  afterAll(async () => {
    await engine?.shutdown();
    removeDir?.();
    await app?.close();
    await storage?.close();
    await database?.dispose();
  });

  it('switches a scheduled price on and a promotion off at their exact millisecond while offline', async () => {
    // HQ schedules a cheaper widget from the top of the next hour and a gadget promotion that stops an
    // hour later; the till receives both through its feed well before either moment.
    const book = { currency: 'EUR', scope: { type: 'chain' as const }, taxInclusive: true };
    await savePriceBook(
      hub,
      'pb-winter',
      { book: { ...book, name: 'Winter prices', priority: 10, startsAt: priceChangeAt } },
      'hq',
    );
    await savePriceEntries(
      hub,
      'pb-winter',
      { entries: [{ sku: 'WIDGET', tiers: [{ minQty: 1, unitPrice: 450 }] }] },
      'hq',
    );
    await savePromotion(
      hub,
      'promo-gadget',
      {
        promotion: {
          name: 'Gadget -10%',
          priority: 1,
          stacking: 'stackable',
          endsAt: promotionEndsAt,
          scope: { type: 'store', storeId: 'store-a' },
          currency: 'EUR',
          rule: { type: 'percent_off', target: { skus: ['GADGET'] }, percent: 10 },
        },
      },
      'hq',
    );
    await until('the till has the schedule', () => {
      const book = engine.db
        .prepare("SELECT data FROM price_books WHERE price_book_id = 'pb-winter'")
        .get() as { data: string } | undefined;
      const price = engine.db.prepare("SELECT 1 FROM prices WHERE price_book_id = 'pb-winter'").get();
      const promotion = engine.db
        .prepare("SELECT 1 FROM promotions WHERE promotion_id = 'promo-gadget'")
        .get();
      return book !== undefined && JSON.parse(book.data).version === 2 && price && promotion
        ? true
        : undefined;
    });
    await engine.sync.stop();
    ok('shift-open', { float: 10_000 });

    clock.set(priceChangeAt - 1);
    const before = scan(WIDGET);
    expect(lineOf(before, 'WIDGET')).toMatchObject({ unitPrice: 500, priceBookId: 'pb-chain' });
    payAndComplete(before, 500);

    clock.set(priceChangeAt);
    const after = scan(WIDGET);
    expect(lineOf(after, 'WIDGET')).toMatchObject({ unitPrice: 450, priceBookId: 'pb-winter' });
    expect(payAndComplete(after, 450).priceBookVersion).toBe('pb-winter@2');

    clock.set(promotionEndsAt - 1);
    const promoted = scan(GADGET);
    expect(lineOf(promoted, 'GADGET').adjustments).toEqual([
      expect.objectContaining({ kind: 'promotion', promotionId: 'promo-gadget', amount: 100 }),
    ]);
    expect(payAndComplete(promoted, 900).promotions).toEqual([
      expect.objectContaining({ promotionId: 'promo-gadget', version: 1, total: 100 }),
    ]);

    clock.set(promotionEndsAt);
    const ended = scan(GADGET);
    expect(lineOf(ended, 'GADGET').adjustments).toEqual([]);
    expect(payAndComplete(ended, 1_000).totals.total).toBe(1_000);
  });

  it('charges a line scanned before the switch at the price in force when the sale completes', () => {
    // The rule (docs/pricing-loyalty.md): an open cart is re-priced as of now on every step, and the sale
    // is priced once, at completion, from one snapshot. A widget scanned a millisecond before the new
    // price starts shows 5.00, shows 4.50 from the switch on, and is charged 4.50.
    clock.set(priceChangeAt - 1);
    const scanned = scan(WIDGET);
    expect(lineOf(scanned, 'WIDGET').unitPrice).toBe(500);
    ok('sale-add-tender', { saleId: scanned.saleId, tender: { type: 'cash', amount: 500 } });

    clock.set(priceChangeAt);
    const shown = ok('sale-get', { saleId: scanned.saleId });
    expect(lineOf(shown, 'WIDGET').unitPrice).toBe(450);
    expect(shown.payment).toMatchObject({ complete: true, change: 50 });
    const completed = ok('sale-complete', { saleId: scanned.saleId });
    expect(completed.totals.total).toBe(450);
    expect(completed.tenders[0]).toMatchObject({ amount: 450, change: 50 });
    expect(completed.priceBookVersion).toBe('pb-winter@2');
  });

  it('sells a sale mixing quantities, a promotion, a price override, manual discounts and cash rounding', () => {
    clock.set(priceChangeAt + 1_000);
    let view = scan(WIDGET);
    view = ok('sale-set-qty', { saleId: view.saleId, lineId: lineOf(view, 'WIDGET').lineId, qty: 3 });
    view = ok('sale-add-line', { saleId: view.saleId, code: GADGET });
    view = ok('sale-override-price', {
      saleId: view.saleId,
      lineId: lineOf(view, 'GADGET').lineId,
      unitPrice: 777,
      reason: 'Damaged box',
    });
    view = ok('sale-discount-line', {
      saleId: view.saleId,
      lineId: lineOf(view, 'WIDGET').lineId,
      discount: { percent: 12.5 },
    });
    view = ok('sale-discount-order', { saleId: view.saleId, discount: { amount: 101 } });
    expect(lineOf(view, 'GADGET').adjustments.map((adjustment) => adjustment.kind)).toContain('promotion');
    const completed = payAndComplete(view, 5_000);
    expect(completed.payment.cashRounding).not.toBe(0);
    expect(completed.priceBookVersion).toBe('pb-winter@2');
  });

  it('brings the offline sales to the hub, whose pricing audit agrees with every one', async () => {
    engine.sync.start();
    await until('the offline sales reach the hub', async () => {
      const status = expectOk(engine.execute('sync-status', {}));
      if (status.pendingEvents > 0) return undefined;
      const sales = await storage.db
        .selectFrom('sales')
        .select('sale_id')
        .where('node_id', '=', 'store-a')
        .execute();
      return sales.length === 6 ? true : undefined;
    });
    const audits = await listExceptions(storage.db, { type: 'PRICING_AUDIT', limit: 100 });
    expect(audits).toEqual([]);
    const rejected = await listExceptions(storage.db, { type: 'REJECTED_EVENT', limit: 100 });
    expect(rejected).toEqual([]);
  });
});
