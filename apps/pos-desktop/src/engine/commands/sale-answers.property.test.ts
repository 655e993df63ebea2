import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import type { Result } from '@retail/domain';
import { SaleViewSchema, type SaleView } from '../../shared/commands';
import { createTestNode, expectOk, TEST_SKUS, type TestNode } from '../testing/test-node';

/**
 * The sale commands' answers are sent as their handlers build them, unparsed (command-answers.ts): that is
 * only right if parsing them with SaleViewSchema would change nothing, neither strip a key the schema does
 * not name nor trim, default or reshape a value. Random sales through the real commands, every answer checked.
 */

type Op =
  | { kind: 'add'; item: 'apple' | 'milk' | 'cheese'; qty: number }
  | { kind: 'qty'; index: number; qty: number }
  | { kind: 'remove'; index: number }
  | { kind: 'override'; index: number; unitPrice: number }
  | { kind: 'discount-line'; index: number; discount: { percent: number } | { amount: number } | null }
  | { kind: 'discount-order'; discount: { percent: number } | { amount: number } | null }
  | { kind: 'tender'; type: 'cash' | 'card'; amount: number | 'rest' }
  | { kind: 'untender'; index: number }
  | { kind: 'park-resume' }
  | { kind: 'look' }
  | { kind: 'complete' }
  | { kind: 'void' };

const discountArb = fc.oneof(
  fc.constant(null),
  fc.record({ percent: fc.integer({ min: 1, max: 100 }) }),
  fc.record({ amount: fc.integer({ min: 1, max: 400 }) }),
);

const opArb: fc.Arbitrary<Op> = fc.oneof(
  {
    weight: 4,
    arbitrary: fc.record({
      kind: fc.constant('add' as const),
      item: fc.constantFrom('apple' as const, 'milk' as const, 'cheese' as const),
      qty: fc.integer({ min: 1, max: 4 }),
    }),
  },
  fc.record({ kind: fc.constant('qty' as const), index: fc.nat(5), qty: fc.integer({ min: 1, max: 6 }) }),
  fc.record({ kind: fc.constant('remove' as const), index: fc.nat(5) }),
  fc.record({
    kind: fc.constant('override' as const),
    index: fc.nat(5),
    unitPrice: fc.integer({ min: 0, max: 500 }),
  }),
  fc.record({ kind: fc.constant('discount-line' as const), index: fc.nat(5), discount: discountArb }),
  fc.record({ kind: fc.constant('discount-order' as const), discount: discountArb }),
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant('tender' as const),
      type: fc.constantFrom('cash' as const, 'card' as const),
      amount: fc.oneof(fc.integer({ min: 1, max: 600 }), fc.constant('rest' as const)),
    }),
  },
  fc.record({ kind: fc.constant('untender' as const), index: fc.nat(3) }),
  fc.constant({ kind: 'park-resume' as const }),
  fc.constant({ kind: 'look' as const }),
  fc.constant({ kind: 'complete' as const }),
  fc.constant({ kind: 'void' as const }),
);

let node: TestNode | undefined;
afterEach(() => {
  node?.close();
  node = undefined;
});

describe('sale commands: answers are exactly their schema', () => {
  it('parsing any sale view a sale command answers changes nothing', () => {
    node = createTestNode({ stock: { 'APPLE-1': 10_000, 'MILK-1': 10_000 } });
    const current = node;
    const engine = current.engine;
    const as = { session: current.sessions.manager };
    expectOk(engine.execute('shift-open', { float: 10_000 }, as));
    engine.applyFeed({
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
            name: 'Milk: 3 for 2',
            priority: 0,
            stacking: 'stackable',
            scope: { type: 'chain' },
            currency: 'EUR',
            rule: {
              type: 'buy_x_get_y',
              buy: { target: { skus: [TEST_SKUS.milk.sku] }, qty: 2 },
              get: { target: { skus: [TEST_SKUS.milk.sku] }, qty: 1, percentOff: 100 },
            },
          },
        },
      ],
    });
    const override = (action: 'price-override' | 'sale-void' | 'discount-over-limit') =>
      expectOk(
        engine.execute(
          'staff-override',
          { managerCode: 'M1', managerPin: '1234', action, reason: 'property test' },
          as,
        ),
      ).overrideId;
    let answers = 0;
    let completed = 0;
    let promoted = 0;
    const answered = (result: Result<SaleView>): SaleView | undefined => {
      // A refusal is part of the walk; a broken contract (INTERNAL) never is.
      if (!result.ok) {
        expect(result.error.code).not.toBe('INTERNAL');
        return undefined;
      }
      answers += 1;
      if (result.value.status === 'completed') completed += 1;
      if (result.value.promotions.length > 0) promoted += 1;
      expect(SaleViewSchema.parse(result.value)).toStrictEqual(result.value);
      return result.value;
    };
    const start = () => {
      // A run that failed (or a shrink of it) may have left its sale open: void it first.
      const { sale: open } = expectOk(engine.execute('sale-current', {}, as));
      if (open !== null) {
        engine.execute(
          'sale-void',
          { saleId: open.saleId, reason: 'left open', overrideId: override('sale-void') },
          as,
        );
      }
      return answered(engine.execute('sale-start', {}, as));
    };

    fc.assert(
      fc.property(fc.array(opArb, { minLength: 1, maxLength: 25 }), (steps) => {
        let sale = start();
        if (sale === undefined) throw new Error('a sale must start');
        for (const step of steps) {
          const { saleId } = sale;
          const lineAt = (index: number) => sale?.lines[index % Math.max(1, sale.lines.length)];
          let next: SaleView | undefined;
          switch (step.kind) {
            case 'add':
              next = answered(
                engine.execute(
                  'sale-add-line',
                  step.item === 'cheese'
                    ? { saleId, sku: TEST_SKUS.cheese.sku, qty: step.qty * 250 }
                    : { saleId, code: TEST_SKUS[step.item].barcode, qty: step.qty },
                  as,
                ),
              );
              break;
            case 'qty': {
              const line = lineAt(step.index);
              if (line)
                next = answered(
                  engine.execute(
                    'sale-set-qty',
                    { saleId, lineId: line.lineId, qty: line.unit === 'kg' ? step.qty * 100 : step.qty },
                    as,
                  ),
                );
              break;
            }
            case 'remove': {
              const line = lineAt(step.index);
              if (line)
                next = answered(engine.execute('sale-remove-line', { saleId, lineId: line.lineId }, as));
              break;
            }
            case 'override': {
              const line = lineAt(step.index);
              if (line)
                next = answered(
                  engine.execute(
                    'sale-override-price',
                    {
                      saleId,
                      lineId: line.lineId,
                      unitPrice: step.unitPrice,
                      reason: 'damaged',
                      overrideId: override('price-override'),
                    },
                    as,
                  ),
                );
              break;
            }
            case 'discount-line': {
              const line = lineAt(step.index);
              if (line)
                next = answered(
                  engine.execute(
                    'sale-discount-line',
                    { saleId, lineId: line.lineId, discount: step.discount },
                    as,
                  ),
                );
              break;
            }
            case 'discount-order':
              next = answered(engine.execute('sale-discount-order', { saleId, discount: step.discount }, as));
              break;
            case 'tender': {
              const amount = step.amount === 'rest' ? Math.max(1, sale.payment.remaining) : step.amount;
              next = answered(
                engine.execute(
                  'sale-add-tender',
                  {
                    saleId,
                    tender:
                      step.type === 'cash'
                        ? { type: 'cash', amount }
                        : { type: 'card', amount, reference: `AUTH-${answers}` },
                  },
                  as,
                ),
              );
              break;
            }
            case 'untender': {
              const tender = sale.tenders[step.index % Math.max(1, sale.tenders.length)];
              if (tender)
                next = answered(
                  engine.execute('sale-remove-tender', { saleId, tenderId: tender.tenderId }, as),
                );
              break;
            }
            case 'park-resume':
              if (answered(engine.execute('sale-park', { saleId }, as)) !== undefined)
                next = answered(engine.execute('sale-resume', { saleId }, as));
              break;
            case 'look': {
              next = answered(engine.execute('sale-get', { saleId }, as));
              const { sale: open } = expectOk(engine.execute('sale-current', {}, as));
              if (open !== null) expect(SaleViewSchema.parse(open)).toStrictEqual(open);
              break;
            }
            case 'complete':
              next = answered(engine.execute('sale-complete', { saleId }, as));
              break;
            case 'void':
              next = answered(
                engine.execute(
                  'sale-void',
                  { saleId, reason: 'customer left', overrideId: override('sale-void') },
                  as,
                ),
              );
              break;
          }
          if (next !== undefined) sale = next;
          if (sale.status === 'completed' || sale.status === 'voided') {
            // A finished sale's answers are read back from its rows: check them, then ring the next one.
            answered(engine.execute('sale-get', { saleId }, as));
            if (sale.receiptNumber !== null)
              answered(engine.execute('sale-find', { receiptNumber: sale.receiptNumber }, as));
            sale = start();
            if (sale === undefined) throw new Error('a sale must start');
          }
        }
        // Close the walk: pay what is due and complete, so every run also checks a completed sale.
        if (sale.payment.remaining > 0)
          sale =
            answered(
              engine.execute(
                'sale-add-tender',
                { saleId: sale.saleId, tender: { type: 'cash', amount: sale.payment.remaining } },
                as,
              ),
            ) ?? sale;
        if (sale.lines.length > 0 && sale.payment.complete)
          answered(engine.execute('sale-complete', { saleId: sale.saleId }, as));
        else if (sale.status === 'open')
          answered(
            engine.execute(
              'sale-void',
              { saleId: sale.saleId, reason: 'end of walk', overrideId: override('sale-void') },
              as,
            ),
          );
      }),
      { numRuns: 60 },
    );
    // The walks reach completed sales and promotions, not only empty carts.
    expect(answers).toBeGreaterThan(300);
    expect(completed).toBeGreaterThan(20);
    expect(promoted).toBeGreaterThan(10);
  });
});
