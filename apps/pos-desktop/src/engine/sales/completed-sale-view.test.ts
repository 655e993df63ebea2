import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { EventEnvelopeSchema, checkPayload, isSaleCompletedV1, type EventPayloads } from '@retail/sync';
import { readOutbox } from '../outbox/outbox';
import { createTestNode, expectOk, TEST_SKUS, type TestNode } from '../testing/test-node';
import { findSale } from './draft';
import { storedGiftCardLoads } from './gift-card-loads';
import { completedSaleView, storedSaleView } from './stored-sale';

/**
 * `sale-complete` answers a view built from the payload it wrote (`completedSaleView`) instead of reading
 * the sale back; it must be exactly the view `storedSaleView` reads from the sale tables (what `sale-get`
 * and receipts show) for every kind of sale.
 */

const MINUTE = 60_000;
let node: TestNode | undefined;
afterEach(() => {
  node?.close();
  node = undefined;
});

type Item = keyof typeof TEST_SKUS;

interface SalePlan {
  readonly lines: readonly { item: Item; qty: number }[];
  readonly lineDiscounts: readonly { index: number; percent: number }[];
  readonly orderDiscount: number | null;
  readonly override: { index: number; unitPrice: number } | null;
  /** Share of the total paid by card first (0: cash only), then cash with this much over. */
  readonly cardShare: number;
  readonly cashOver: number;
  readonly secondCard: boolean;
}

const salePlan: fc.Arbitrary<SalePlan> = fc.record({
  lines: fc.array(
    fc.oneof(
      fc.record({ item: fc.constantFrom<Item>('apple', 'milk'), qty: fc.integer({ min: 1, max: 5 }) }),
      fc.record({ item: fc.constant<Item>('cheese'), qty: fc.integer({ min: 5, max: 1_500 }) }),
    ),
    { minLength: 1, maxLength: 6 },
  ),
  lineDiscounts: fc.array(fc.record({ index: fc.nat(5), percent: fc.integer({ min: 1, max: 10 }) }), {
    maxLength: 3,
  }),
  orderDiscount: fc.option(fc.integer({ min: 1, max: 20 }), { nil: null }),
  override: fc.option(fc.record({ index: fc.nat(5), unitPrice: fc.integer({ min: 0, max: 400 }) }), {
    nil: null,
  }),
  cardShare: fc.constantFrom(0, 0.3, 0.5, 1),
  cashOver: fc.constantFrom(0, 1, 7, 500),
  secondCard: fc.boolean(),
});

function publishPromotionsAndTaxes(current: TestNode): void {
  const now = current.clock.now();
  current.engine.applyFeed({
    epoch: 'test-epoch',
    changes: [
      {
        entity: 'promotion',
        key: 'promo-milk',
        op: 'upsert',
        hubSeq: 9001,
        data: {
          promotionId: 'promo-milk',
          version: 1,
          name: 'Milk off',
          priority: 0,
          stacking: 'stackable',
          startsAt: now - MINUTE,
          endsAt: now + 1_000 * MINUTE,
          scope: { type: 'chain' },
          currency: 'EUR',
          rule: { type: 'amount_off', target: { skus: [TEST_SKUS.milk.sku] }, amount: 7 },
        },
      },
    ],
  });
}

/** The payload of the sale's `sale.completed` event, as the outbox holds it. */
function completedPayload(current: TestNode, saleId: string): EventPayloads['sale.completed'] {
  const event = readOutbox(current.engine.db, 0, 10_000).find(
    (candidate) =>
      candidate.type === 'sale.completed' && (candidate.payload as { saleId: string }).saleId === saleId,
  );
  if (!event) throw new Error(`no sale.completed for ${saleId}`);
  expect(EventEnvelopeSchema.safeParse(event).success).toBe(true);
  // The outbox took it on the hand check's fast path (the schema would have written the same JSON).
  expect(isSaleCompletedV1(event.payload)).toBe(true);
  const checked = checkPayload('sale.completed', 1, event.payload);
  if (!checked.ok || checked.type !== 'sale.completed') throw new Error('invalid sale.completed');
  return checked.payload as EventPayloads['sale.completed'];
}

function ringUp(current: TestNode, plan: SalePlan): string {
  const as = (who: keyof TestNode['sessions'] = 'cashier') => ({ session: current.sessions[who] });
  const { saleId } = expectOk(current.engine.execute('sale-start', {}, as()));
  let lineIds: string[] = [];
  for (const line of plan.lines) {
    const view = expectOk(
      current.engine.execute('sale-add-line', { saleId, sku: TEST_SKUS[line.item].sku, qty: line.qty }, as()),
    );
    lineIds = view.lines.map((entry) => entry.lineId);
  }
  if (plan.override !== null) {
    const lineId = lineIds[plan.override.index % lineIds.length]!;
    const override = expectOk(
      current.engine.execute(
        'staff-override',
        { managerCode: 'M1', managerPin: '1234', action: 'price-override', reason: 'damaged box' },
        as(),
      ),
    );
    expectOk(
      current.engine.execute(
        'sale-override-price',
        {
          saleId,
          lineId,
          unitPrice: plan.override.unitPrice,
          reason: 'damaged box',
          overrideId: override.overrideId,
        },
        as(),
      ),
    );
  }
  for (const discount of plan.lineDiscounts) {
    const lineId = lineIds[discount.index % lineIds.length]!;
    expectOk(
      current.engine.execute(
        'sale-discount-line',
        { saleId, lineId, discount: { percent: discount.percent } },
        as('supervisor'),
      ),
    );
  }
  if (plan.orderDiscount !== null) {
    current.engine.execute(
      'sale-discount-order',
      { saleId, discount: { percent: plan.orderDiscount } },
      as('supervisor'),
    );
  }
  const total = expectOk(current.engine.execute('sale-get', { saleId }, as())).totals.total;
  const card = Math.floor(total * plan.cardShare);
  const firstCard = plan.secondCard ? Math.floor(card / 2) : card;
  for (const amount of plan.secondCard ? [firstCard, card - firstCard] : [card]) {
    if (amount <= 0) continue;
    expectOk(
      current.engine.execute(
        'sale-add-tender',
        { saleId, tender: { type: 'card', amount, reference: `AUTH-${amount}` } },
        as(),
      ),
    );
  }
  const due = expectOk(current.engine.execute('sale-get', { saleId }, as())).payment.cashDue;
  // A sale that costs nothing may complete with no payment at all (a zero cash tender is recorded).
  const cash = due > 0 ? due + plan.cashOver : 0;
  if (cash > 0) {
    expectOk(
      current.engine.execute('sale-add-tender', { saleId, tender: { type: 'cash', amount: cash } }, as()),
    );
  }
  return saleId;
}

function expectAnswerIsStoredView(current: TestNode, saleId: string, answer: unknown): void {
  const as = { session: current.sessions.cashier };
  // What a client gets: the completion's answer is the answer `sale-get` reads back afterwards.
  expect(answer).toStrictEqual(expectOk(current.engine.execute('sale-get', { saleId }, as)));
  // And before the response check (which could hide a key): the view built from the payload is the view read.
  const payload = completedPayload(current, saleId);
  current.engine.transact('compare-views', (ctx) => {
    const row = findSale(ctx, saleId);
    const stored = storedSaleView(ctx, row);
    const built = completedSaleView(
      ctx,
      row,
      payload,
      stored.promotions,
      storedGiftCardLoads(ctx.db, saleId),
    );
    expect(built).toStrictEqual(stored);
  });
}

describe('sales/stored-sale: the completion answers the stored view without reading it back', () => {
  it('equals storedSaleView over varied sales (promotions, discounts, overrides, kg lines, split tenders)', () => {
    let completed = 0;
    fc.assert(
      fc.property(fc.array(salePlan, { minLength: 1, maxLength: 3 }), (plans) => {
        node?.close();
        node = createTestNode();
        const current = node;
        publishPromotionsAndTaxes(current);
        expectOk(
          current.engine.execute('shift-open', { float: 10_000 }, { session: current.sessions.cashier }),
        );
        for (const plan of plans) {
          const saleId = ringUp(current, plan);
          const answer = current.engine.execute(
            'sale-complete',
            { saleId },
            { session: current.sessions.cashier },
          );
          if (!answer.ok) {
            // Only a sale the cashier may not complete (a discount past every limit) is refused.
            expect(answer.error.code).not.toBe('INTERNAL');
            continue;
          }
          completed += 1;
          expectAnswerIsStoredView(current, saleId, answer.value);
        }
      }),
      { numRuns: 40 },
    );
    expect(completed).toBeGreaterThan(40);
  });

  it('equals storedSaleView for an exchange (the return in the same transaction, credit as a tender)', () => {
    node = createTestNode();
    const current = node;
    const as = { session: current.sessions.cashier };
    expectOk(current.engine.execute('shift-open', { float: 10_000 }, as));
    const firstId = ringUp(current, {
      lines: [{ item: 'apple', qty: 3 }],
      lineDiscounts: [],
      orderDiscount: null,
      override: null,
      cardShare: 0,
      cashOver: 0,
      secondCard: false,
    });
    const first = expectOk(current.engine.execute('sale-complete', { saleId: firstId }, as));
    for (const qty of [1, 2]) {
      const { saleId } = expectOk(current.engine.execute('sale-start', {}, as));
      expectOk(current.engine.execute('sale-add-line', { saleId, sku: TEST_SKUS.milk.sku, qty }, as));
      const exchanging = expectOk(
        current.engine.execute(
          'sale-set-exchange',
          {
            saleId,
            exchange: {
              receiptNumber: first.receiptNumber!,
              lines: [{ lineId: first.lines[0]!.lineId, qty: 1 }],
            },
          },
          as,
        ),
      );
      if (exchanging.payment.cashDue > 0) {
        expectOk(
          current.engine.execute(
            'sale-add-tender',
            { saleId, tender: { type: 'cash', amount: exchanging.payment.cashDue } },
            as,
          ),
        );
      }
      const done = expectOk(current.engine.execute('sale-complete', { saleId }, as));
      expect(done.exchange).not.toBeNull();
      expectAnswerIsStoredView(current, saleId, done);
    }
  });
});
