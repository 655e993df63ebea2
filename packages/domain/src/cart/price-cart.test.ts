import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compare, money, sum } from '../money';
import type { Promotion } from '../promotions/index';
import type { TaxRate } from '../tax/index';
import { priceCart, spreadCashRounding, type CartInput, type CartLineInput } from './price-cart';

const eur = (amount: number) => money(amount, 'EUR');
const AT = 1_795_000_000_000;

const line = (
  lineId: string,
  unitPrice: number,
  qty = 1,
  extra: Partial<CartLineInput> = {},
): CartLineInput => ({
  lineId,
  sku: `SKU-${lineId}`,
  name: `Item ${lineId}`,
  unit: 'each',
  taxCategory: 'std',
  categoryIds: ['cat'],
  qty,
  price: {
    source: 'price_book',
    unitPrice: eur(unitPrice),
    taxInclusive: false,
    priceBookId: 'pb',
    priceBookVersion: 3,
  },
  ...extra,
});

const base: Omit<CartInput, 'lines'> = {
  currency: 'EUR',
  at: AT,
  storeId: 'S1',
  jurisdictionIds: ['J'],
  promotions: [],
  taxRates: [{ rateId: 'vat', name: 'VAT', jurisdictionId: 'J', taxCategory: 'std', percent: 20 }],
};

describe('cart', () => {
  describe('priceCart', () => {
    it('prices an empty cart as zero', () => {
      const priced = priceCart({ ...base, lines: [] });
      expect(priced.totals.total).toEqual(eur(0));
      expect(priced.priceBookVersion).toBe('');
    });

    it('records the price book versions used', () => {
      const priced = priceCart({ ...base, lines: [line('a', 100), line('b', 200)] });
      expect(priced.priceBookVersion).toBe('pb@3');
      expect(priced.lines.map((l) => l.paid.amount)).toEqual([120, 240]);
    });

    it('refuses duplicate lines, bad quantities, foreign currencies, negative prices and bad discounts', () => {
      expect(() => priceCart({ ...base, lines: [line('a', 1), line('a', 1)] })).toThrow(/appears twice/);
      expect(() => priceCart({ ...base, lines: [line('a', 1, 0)] })).toThrow(/positive whole number/);
      expect(() => priceCart({ ...base, lines: [line('a', 1, 1.5, { unit: 'kg' })] })).toThrow(/of grams/);
      expect(() =>
        priceCart({
          ...base,
          lines: [
            line('a', 1, 1, { price: { source: 'label', unitPrice: money(1, 'USD'), taxInclusive: true } }),
          ],
        }),
      ).toThrow(expect.objectContaining({ code: 'CURRENCY_MISMATCH' }));
      expect(() =>
        priceCart({
          ...base,
          lines: [line('a', 1, 1, { price: { source: 'label', unitPrice: eur(-1), taxInclusive: true } })],
        }),
      ).toThrow(/negative price/);
      expect(() =>
        priceCart({
          ...base,
          lines: [line('a', 1, 2, { price: { source: 'label', unitPrice: eur(100), taxInclusive: true } })],
        }),
      ).toThrow(/scan each label/);
      expect(() =>
        priceCart({ ...base, lines: [line('a', 100, 1, { discount: { percent: 120 } })] }),
      ).toThrow(/percentage above 0 and at most 100/);
      expect(() => priceCart({ ...base, lines: [line('a', 100)], orderDiscount: { amount: -5 } })).toThrow(
        /order discount/i,
      );
      expect(() => priceCart({ ...base, at: 1.5, lines: [] })).toThrow(/whole milliseconds/);
    });

    it('caps a fixed line discount at what remains of the line', () => {
      const priced = priceCart({ ...base, lines: [line('a', 300, 1, { discount: { amount: 500 } })] });
      expect(priced.lines[0]?.discounted).toEqual(eur(0));
      expect(priced.lines[0]?.adjustments[0]?.reason).toBe('Line discount 5.00');
    });
  });

  describe('priceCart properties', () => {
    const promotions: Promotion[] = [
      {
        promotionId: 'p10',
        version: 1,
        name: '10% all',
        priority: 1,
        stacking: 'stackable',
        scope: { type: 'chain' },
        currency: 'EUR',
        rule: { type: 'percent_off', target: {}, percent: 10 },
      },
      {
        promotionId: 'bogo',
        version: 1,
        name: 'BOGO',
        priority: 2,
        stacking: 'stackable',
        scope: { type: 'chain' },
        currency: 'EUR',
        rule: {
          type: 'buy_x_get_y',
          buy: { target: { categoryIds: ['cat'] }, qty: 1 },
          get: { target: { categoryIds: ['cat'] }, qty: 1, percentOff: 100 },
        },
      },
      {
        promotionId: 'm3',
        version: 1,
        name: '3 for 5',
        priority: 0,
        stacking: 'exclusive',
        scope: { type: 'chain' },
        currency: 'EUR',
        rule: { type: 'multi_buy', target: { categoryIds: ['multi'] }, qty: 3, price: 500 },
      },
      {
        promotionId: 'spend',
        version: 1,
        name: 'spend 20 get 3',
        priority: 0,
        stacking: 'stackable',
        scope: { type: 'chain' },
        currency: 'EUR',
        rule: { type: 'spend_threshold', threshold: 2000, reward: { amountOff: 300 } },
      },
    ] as Promotion[];
    const taxRates: TaxRate[] = [
      { rateId: 'vat20', name: 'VAT 20', jurisdictionId: 'J', taxCategory: 'std', percent: 20 },
      { rateId: 'vat5', name: 'VAT 5.5', jurisdictionId: 'J', taxCategory: 'reduced', percent: 5.5 },
      { rateId: 'city', name: 'City', jurisdictionId: 'J', taxCategory: 'reduced', percent: 2.875 },
    ];

    const lineArb = fc.record({
      unitPrice: fc.integer({ min: 0, max: 50_000 }),
      qty: fc.integer({ min: 1, max: 7 }),
      kg: fc.boolean(),
      grams: fc.integer({ min: 1, max: 5000 }),
      inclusive: fc.boolean(),
      taxCategory: fc.constantFrom('std', 'reduced', 'none'),
      category: fc.constantFrom('cat', 'multi', 'other'),
      discount: fc.option(
        fc.oneof(
          fc.record({ percent: fc.integer({ min: 1, max: 100 }) }),
          fc.record({ amount: fc.integer({ min: 1, max: 3000 }) }),
        ),
        { nil: undefined },
      ),
    });
    const cartArb = fc.record({
      lines: fc.array(lineArb, { minLength: 1, maxLength: 8 }),
      orderDiscount: fc.option(
        fc.oneof(
          fc.record({ percent: fc.integer({ min: 1, max: 100 }) }),
          fc.record({ amount: fc.integer({ min: 1, max: 10_000 }) }),
        ),
        { nil: undefined },
      ),
      withPromotions: fc.boolean(),
    });

    type GeneratedCart = typeof cartArb extends fc.Arbitrary<infer T> ? T : never;
    const regressionLine: GeneratedCart['lines'][number] = {
      unitPrice: 0,
      qty: 1,
      kg: false,
      grams: 1,
      inclusive: false,
      taxCategory: 'std',
      category: 'cat',
      discount: undefined,
    };
    const build = (cart: GeneratedCart): CartInput => ({
      ...base,
      taxRates,
      promotions: cart.withPromotions ? promotions : [],
      ...(cart.orderDiscount ? { orderDiscount: cart.orderDiscount } : {}),
      lines: cart.lines.map((l, i) => ({
        lineId: `L${String(i).padStart(2, '0')}`,
        sku: `S${i}`,
        name: `S${i}`,
        unit: l.kg ? ('kg' as const) : ('each' as const),
        taxCategory: l.taxCategory,
        categoryIds: [l.category],
        qty: l.kg ? l.grams : l.qty,
        price: {
          source: 'price_book',
          unitPrice: eur(l.unitPrice),
          taxInclusive: l.inclusive,
          priceBookId: 'pb',
          priceBookVersion: 1,
        },
        ...(l.discount ? { discount: l.discount } : {}),
      })),
    });

    it('lines sum exactly to the total and each line is net + tax', () => {
      fc.assert(
        fc.property(cartArb, (cart) => {
          const priced = priceCart(build(cart));
          expect(
            sum(
              priced.lines.map((l) => l.paid),
              'EUR',
            ),
          ).toEqual(priced.totals.total);
          for (const l of priced.lines) {
            expect(l.net.amount + l.tax.amount).toBe(l.paid.amount);
            expect(l.paid.amount).toBe(
              l.taxInclusive ? l.discounted.amount : l.discounted.amount + l.tax.amount,
            );
          }
          expect(priced.taxSummary.tax).toEqual(priced.totals.tax);
        }),
        { numRuns: 300 },
      );
    });

    it('discounts never exceed subtotals and nothing is negative', () => {
      fc.assert(
        fc.property(cartArb, (cart) => {
          const priced = priceCart(build(cart));
          for (const l of priced.lines) {
            const discount = sum(
              l.adjustments.map((a) => a.amount),
              'EUR',
            );
            expect(compare(discount, l.extended)).toBeLessThanOrEqual(0);
            for (const a of l.adjustments) expect(a.amount.amount).toBeGreaterThan(0);
            expect(l.paid.amount).toBeGreaterThanOrEqual(0);
            expect(l.tax.amount).toBeGreaterThanOrEqual(0);
          }
          expect(compare(priced.totals.discount, priced.totals.subtotal)).toBeLessThanOrEqual(0);
        }),
        { numRuns: 300 },
      );
    });

    // Found by the property below (seed -915989730): with promotions, the lines keep 283 and 1, the 50%
    // order discount of 142 splits 141.5 / 0.5, and the tied cent went to whichever line came first.
    it('gives a tied order-discount cent to the same line in either scan order (seed -915989730)', () => {
      const cart: GeneratedCart = {
        lines: [
          { ...regressionLine, unitPrice: 314, qty: 1 },
          { ...regressionLine, unitPrice: 1, qty: 2 },
        ],
        orderDiscount: { percent: 50 },
        withPromotions: true,
      };
      const input = build(cart);
      const scanned = priceCart(input);
      const reversed = priceCart({ ...input, lines: [...input.lines].reverse() });
      const paidById = (priced: ReturnType<typeof priceCart>) =>
        Object.fromEntries(priced.lines.map((l) => [l.lineId, l.paid.amount]));
      expect(paidById(scanned)).toEqual({ L00: 169, L01: 1 });
      expect(paidById(reversed)).toEqual(paidById(scanned));
      expect(reversed.totals).toEqual(scanned.totals);
    });

    it('is deterministic under permutation of the lines', () => {
      fc.assert(
        fc.property(cartArb, fc.integer(), (cart, seed) => {
          const input = build(cart);
          const shuffled = [...input.lines].sort(
            (a, b) => ((a.lineId.charCodeAt(2) * 31 + seed) % 7) - ((b.lineId.charCodeAt(2) * 31 + seed) % 7),
          );
          const one = priceCart(input);
          const two = priceCart({ ...input, lines: shuffled });
          const byId = (p: ReturnType<typeof priceCart>) =>
            Object.fromEntries(
              p.lines.map((l) => [l.lineId, { paid: l.paid, adjustments: l.adjustments, taxes: l.taxes }]),
            );
          expect(byId(two)).toEqual(byId(one));
          expect(two.totals).toEqual(one.totals);
        }),
        { numRuns: 200 },
      );
    });
  });

  describe('spreadCashRounding', () => {
    it('spreads rounding in proportion to what each line paid', () => {
      const spread = spreadCashRounding(
        [
          { lineId: 'a', paid: eur(1000) },
          { lineId: 'b', paid: eur(232) },
        ],
        eur(-2),
      );
      expect(spread.map((m) => m.amount)).toEqual([998, 232]);
      expect(spreadCashRounding([{ lineId: 'a', paid: eur(5) }], eur(0))).toEqual([eur(5)]);
      expect(() => spreadCashRounding([{ lineId: 'a', paid: eur(1) }], eur(-2))).toThrow(
        /larger than the sale total/,
      );
    });

    it('spreads a tied rounding unit onto the same line in any line order', () => {
      const lines = [
        { lineId: 'b', paid: eur(300) },
        { lineId: 'a', paid: eur(100) },
      ];
      // -2 over 300 and 100 is -1.5 and -0.5: the tied unit goes to line a in both orders.
      expect(spreadCashRounding(lines, eur(-2)).map((m) => m.amount)).toEqual([299, 99]);
      expect(spreadCashRounding([...lines].reverse(), eur(-2)).map((m) => m.amount)).toEqual([99, 299]);
    });

    it('keeps every line non-negative and sums to total + rounding', () => {
      fc.assert(
        fc.property(
          fc.array(fc.integer({ min: 0, max: 10_000 }), { minLength: 1, maxLength: 10 }),
          fc.integer({ min: -2, max: 2 }),
          (paid, rounding) => {
            const total = paid.reduce((a, b) => a + b, 0);
            fc.pre(total + rounding >= 0);
            const spread = spreadCashRounding(
              paid.map((p, i) => ({ lineId: `${i}`, paid: eur(p) })),
              eur(rounding),
            );
            expect(spread.reduce((a, m) => a + m.amount, 0)).toBe(total + rounding);
            for (const m of spread) expect(m.amount).toBeGreaterThanOrEqual(0);
          },
        ),
      );
    });
  });
});
