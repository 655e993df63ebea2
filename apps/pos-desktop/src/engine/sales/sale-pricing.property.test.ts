import fc from 'fast-check';
import { DomainError } from '@retail/domain';
import { afterEach, describe, expect, it } from 'vitest';
import type { SaleView } from '../../shared/commands';
import { findSale, readDraft } from './draft';
import { priceSale } from './sale-pricing';
import { createTestNode, expectOk, TEST_SKUS, type TestNode } from '../testing/test-node';

const MINUTE = 60_000;

type Op =
  | { kind: 'add'; item: 'apple' | 'milk' | 'cheese'; qty: number }
  | { kind: 'qty'; index: number; qty: number }
  | { kind: 'remove'; index: number }
  | { kind: 'discount'; percent: number | null }
  | { kind: 'tender'; amount: number | 'rest' }
  | { kind: 'untender' }
  | { kind: 'advance'; ms: number }
  | { kind: 'publish'; price: number; startsIn: number; lastsFor: number; promoOff: number };

const ops: fc.Arbitrary<Op> = fc.oneof(
  fc.record({
    kind: fc.constant('add' as const),
    item: fc.constantFrom('apple' as const, 'milk' as const, 'cheese' as const),
    qty: fc.integer({ min: 1, max: 4 }),
  }),
  fc.record({ kind: fc.constant('qty' as const), index: fc.nat(5), qty: fc.integer({ min: 1, max: 6 }) }),
  fc.record({ kind: fc.constant('remove' as const), index: fc.nat(5) }),
  fc.record({
    kind: fc.constant('discount' as const),
    percent: fc.option(fc.integer({ min: 1, max: 10 }), { nil: null }),
  }),
  fc.record({
    kind: fc.constant('tender' as const),
    // 'rest' pays exactly what is still due: a card covering the total, which a later price drop leaves over.
    amount: fc.oneof(fc.integer({ min: 1, max: 500 }), fc.constant('rest' as const)),
  }),
  fc.constant({ kind: 'untender' as const }),
  fc.record({
    kind: fc.constant('advance' as const),
    ms: fc.constantFrom(1, MINUTE - 1, MINUTE, 3 * MINUTE, 7 * MINUTE, 20 * MINUTE),
  }),
  fc.record({
    kind: fc.constant('publish' as const),
    price: fc.integer({ min: 10, max: 300 }),
    startsIn: fc.integer({ min: -2, max: 10 }),
    lastsFor: fc.integer({ min: 1, max: 15 }),
    promoOff: fc.integer({ min: 1, max: 9 }),
  }),
);

/** What pricing answers: the priced sale, or the refusal (code, key, params) it throws. */
function outcome<T>(
  price: () => T,
): { priced: T } | { refused: Pick<DomainError, 'code' | 'key' | 'params'> } {
  try {
    return { priced: price() };
  } catch (error) {
    if (!(error instanceof DomainError)) throw error;
    return { refused: { code: error.code, key: error.key, params: error.params } };
  }
}

let node: TestNode | undefined;
let overTenderedSeen = 0;
afterEach(() => {
  node?.close();
  node = undefined;
});

describe('sales/sale-pricing: reusing the last priced cart', () => {
  it('answers exactly what pricing afresh answers, across cart edits, tenders, time and feed changes', () => {
    fc.assert(
      fc.property(fc.array(ops, { minLength: 1, maxLength: 30 }), (steps) => {
        node?.close();
        node = createTestNode();
        const current = node;
        const as = { session: current.sessions.cashier };
        expectOk(current.engine.execute('shift-open', { float: 10_000 }, as));
        const { saleId } = expectOk(current.engine.execute('sale-start', {}, as));
        // Both SKUs the published price book and promotion touch are in the cart from the start.
        expectOk(current.engine.execute('sale-add-line', { saleId, code: TEST_SKUS.apple.barcode }, as));
        expectOk(current.engine.execute('sale-add-line', { saleId, code: TEST_SKUS.milk.barcode }, as));
        /**
         * The view the commands answer is the fresh pricing's. Cards beyond what the sale now comes to (a
         * price that dropped after they were taken) are reported by how much, and block completion.
         */
        const checkView = (view: SaleView) => {
          current.engine.transact('compare-view', (ctx) => {
            const fresh = priceSale(ctx, readDraft(findSale(ctx, saleId)), saleId, { reuse: false });
            expect(view.totals.total).toBe(fresh.due.amount);
            expect(view.payment.remaining).toBe(fresh.settlement.remaining.amount);
          });
          const cards = view.tenders.reduce((total, tender) => total + tender.tendered, 0);
          const over = Math.max(0, cards - view.totals.total);
          expect(view.payment.overTendered?.amount ?? 0).toBe(over);
          expect(view.payment.complete).toBe(view.payment.remaining === 0 && over === 0);
          if (over === 0) return;
          overTenderedSeen += 1;
          // Without the cards carrying the excess, the others still fit: what is left is what to take.
          const flagged = view.payment.overTendered?.tenderIds ?? [];
          const keptTotal = view.tenders
            .filter((tender) => !flagged.includes(tender.tenderId))
            .reduce((total, tender) => total + tender.tendered, 0);
          expect(flagged.length).toBeGreaterThan(0);
          expect(keptTotal).toBeLessThanOrEqual(view.totals.total);
          expect(view.payment.overTendered?.dueOnceRemoved).toBe(view.totals.total - keptTotal);
          if (view.lines.length === 0) return;
          expect(current.engine.execute('sale-complete', { saleId }, as)).toMatchObject({
            ok: false,
            error: { code: 'LIMIT_EXCEEDED', key: 'sale.overTenderedRemoveTake' },
          });
        };
        let hubSeq = 9000;
        let tenders: string[] = [];
        for (const step of steps) {
          // The view always loads: a price that dropped under a card already taken is reported as an
          // over-tender, never a refusal.
          const sale = expectOk(current.engine.execute('sale-get', { saleId }, as));
          checkView(sale);
          // Failures (a tender blocking an edit, a line gone) are part of the walk: both sides see them.
          switch (step.kind) {
            case 'add':
              current.engine.execute(
                'sale-add-line',
                step.item === 'cheese'
                  ? { saleId, sku: TEST_SKUS.cheese.sku, qty: step.qty * 250 }
                  : { saleId, code: TEST_SKUS[step.item].barcode, qty: step.qty },
                as,
              );
              break;
            case 'qty': {
              const line = sale.lines[step.index % Math.max(1, sale.lines.length)];
              if (line && line.unit === 'each')
                current.engine.execute('sale-set-qty', { saleId, lineId: line.lineId, qty: step.qty }, as);
              break;
            }
            case 'remove': {
              const line = sale.lines[step.index % Math.max(1, sale.lines.length)];
              if (line) current.engine.execute('sale-remove-line', { saleId, lineId: line.lineId }, as);
              break;
            }
            case 'discount':
              current.engine.execute(
                'sale-discount-order',
                { saleId, discount: step.percent === null ? null : { percent: step.percent } },
                as,
              );
              break;
            case 'tender': {
              const added = current.engine.execute(
                'sale-add-tender',
                {
                  saleId,
                  tender: {
                    type: 'card',
                    amount: step.amount === 'rest' ? Math.max(1, sale.payment.remaining) : step.amount,
                    reference: `AUTH-${hubSeq}`,
                  },
                },
                as,
              );
              if (added.ok) tenders = added.value.tenders.map((tender) => tender.tenderId);
              break;
            }
            case 'untender': {
              const tenderId = tenders.pop();
              if (tenderId !== undefined)
                current.engine.execute('sale-remove-tender', { saleId, tenderId }, as);
              break;
            }
            case 'advance':
              current.clock.advance(step.ms);
              break;
            case 'publish': {
              const now = current.clock.now();
              const startsAt = now + step.startsIn * MINUTE;
              const endsAt = startsAt + step.lastsFor * MINUTE;
              hubSeq += 3;
              current.engine.applyFeed({
                epoch: 'test-epoch',
                changes: [
                  {
                    entity: 'price_book',
                    key: 'pb-sale',
                    op: 'upsert',
                    hubSeq: hubSeq - 2,
                    data: {
                      priceBookId: 'pb-sale',
                      version: hubSeq,
                      name: 'Flash sale',
                      currency: 'EUR',
                      scope: { type: 'chain' },
                      priority: 10,
                      taxInclusive: true,
                      startsAt,
                      endsAt,
                    },
                  },
                  {
                    entity: 'price',
                    key: `pb-sale:${TEST_SKUS.apple.sku}`,
                    op: 'upsert',
                    hubSeq: hubSeq - 1,
                    data: {
                      priceBookId: 'pb-sale',
                      sku: TEST_SKUS.apple.sku,
                      tiers: [{ minQty: 1, unitPrice: step.price }],
                    },
                  },
                  {
                    entity: 'promotion',
                    key: 'promo-milk',
                    op: 'upsert',
                    hubSeq,
                    data: {
                      promotionId: 'promo-milk',
                      version: hubSeq,
                      name: 'Milk off',
                      priority: 0,
                      stacking: 'stackable',
                      startsAt: endsAt - MINUTE,
                      endsAt: endsAt + step.lastsFor * MINUTE,
                      scope: { type: 'chain' },
                      currency: 'EUR',
                      rule: {
                        type: 'amount_off',
                        target: { skus: [TEST_SKUS.milk.sku] },
                        amount: step.promoOff,
                      },
                    },
                  },
                ],
              });
              break;
            }
          }
          current.engine.transact('compare-pricing', (ctx) => {
            const draft = readDraft(findSale(ctx, saleId));
            const reused = outcome(() => priceSale(ctx, draft, saleId));
            const fresh = outcome(() => priceSale(ctx, draft, saleId, { reuse: false }));
            expect(reused).toEqual(fresh);
          });
        }
        checkView(expectOk(current.engine.execute('sale-get', { saleId }, as)));
      }),
      {
        numRuns: 30,
        // A card for the whole sale, then a cheaper apple price that starts a minute later; then the cashier
        // takes the card off, pays the new total and gives a discount on top of it.
        examples: [
          [
            [
              { kind: 'tender', amount: 'rest' },
              { kind: 'publish', price: 10, startsIn: 1, lastsFor: 5, promoOff: 1 },
              { kind: 'advance', ms: MINUTE },
              { kind: 'untender' },
              { kind: 'tender', amount: 'rest' },
              { kind: 'discount', percent: 5 },
            ],
          ],
        ],
      },
    );
    // The walk does reach the case (a 'rest' card, then a cheaper price): the checks above ran on it.
    expect(overTenderedSeen).toBeGreaterThan(0);
  });
});
