import { money, priceCart, settleTenders, type CartLineInput, type TenderInput } from '@retail/domain';
import { describe, expect, it } from 'vitest';
import type { Role } from '../../shared/commands';
import type { SaleDraft } from './draft';
import { buildSaleCompletion, completionTenderIds, type SaleCompletionFacts } from './sale-completion';
import type { PricedSale } from './sale-pricing';

// The builder runs without a database: the cart is priced and settled by the domain here, as
// sale-pricing.ts does from the replica, and ids and roles are plain functions.
const CURRENCY = 'EUR';

function line(
  lineId: string,
  sku: string,
  qty: number,
  unitPrice: number,
  percentOff?: number,
): CartLineInput {
  return {
    lineId,
    sku,
    name: `Item ${sku}`,
    unit: 'each',
    taxCategory: 'standard',
    categoryIds: [],
    qty,
    price: {
      source: 'price_book',
      unitPrice: money(unitPrice, CURRENCY),
      taxInclusive: true,
      priceBookId: 'book-1',
      priceBookVersion: 3,
    },
    ...(percentOff === undefined ? {} : { discount: { percent: percentOff } }),
  };
}

function factsFor(
  draft: SaleDraft,
  inputs: readonly CartLineInput[],
  tenders: readonly TenderInput[],
  roles: ReadonlyMap<string, Role> = new Map(),
): SaleCompletionFacts {
  const cart = priceCart({
    currency: CURRENCY,
    at: Date.parse('2026-12-06T10:00:00Z'),
    storeId: 'store-1',
    jurisdictionIds: [],
    lines: inputs,
    promotions: [],
    taxRates: [],
    cashRoundingIncrement: 5,
  });
  const settlement = settleTenders(cart.totals.total, tenders, { cashRoundingIncrement: 5 });
  const priced: PricedSale = {
    cart,
    settlement,
    lines: inputs.map((input, index) => ({ input, draft: draft.lines[index]!, hadBookPrice: true })),
    exchange: undefined,
    giftCards: money(0, CURRENCY),
    due: cart.totals.total,
  };
  let next = 0;
  return {
    saleId: 'sale-1',
    customerId: null,
    receiptNumber: 'R-0001-000001',
    shiftId: 'shift-1',
    staffId: 'cashier-1',
    currency: CURRENCY,
    completedAt: '2026-12-06T10:00:00.000Z',
    draft,
    priced,
    creditTender: undefined,
    giftCards: [],
    loyalty: undefined,
    discountApproval: undefined,
    settingsVersion: 7,
    roleOf: (staffId) => roles.get(staffId),
    newId: () => `id-${(next += 1)}`,
  };
}

describe('buildSaleCompletion', () => {
  const draft: SaleDraft = {
    lines: [
      {
        lineId: 'L1',
        sku: 'A',
        qty: 1,
        price: { source: 'price_book' },
        discount: { percent: 10 },
        discountBy: 'sup-1',
      },
      { lineId: 'L2', sku: 'B', qty: 3, price: { source: 'price_book' } },
    ],
    tenders: [{ tenderId: 'T1', type: 'cash', amount: 1000 }],
  };
  const inputs = [line('L1', 'A', 1, 199, 10), line('L2', 'B', 3, 251)];

  it('spreads cash rounding over the lines so what they paid equals what the tenders paid', () => {
    const { payload } = buildSaleCompletion(
      factsFor(draft, inputs, [{ type: 'cash', amount: money(1000, CURRENCY) }]),
    );
    const linesPaid = payload.lines.reduce((total, sold) => total + sold.paid, 0);
    const tendersPaid = payload.tenders.reduce((total, tender) => total + tender.amount, 0);
    expect(payload.totals.cashRounding).not.toBe(0);
    expect(linesPaid).toBe(tendersPaid);
    expect(payload.totals.paid).toBe(tendersPaid);
    expect(payload.tenders).toEqual([
      expect.objectContaining({
        tenderId: 'T1',
        type: 'cash',
        tendered: 1000,
        change: payload.totals.change,
      }),
    ]);
  });

  it('names who gave each manual discount and the role this till knows them by', () => {
    const { payload } = buildSaleCompletion(
      factsFor(
        draft,
        inputs,
        [{ type: 'cash', amount: money(1000, CURRENCY) }],
        new Map([['sup-1', 'supervisor']]),
      ),
    );
    expect(payload.lines[0]?.adjustments).toEqual([
      expect.objectContaining({ kind: 'manual_line', givenBy: 'sup-1' }),
    ]);
    expect(payload.lines[1]?.adjustments).toEqual([]);
    expect(payload.staffRoles).toEqual({ 'sup-1': 'supervisor' });
    expect(payload.settingsVersion).toBe(7);
  });

  it('takes one stock movement per line, with ids in line order', () => {
    const { payload } = buildSaleCompletion(
      factsFor(draft, inputs, [{ type: 'cash', amount: money(1000, CURRENCY) }]),
    );
    expect(payload.movements).toEqual([
      { movementId: 'id-1', sku: 'A', type: 'POS_SALE', bucket: 'sellable', delta: -1 },
      { movementId: 'id-2', sku: 'B', type: 'POS_SALE', bucket: 'sellable', delta: -3 },
    ]);
  });

  it('settles a sale that costs nothing with a zero cash tender', () => {
    const free: SaleDraft = {
      lines: [
        { lineId: 'L1', sku: 'A', qty: 1, price: { source: 'price_book' }, discount: { percent: 100 } },
      ],
      tenders: [],
    };
    const { payload } = buildSaleCompletion(factsFor(free, [line('L1', 'A', 1, 199, 100)], []));
    expect(payload.totals.total).toBe(0);
    expect(payload.tenders).toEqual([{ tenderId: 'id-1', type: 'cash', amount: 0, tendered: 0, change: 0 }]);
    expect(payload.movements.map((movement) => movement.movementId)).toEqual(['id-2']);
  });

  it('puts an exchange credit first among the tenders', () => {
    expect(completionTenderIds(draft, { tenderId: 'credit-1', reference: 'EXCHANGE-sale-1' })).toEqual([
      'credit-1',
      'T1',
    ]);
    expect(completionTenderIds(draft, undefined)).toEqual(['T1']);
  });
});
