import { DomainError, allocate, money, sum } from '@retail/domain';
import type { EventPayloads, MovementPayload, SaleCompletedV1 } from '@retail/sync';
import { isDeepStrictEqual } from 'node:util';
import type { z } from 'zod';
import type { Role, SaleView } from '../../shared/commands';
import { firstDifference } from '../command-answers';
import { sql, type TxContext } from '../context';
import { insertRows, UpsertTable } from '../feed/row-writer';
import { recordMovements } from '../services/stock-movements';
import type { SaleDraft, SaleRow } from './draft';
import { giftCardLoadsOf, recordGiftCardLoads } from './gift-card-loads';
import type { PricedSale } from './sale-pricing';
import { completedSaleView, storedSaleView } from './stored-sale';

/**
 * A completed sale, in two steps `sale-complete` runs in one transaction: `buildSaleCompletion` arranges
 * the facts the command gathered into the `sale.completed` payload (pure, tested without a database), and
 * `recordCompletedSale` writes the sale's rows from that same payload once the event is in the outbox.
 */

type SaleCompletedPayload = EventPayloads['sale.completed'];
type SaleLinePayload = z.input<typeof SaleCompletedV1>['lines'][number];

/** A manager's approval of the sale's discounts beyond the cashier's limit, given when it completed. */
export interface DiscountApproval {
  readonly overrideId: string;
  readonly managerId: string;
  readonly reason: string;
  readonly at: string;
}

/**
 * Everything a completed sale is made of, gathered by `sale-complete` inside its transaction. No
 * database is reached from here on: the builder only arranges these facts into the event and the rows.
 */
export interface SaleCompletionFacts {
  readonly saleId: string;
  readonly customerId: string | null;
  readonly receiptNumber: string;
  readonly shiftId: string;
  readonly staffId: string;
  readonly currency: string;
  readonly completedAt: string;
  readonly draft: SaleDraft;
  readonly priced: PricedSale;
  /** The tender an exchange's credit pays with, when the returned items pay towards this sale. */
  readonly creditTender: { readonly tenderId: string; readonly reference: string } | undefined;
  readonly giftCards: SaleCompletedPayload['giftCards'];
  readonly loyalty: SaleCompletedPayload['loyalty'];
  readonly discountApproval: DiscountApproval | undefined;
  readonly settingsVersion: number | undefined;
  /** The role this till knows a staff member by (discount givers and approvers), if any. */
  roleOf(staffId: string): Role | undefined;
  newId(): string;
}

export interface SaleCompletion {
  /** The `sale.completed` event's payload: what the outbox carries and the sale's rows repeat. */
  readonly payload: SaleCompletedPayload;
  /** The applied promotions with their names and totals, as the sale's row keeps them. */
  readonly promotions: readonly { promotionId: string; version: number; name: string; total: number }[];
}

/** The tender ids of a sale in settlement order: the exchange credit first, then the cashier's tenders. */
export function completionTenderIds(
  draft: SaleDraft,
  creditTender: SaleCompletionFacts['creditTender'],
): string[] {
  return [
    ...(creditTender ? [creditTender.tenderId] : []),
    ...draft.tenders.map((tender) => tender.tenderId),
  ];
}

/**
 * Builds a completed sale's event from its priced cart and settlement. Pure: ids come from `newId` and
 * roles from `roleOf`, so it runs without a database (sale-completion.test.ts).
 */
export function buildSaleCompletion(facts: SaleCompletionFacts): SaleCompletion {
  const { draft, priced, currency } = facts;
  const { cart, settlement } = priced;
  // Cash rounding belongs to the lines too, so that Σ line paid = Σ tender amounts and returns refund it.
  // Gift card loads take none of it: a card gets exactly what was loaded. A sale of cards alone leaves
  // the rounding in the totals (at most half a rounding step).
  const roundingShares =
    cart.lines.length === 0
      ? []
      : allocate(
          settlement.cashRounding,
          cart.lines.map((line) => line.paid.amount),
          cart.lines.map((line) => line.lineId),
        );
  // Who gave each manual discount (the approver when one approved it on the spot), so the hub can judge it
  // by their role's limit as this till did.
  const lineGivers = new Map(draft.lines.map((line) => [line.lineId, line.discountBy]));
  const giverOf = (lineId: string, kind: string): string | undefined =>
    kind === 'manual_line'
      ? lineGivers.get(lineId)
      : kind === 'manual_order'
        ? draft.orderDiscountBy
        : undefined;
  const lines: SaleLinePayload[] = cart.lines.map((line, index) => {
    const resolved = priced.lines[index];
    const paid = sum([line.paid, roundingShares[index] ?? money(0, currency)], currency);
    return {
      lineId: line.lineId,
      sku: line.sku,
      name: line.name,
      qty: line.qty,
      unit: line.unit,
      taxCategory: resolved?.input.taxCategory ?? '',
      unitPrice: line.unitPrice.amount,
      taxInclusive: line.taxInclusive,
      priceSource: line.price.source,
      ...(line.price.source === 'price_book'
        ? { priceBookId: line.price.priceBookId, priceBookVersion: line.price.priceBookVersion }
        : {}),
      ...(line.price.source === 'override' && resolved?.hadBookPrice
        ? { originalUnitPrice: line.price.originalUnitPrice.amount }
        : {}),
      extended: line.extended.amount,
      adjustments: line.adjustments.map((adjustment) => {
        const givenBy = giverOf(line.lineId, adjustment.kind);
        return {
          kind: adjustment.kind,
          ...(adjustment.promotionId === undefined ? {} : { promotionId: adjustment.promotionId }),
          amount: adjustment.amount.amount,
          reason: adjustment.reason,
          ...(givenBy === undefined ? {} : { givenBy }),
        };
      }),
      net: line.net.amount,
      taxes: line.taxes.map((tax) => ({
        rateId: tax.rateId,
        name: tax.name,
        percent: tax.percent,
        amount: tax.amount.amount,
      })),
      paid: paid.amount,
    };
  });
  const creditTenders = facts.creditTender
    ? [
        {
          tenderId: facts.creditTender.tenderId,
          type: 'store_credit' as const,
          reference: facts.creditTender.reference,
        },
      ]
    : [];
  const tenders = [...creditTenders, ...draft.tenders].map((tender, index) => {
    const settled = settlement.tenders[index];
    if (!settled) throw new DomainError('INTERNAL', 'sales.paymentLostWhileCompleting');
    return {
      tenderId: tender.tenderId,
      type: tender.type,
      amount: settled.amount.amount,
      tendered: settled.tendered.amount,
      ...(tender.type === 'cash' ? { change: settled.change.amount } : { reference: tender.reference }),
      ...('points' in tender ? { points: tender.points } : {}),
    };
  });
  // A sale that costs nothing (a manager's 100% discount) still says how it was settled, as a return
  // that refunds nothing does: with a zero cash tender, so every sale carries at least one tender.
  if (tenders.length === 0) {
    tenders.push({ tenderId: facts.newId(), type: 'cash', amount: 0, tendered: 0, change: 0 });
  }
  const { discountApproval } = facts;
  const overrides = [
    ...draft.lines.flatMap((line) =>
      line.price.source === 'override'
        ? [{ managerId: line.price.managerId, reason: line.price.reason, at: line.price.at }]
        : [],
    ),
    ...(discountApproval === undefined
      ? []
      : [
          {
            managerId: discountApproval.managerId,
            reason: discountApproval.reason,
            at: discountApproval.at,
            action: 'discount-over-limit',
          },
        ]),
  ];
  const discountStaff = [
    ...lines.flatMap((line) => line.adjustments.flatMap((adjustment) => adjustment.givenBy ?? [])),
    ...(discountApproval === undefined ? [] : [discountApproval.managerId]),
  ];
  const staffRoles = Object.fromEntries(
    [...new Set(discountStaff)].flatMap((staffId) => {
      const role = facts.roleOf(staffId);
      return role === undefined ? [] : [[staffId, role]];
    }),
  );
  const movements: MovementPayload[] = cart.lines.map((line) => ({
    movementId: facts.newId(),
    sku: line.sku,
    type: 'POS_SALE',
    bucket: 'sellable',
    delta: -line.qty,
  }));
  const promotions = cart.promotions.applied.map((promotion) => ({
    promotionId: promotion.promotionId,
    version: promotion.version,
    name: promotion.name,
    total: promotion.total.amount,
  }));
  const paidTotal = sum(
    settlement.tenders.map((tender) => tender.amount),
    currency,
  );
  const payload = {
    saleId: facts.saleId,
    receiptNumber: facts.receiptNumber,
    shiftId: facts.shiftId,
    staffId: facts.staffId,
    ...(facts.customerId === null ? {} : { customerId: facts.customerId }),
    currency,
    priceBookVersion: cart.priceBookVersion,
    promotionIds: promotions.map((promotion) => promotion.promotionId),
    promotions: promotions.map(({ promotionId, version }) => ({ promotionId, version })),
    lines,
    giftCards: facts.giftCards,
    totals: {
      subtotal: cart.totals.subtotal.amount + priced.giftCards.amount,
      discount: cart.totals.discount.amount,
      tax: cart.totals.tax.amount,
      total: priced.due.amount,
      cashRounding: settlement.cashRounding.amount,
      paid: paidTotal.amount,
      change: settlement.change.amount,
    },
    tenders,
    ...(facts.loyalty === undefined ? {} : { loyalty: facts.loyalty }),
    overrides,
    ...(facts.settingsVersion === undefined ? {} : { settingsVersion: facts.settingsVersion }),
    ...(discountStaff.length === 0 ? {} : { staffRoles }),
    movements,
    completedAt: facts.completedAt,
  };
  return { payload, promotions };
}

const SALE_LINES = new UpsertTable(
  `INSERT INTO sale_lines (line_id, sale_id, line_no, sku, name, qty, unit, unit_price, tax_inclusive, price_book_id,
     extended, paid, tax_category, price_source, price_book_version, original_unit_price, net)`,
  17,
);
const SALE_ADJUSTMENTS = new UpsertTable(
  'INSERT INTO sale_adjustments (sale_id, line_id, seq, kind, promotion_id, amount, reason)',
  7,
);
const SALE_TAX_LINES = new UpsertTable(
  'INSERT INTO sale_tax_lines (sale_id, line_id, rate_id, name, percent, amount)',
  6,
);
const SALE_TENDERS = new UpsertTable(
  'INSERT INTO sale_tenders (tender_id, sale_id, seq, type, amount, change, reference, points, tendered)',
  9,
);

/**
 * Under test (and in every node process a test starts) and with POS_CHECK_ANSWERS=1, the completion's
 * answer is also read back (`storedSaleView`) and must be the same: every test that completes a sale
 * (gift cards, loyalty, exchanges, BOPIS, sync) checks the proof of completed-sale-view.test.ts again.
 */
const VERIFY_COMPLETED_VIEWS = process.env.VITEST !== undefined || process.env.POS_CHECK_ANSWERS === '1';

/**
 * Writes a completed sale into the command's transaction: the sale row, its lines, adjustments, taxes,
 * tenders, stock movements and gift card loads, all from the event `sale.completed` just appended
 * (`deviceSeq` ties the rows to it), so the rows and the outbox never disagree. Answers the sale as
 * `storedSaleView` would read it back, built from the same payload (`completedSaleView`).
 */
export function recordCompletedSale(
  ctx: TxContext,
  sale: { readonly row: SaleRow; readonly receiptSeq: number; readonly draft: SaleDraft },
  { payload, promotions }: SaleCompletion,
  deviceSeq: number,
): SaleView {
  const { saleId, lines, tenders, totals } = payload;
  if (payload.loyalty !== undefined)
    sql(ctx.db, 'UPDATE sales SET loyalty = ? WHERE sale_id = ?').run(
      JSON.stringify(payload.loyalty),
      saleId,
    );

  sql(
    ctx.db,
    `UPDATE sales SET status = 'completed', shift_id = ?, staff_id = ?, receipt_seq = ?, receipt_number = ?,
       price_book_version = ?, promotion_ids = ?, promotions = ?, subtotal = ?, discount = ?, tax = ?, total = ?,
       cash_rounding = ?, paid = ?, change = ?, overrides = ?, completed_at = ?, completed_at_ms = ?, device_seq = ?,
       tx_id = ?, draft = NULL
     WHERE sale_id = ?`,
  ).run(
    payload.shiftId,
    payload.staffId,
    sale.receiptSeq,
    payload.receiptNumber,
    payload.priceBookVersion,
    JSON.stringify(promotions.map((promotion) => promotion.promotionId)),
    JSON.stringify(promotions),
    totals.subtotal,
    totals.discount,
    totals.tax,
    totals.total,
    totals.cashRounding,
    totals.paid,
    totals.change,
    JSON.stringify(payload.overrides),
    ctx.nowIso,
    ctx.nowMs,
    deviceSeq,
    ctx.txId,
    saleId,
  );
  const lineRows: unknown[][] = [];
  const adjustmentRows: unknown[][] = [];
  const taxRows: unknown[][] = [];
  lines.forEach((line, index) => {
    lineRows.push([
      line.lineId,
      saleId,
      index + 1,
      line.sku,
      line.name,
      line.qty,
      line.unit,
      line.unitPrice,
      line.taxInclusive ? 1 : 0,
      line.priceBookId ?? null,
      line.extended,
      line.paid,
      line.taxCategory,
      line.priceSource,
      line.priceBookVersion ?? null,
      line.originalUnitPrice ?? null,
      line.net,
    ]);
    line.adjustments.forEach((adjustment, seq) =>
      adjustmentRows.push([
        saleId,
        line.lineId,
        seq + 1,
        adjustment.kind,
        adjustment.promotionId ?? null,
        adjustment.amount,
        adjustment.reason,
      ]),
    );
    for (const tax of line.taxes)
      taxRows.push([saleId, line.lineId, tax.rateId, tax.name, tax.percent, tax.amount]);
  });
  // Each table's rows in order (so their rowids are as one statement per row would give them), lines first.
  insertRows(ctx.db, SALE_LINES, lineRows);
  insertRows(ctx.db, SALE_ADJUSTMENTS, adjustmentRows);
  insertRows(ctx.db, SALE_TAX_LINES, taxRows);
  insertRows(
    ctx.db,
    SALE_TENDERS,
    tenders.map((tender, index) => [
      tender.tenderId,
      saleId,
      index + 1,
      tender.type,
      tender.amount,
      'change' in tender ? tender.change : null,
      'reference' in tender ? tender.reference : null,
      'points' in tender ? tender.points : null,
      tender.tendered,
    ]),
  );
  recordMovements(ctx, payload.movements, deviceSeq, saleId);
  recordGiftCardLoads(ctx, saleId, sale.draft);
  const completedRow: SaleRow = {
    ...sale.row,
    status: 'completed',
    shiftId: payload.shiftId,
    staffId: payload.staffId,
    receiptNumber: payload.receiptNumber,
    completedAt: ctx.nowIso,
    draft: null,
  };
  const giftCards = giftCardLoadsOf(sale.draft).map(({ lineId, kind, maskedNumber, amount }) => ({
    lineId,
    kind,
    maskedNumber,
    amount,
  }));
  const promotionViews = promotions.map((promotion) => ({ ...promotion }));
  const view = completedSaleView(ctx, completedRow, payload, promotionViews, giftCards);
  if (VERIFY_COMPLETED_VIEWS) {
    const stored = storedSaleView(ctx, completedRow);
    if (!isDeepStrictEqual(view, stored)) {
      throw new DomainError(
        'INTERNAL',
        'engine.answerBrokeCommandContract',
        { name: 'sale-complete' },
        { issue: 'the answer differs from the sale read back', path: firstDifference(view, stored) },
      );
    }
  }
  return view;
}
