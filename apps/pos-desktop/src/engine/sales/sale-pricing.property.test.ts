import fc from 'fast-check';
import { DomainError } from '@retail/domain';
import { afterEach, describe, expect, it } from 'vitest';
import { findSale, readDraft } from './draft';
import { priceSale } from './sale-pricing';
import { createTestNode, expectOk, TEST_SKUS, type TestNode } from '../testing/test-node';

const MINUTE = 60_000;

type Op =
  | { kind: 'add'; item: 'apple' | 'milk' | 'cheese'; qty: number }
  | { kind: 'qty'; index: number; qty: number }
  | { kind: 'remove'; index: number }
  | { kind: 'discount'; percent: number | null }
  | { kind: 'tender'; amount: number }
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
  fc.record({ kind: fc.constant('tender' as const), amount: fc.integer({ min: 1, max: 500 }) }),
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
        let hubSeq = 9000;
        let tenders: string[] = [];
        for (const step of steps) {
          // A price that dropped under a card already taken makes the view a refusal (compared below):
          // then the walk has no lines to pick from this step.
          const got = current.engine.execute('sale-get', { saleId }, as);
          const sale = { lines: got.ok ? got.value.lines : [] };
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
                { saleId, tender: { type: 'card', amount: step.amount, reference: `AUTH-${hubSeq}` } },
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
        // The view the commands answer is the fresh pricing's, too: its figures, or its refusal (a price
        // that dropped under a card already taken: the card is more than is now due).
        const shown = current.engine.execute('sale-get', { saleId }, as);
        current.engine.transact('compare-view', (ctx) => {
          const fresh = outcome(() =>
            priceSale(ctx, readDraft(findSale(ctx, saleId)), saleId, { reuse: false }),
          );
          if ('refused' in fresh) {
            expect(shown).toMatchObject({ ok: false, error: fresh.refused });
            return;
          }
          const view = expectOk(shown);
          expect(view.totals.total).toBe(fresh.priced.due.amount);
          expect(view.payment.remaining).toBe(fresh.priced.settlement.remaining.amount);
        });
      }),
      { numRuns: 30 },
    );
  });
});
