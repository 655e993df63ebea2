import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CommandInput, CommandName, CommandResponse, SaleView } from '../src/shared/commands';
import type { StoreEngine } from '../src/engine/engine';
import {
  backendKinds,
  listExceptions,
  savePriceBook,
  savePriceEntries,
  savePromotion,
  startTestHub,
  until,
  type HubContext,
  type Storage,
  type TestHub,
} from '@retail/hub-server/testing';
import { expectOk, fakeClock, type FakeClock } from '../src/engine/testing/test-node';
import { openTestTill, type TestTill } from '../src/engine/testing/test-till';

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

describe.each(backendKinds())('pricing schedule on a real store engine against the hub on %s', (kind) => {
  let world: TestHub;
  let till: TestTill;
  let storage: Storage;
  let hub: HubContext;
  let engine: StoreEngine;
  let session: string;
  let clock: FakeClock;
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
    world = await startTestHub({
      kind,
      stores: [{ nodeId: 'store-a', name: 'Store A', pickupEnabled: false }],
      items: [
        { sku: 'WIDGET', barcode: WIDGET, unitPrice: 500 },
        { sku: 'GADGET', barcode: GADGET, unitPrice: 1_000 },
      ],
      priceBookActor: 'hq',
    });
    ({ storage, hub } = world);
    clock = fakeClock(start);
    till = await openTestTill(world, {
      storeId: 'store-a',
      storeCode: 'SA',
      dirPrefix: 'pricing-schedule-',
      // Cash is paid to the nearest 0.05, so a sale's lines carry their share of the rounding.
      setup: { cashRoundingIncrement: 5 },
      clock,
    });
    engine = till.engine;
    session = till.session;
    await until(
      'the till has the catalog',
      () => engine.execute('catalog-scan', { code: WIDGET }, { session }).ok || undefined,
    );
  });

  afterAll(async () => {
    await till?.close();
    await world?.close();
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
