import {
  DomainError,
  assertAmountWithinBounds,
  checkManualDiscountLimit,
  min,
  parseScan,
  scanLookupKey,
  subtract,
  type DiscountLimitCheck,
  type DiscountLimits,
  type PricedCart,
} from '@retail/domain';
import type { MovementPayload } from '@retail/sync';
import type { CommandRequest, Role, SaleView } from '../../shared/commands';
import type { CommandContext, CommandHandlers } from '../command-context';
import { sql } from '../context';
import { formatAmount } from '../format';
import { allocateReceiptNumber } from '../receipt-number';
import { readLabelRules, readSettingsVersion } from '../settings';
import {
  findSale,
  findLocalSaleByReceipt,
  readDraft,
  requireOpenSale,
  type DraftLine,
  type SaleDraft,
  type SaleRow,
} from '../sales/draft';
import {
  assertNotOverTendered,
  draftView,
  exchangeReference,
  priceSale,
  skuInfo,
  type PricedExchange,
  type PricedSale,
} from '../sales/sale-pricing';
import {
  buildSaleCompletion,
  completionTenderIds,
  recordCompletedSale,
  type DiscountApproval,
} from '../sales/sale-completion';
import { storedSaleView } from '../sales/stored-sale';
import { giftCardLoadPayloads, giftCardLoadsOf, storedGiftCardLoads } from '../sales/gift-card-loads';
import { cachePreparedCustomer } from '../loyalty/loyalty-commands';
import {
  assertCustomerChangeAllowed,
  completeSaleLoyalty,
  redemptionTender,
  withSaleCustomer,
} from '../loyalty/sale-loyalty';
import { hubSaleFor, hubSaleView } from '../sales/hub-sale';
import { saveDraft } from '../sales/save-draft';
import { approverWords, consumeOverride } from '../services/manager-overrides';
import { recordReturn, toRefundInput, type RefundInput } from '../services/return-records';
import { findOpenShift, requireOpenShift } from '../services/shifts';
import { recordMovements } from '../services/stock-movements';

function viewOf(ctx: CommandContext, row: SaleRow): SaleView {
  if (row.status === 'completed' || row.status === 'voided') {
    if (row.receiptNumber !== null) return withSaleCustomer(ctx, storedSaleView(ctx, row));
  }
  const draft = readDraft(row);
  return withSaleCustomer(ctx, draftView(row, draft, priceSale(ctx, draft, row.saleId)));
}

function assertNoTenders(draft: SaleDraft): void {
  if (draft.tenders.length > 0) {
    throw new DomainError('CONFLICT', 'giftCard.removePaymentsBeforeChanging');
  }
}

function findLine(draft: SaleDraft, lineId: string): DraftLine {
  const line = draft.lines.find((candidate) => candidate.lineId === lineId);
  // The cashier never sees line ids (issue 14, bug 5): the line went (removed on another screen).
  if (!line) {
    throw new DomainError('NOT_FOUND', 'sale.itemNoLongerSale', {}, { lineId });
  }
  return line;
}

function replaceLine(draft: SaleDraft, line: DraftLine): SaleDraft {
  return {
    ...draft,
    lines: draft.lines.map((candidate) => (candidate.lineId === line.lineId ? line : candidate)),
  };
}

const DEFAULT_DISCOUNT_LIMITS: Readonly<Record<Role, number>> = { cashier: 10, supervisor: 30, manager: 100 };

function discountLimitPercent(ctx: CommandContext, role: Role): number {
  const row = sql(ctx.db, 'SELECT data FROM config WHERE key = ?').get(`pos.discount.maxPercent.${role}`) as
    { data: string } | undefined;
  const value = row ? (JSON.parse(row.data) as { value?: unknown }).value : undefined;
  return typeof value === 'number' && value >= 0 && value <= 100 ? value : DEFAULT_DISCOUNT_LIMITS[role];
}

function describeExcess(ctx: CommandContext, check: Exclude<DiscountLimitCheck, { within: true }>): string {
  const given = formatAmount(ctx.identity, check.given.amount);
  const allowed = formatAmount(ctx.identity, check.allowed.amount);
  return check.scope === 'line'
    ? `The discount on ${check.name ?? check.sku ?? 'a line'} is ${given}, more than the ${allowed} (${check.limitPercent}%) allowed on that line as it now stands`
    : `The discounts on this sale come to ${given} together, more than the ${allowed} (${check.limitPercent}% of the sale) the order discount may bring them to`;
}

/**
 * The limit each manual discount is judged against: that of the role of whoever gave it (a discount given
 * before givers were recorded counts as `fallback`'s), raised to `floor` when someone approved more.
 */
function discountLimits(ctx: CommandContext, draft: SaleDraft, fallback: Role, floor?: Role): DiscountLimits {
  const roles = new Map<string, Role>();
  const roleOf = (staffId: string | undefined): Role => {
    if (staffId === undefined) return fallback;
    let role = roles.get(staffId);
    if (role === undefined) {
      const row = sql(ctx.db, 'SELECT role FROM staff WHERE staff_id = ?').get(staffId) as
        { role: Role } | undefined;
      role = row?.role ?? fallback;
      roles.set(staffId, role);
    }
    return role;
  };
  const percentFor = (role: Role) =>
    Math.max(discountLimitPercent(ctx, role), floor === undefined ? 0 : discountLimitPercent(ctx, floor));
  const byLine = new Map(draft.lines.map((line) => [line.lineId, percentFor(roleOf(line.discountBy))]));
  return {
    linePercent: (lineId) => byLine.get(lineId) ?? percentFor(fallback),
    orderPercent: percentFor(roleOf(draft.orderDiscountBy)),
  };
}

/**
 * A discount past the giver's limit is approved on the spot when it is given (the override dialog, as for
 * a price change), and judged again at completion on the final cart: a quantity lowered or a line removed
 * after an amount discount, or an order discount on top of line discounts, can take them past what their
 * giver may give. Then a supervisor or manager approves them on the spot (their own limit applies), and the
 * approval is recorded on the sale as an override.
 */
function approveDiscounts(
  ctx: CommandContext,
  draft: SaleDraft,
  cart: PricedCart,
  overrideId: string | undefined,
): DiscountApproval | undefined {
  const actor = ctx.staff();
  const check = checkManualDiscountLimit(cart, discountLimits(ctx, draft, actor.role));
  if (check.within) return undefined;
  const why = `${describeExcess(ctx, check)}.`;
  const details = {
    action: 'discount-over-limit' as const,
    limitPercent: check.limitPercent,
    limit: check.allowed.amount,
    discount: check.given.amount,
    scope: check.scope,
    ...(check.lineId === undefined ? {} : { lineId: check.lineId }),
  };
  if (overrideId === undefined) {
    throw new DomainError(
      'OVERRIDE_REQUIRED',
      'sale.askApproveChangeDiscount',
      { why, value: approverWords('discount-over-limit') },
      details,
    );
  }
  const override = consumeOverride(ctx, overrideId, 'discount-over-limit', why, why);
  const approver = sql(ctx.db, 'SELECT role, name FROM staff WHERE staff_id = ?').get(override.managerId) as
    { role: Role; name: string } | undefined;
  if (!approver) throw new DomainError('INTERNAL', 'sale.staffMemberApprovedDiscount');
  const approved = checkManualDiscountLimit(cart, discountLimits(ctx, draft, actor.role, approver.role));
  if (!approved.within) {
    throw new DomainError(
      'LIMIT_EXCEEDED',
      'sale.mayApproveMostOff',
      {
        approverName: approver.name,
        limitPercent: approved.limitPercent,
        ctx: describeExcess(ctx, approved),
      },
      { ...details, approverLimitPercent: approved.limitPercent },
    );
  }
  return override;
}

function addLine(ctx: CommandContext, input: CommandRequest<'sale-add-line'>): SaleView {
  const { row, draft } = requireOpenSale(ctx, input.saleId);
  assertNoTenders(draft);
  let sku: string;
  let qty = input.qty;
  let price: DraftLine['price'] = { source: 'price_book' };
  let scannedCode: string | undefined;
  if (input.code !== undefined) {
    const scan = parseScan(input.code, readLabelRules(ctx.db));
    const found = sql(ctx.db, 'SELECT sku FROM barcodes WHERE barcode_key = ?').get(scanLookupKey(scan)) as
      { sku: string } | undefined;
    if (!found) {
      throw new DomainError(
        'UNKNOWN_BARCODE',
        'sale.barcodeNotStoreCatalog',
        { inputCode: input.code },
        { barcode: input.code },
      );
    }
    sku = found.sku;
    scannedCode = input.code;
    if (scan.kind === 'variable') {
      if (input.qty !== undefined) {
        throw new DomainError('INVALID_INPUT', 'sale.labelAlreadyCarriesWeight');
      }
      if (scan.weightGrams !== undefined) qty = scan.weightGrams;
      if (scan.price !== undefined) {
        price = { source: 'label', unitPrice: scan.price };
        qty = 1;
      }
    }
  } else {
    sku = input.sku as string;
  }
  const info = skuInfo(ctx, sku);
  if (!info.active) {
    throw new DomainError(
      'NOT_ALLOWED',
      'sale.noLongerSoldPut',
      { infoName: info.name, sku },
      {
        sku,
      },
    );
  }
  if (qty === undefined) {
    if (info.unit === 'kg') {
      throw new DomainError(
        'INVALID_INPUT',
        'sale.soldWeightWeighEnter',
        { infoName: info.name },
        {
          sku,
        },
      );
    }
    qty = 1;
  }
  const mergeable = draft.lines.find(
    (line) =>
      line.sku === sku &&
      line.price.source === 'price_book' &&
      price.source === 'price_book' &&
      info.unit === 'each' &&
      !line.discount,
  );
  const next: SaleDraft = mergeable
    ? replaceLine(draft, { ...mergeable, qty: mergeable.qty + qty })
    : {
        ...draft,
        lines: [
          ...draft.lines,
          { lineId: ctx.newId(), sku, qty, price, ...(scannedCode === undefined ? {} : { scannedCode }) },
        ],
      };
  return saveDraft(ctx, row, next);
}

/**
 * Records the return half of an exchange: the refund's first part (up to the sale total) becomes credit
 * spent on the sale, tied to it by reference, each part still charged against the original tender it
 * came from; anything beyond goes back the way a plain return would. Returns the return's event id.
 */
function recordExchangeReturn(ctx: CommandContext, row: SaleRow, exchange: PricedExchange): string {
  let creditLeft = exchange.credit;
  const refunds: RefundInput[] = [];
  for (const planned of exchange.plan.refunds) {
    const spent = min(creditLeft, planned.amount);
    creditLeft = subtract(creditLeft, spent);
    if (spent.amount > 0) {
      refunds.push({
        tenderId: ctx.newId(),
        type: 'store_credit',
        amount: spent.amount,
        reference: exchangeReference(row.saleId),
        originalTenderId: planned.sourceTenderId,
      });
    }
    const back = subtract(planned.amount, spent);
    if (back.amount > 0) refunds.push(toRefundInput(ctx, { ...planned, amount: back }));
  }
  if (refunds.length === 0)
    refunds.push({
      tenderId: ctx.newId(),
      type: 'store_credit',
      amount: 0,
      reference: exchangeReference(row.saleId),
    });
  recordReturn(ctx, {
    registerId: row.registerId,
    originalSaleId: exchange.plan.saleId,
    originalReceiptNumber: exchange.plan.receiptNumber,
    lines: exchange.plan.lines,
    refunds,
    // A store credit slip for what the exchange refunds beyond the new items is the sale's customer's.
    ...(row.customerId === null ? {} : { customerId: row.customerId }),
  });
  const returnEvent = ctx.appendedEvents.at(-1);
  if (!returnEvent) throw new DomainError('INTERNAL', 'sale.exchangeReturnNotRecorded');
  return returnEvent.eventId;
}

function completeSale(ctx: CommandContext, input: CommandRequest<'sale-complete'>): SaleView {
  const actor = ctx.staff();
  const { row, draft } = requireOpenSale(ctx, input.saleId);
  if (draft.lines.length === 0 && giftCardLoadsOf(draft).length === 0) {
    throw new DomainError('INVALID_INPUT', 'sale.addLeastItemBefore');
  }
  const shift = requireOpenShift(ctx, row.registerId);
  const priced: PricedSale = priceSale(ctx, draft, row.saleId);
  const { cart, settlement } = priced;
  const currency = ctx.identity.currency;
  assertNotOverTendered(ctx, priced);
  if (!settlement.complete) {
    throw new DomainError(
      'INSUFFICIENT_TENDER',
      'sale.stillDueCashTake',
      {
        identity: formatAmount(ctx.identity, settlement.remaining.amount),
        identity2: formatAmount(ctx.identity, settlement.cashDue.amount),
      },
      { remaining: settlement.remaining.amount, cashDue: settlement.cashDue.amount },
    );
  }
  const discountApproval = approveDiscounts(ctx, draft, cart, input.overrideId);
  // An exchange writes its return first, in this same transaction: the sale then points at it.
  const exchangeCauses: string[] = [];
  if (priced.exchange) exchangeCauses.push(recordExchangeReturn(ctx, row, priced.exchange));
  const receipt = allocateReceiptNumber(ctx);
  const creditTender =
    priced.exchange && priced.exchange.credit.amount > 0
      ? { tenderId: ctx.newId(), reference: exchangeReference(row.saleId) }
      : undefined;
  const loyalty = completeSaleLoyalty(
    ctx,
    row,
    draft,
    settlement.tenders.map((settled) => settled.amount),
    completionTenderIds(draft, creditTender),
  );
  const completion = buildSaleCompletion({
    saleId: row.saleId,
    customerId: row.customerId,
    receiptNumber: receipt.receiptNumber,
    shiftId: shift.shiftId,
    staffId: actor.staffId,
    currency,
    completedAt: ctx.nowIso,
    draft,
    priced,
    creditTender,
    giftCards: giftCardLoadPayloads(draft),
    loyalty,
    discountApproval,
    settingsVersion: readSettingsVersion(ctx.db)?.version,
    roleOf: (staffId) =>
      (sql(ctx.db, 'SELECT role FROM staff WHERE staff_id = ?').get(staffId) as { role: Role } | undefined)
        ?.role,
    newId: () => ctx.newId(),
  });
  const event = ctx.appendEvent('sale.completed', completion.payload, exchangeCauses);
  const view = recordCompletedSale(
    ctx,
    { row, receiptSeq: receipt.receiptSeq, draft },
    completion,
    event.deviceSeq,
  );
  ctx.notify({
    name: 'sale-completed',
    payload: {
      saleId: row.saleId,
      receiptNumber: receipt.receiptNumber,
      total: priced.due.amount,
      currency,
    },
  });
  ctx.auditNote = {
    subject: row.saleId,
    overrideId: discountApproval?.overrideId ? discountApproval.overrideId : null,
    details: {
      receiptNumber: receipt.receiptNumber,
      total: priced.due.amount,
      lines: completion.payload.lines.length,
      ...(discountApproval === undefined ? {} : { discountApprovedBy: discountApproval.managerId }),
    },
  };
  return withSaleCustomer(ctx, view);
}

function postVoid(ctx: CommandContext, input: CommandRequest<'sale-post-void'>): SaleView {
  const row = findSale(ctx, input.saleId);
  if (row.status !== 'completed' || row.receiptNumber === null) {
    throw new DomainError(
      'NOT_ALLOWED',
      row.status === 'voided' ? 'sale.saleAlreadyVoided' : 'sale.onlyCompletedSaleCan',
      {},
      { status: row.status },
    );
  }
  const shift = findOpenShift(ctx, row.registerId);
  if (!shift || shift.shiftId !== row.shiftId) {
    throw new DomainError('NOT_ALLOWED', 'sale.saleMadeShiftNow', { receiptNumber: row.receiptNumber });
  }
  const returned = sql(ctx.db, 'SELECT COUNT(*) AS count FROM returns WHERE original_sale_id = ?').get(
    row.saleId,
  ) as {
    count: number;
  };
  if (returned.count > 0) {
    throw new DomainError('NOT_ALLOWED', 'sale.itemsSaleAlreadyReturned', {
      receiptNumber: row.receiptNumber,
    });
  }
  if (storedGiftCardLoads(ctx.db, row.saleId).length > 0) {
    // The hub may already have loaded the card and the customer may have spent from it.
    throw new DomainError('NOT_ALLOWED', 'sale.saleLoadedGiftCard', { receiptNumber: row.receiptNumber });
  }
  const override = consumeOverride(
    ctx,
    input.overrideId,
    'sale-post-void',
    input.reason,
    `Post-voiding sale ${row.receiptNumber} needs a manager override.`,
  );
  const tenders = sql(
    ctx.db,
    'SELECT tender_id AS tenderId, type, amount, reference FROM sale_tenders WHERE sale_id = ? ORDER BY seq',
  ).all(row.saleId) as {
    tenderId: string;
    type: 'cash' | 'card';
    amount: number;
    reference: string | null;
  }[];
  const soldLines = sql(ctx.db, 'SELECT sku, qty FROM sale_lines WHERE sale_id = ? ORDER BY line_no').all(
    row.saleId,
  ) as {
    sku: string;
    qty: number;
  }[];
  const movements: MovementPayload[] = soldLines.map((line) => ({
    movementId: ctx.newId(),
    sku: line.sku,
    type: 'POS_VOID',
    bucket: 'sellable',
    delta: line.qty,
  }));
  const event = ctx.appendEvent('sale.voided', {
    saleId: row.saleId,
    receiptNumber: row.receiptNumber,
    reason: input.reason,
    override: { managerId: override.managerId, reason: override.reason, at: override.at },
    currency: row.currency,
    refunds: tenders
      .filter((tender) => tender.amount > 0)
      .map((tender) => ({
        tenderId: ctx.newId(),
        type: tender.type,
        amount: tender.amount,
        ...(tender.reference === null ? {} : { reference: tender.reference }),
      })),
    movements,
    voidedAt: ctx.nowIso,
  });
  sql(
    ctx.db,
    "UPDATE sales SET status = 'voided', voided_at = ?, void_reason = ?, voided_by = ? WHERE sale_id = ?",
  ).run(ctx.nowIso, input.reason, ctx.staff().staffId, row.saleId);
  recordMovements(ctx, movements, event.deviceSeq, row.saleId);
  ctx.auditNote = {
    subject: row.saleId,
    overrideId: override.overrideId === '' ? null : override.overrideId,
    details: { receiptNumber: row.receiptNumber, reason: input.reason, authorizedBy: override.managerId },
  };
  return withSaleCustomer(ctx, storedSaleView(ctx, findSale(ctx, row.saleId)));
}

export const saleHandlers = {
  'sale-start': {
    mutates: true,
    handle(ctx, input) {
      const actor = ctx.staff();
      const shift = requireOpenShift(ctx, input.registerId);
      const open = sql(
        ctx.db,
        "SELECT sale_id AS saleId FROM sales WHERE register_id = ? AND status = 'open'",
      ).get(input.registerId) as { saleId: string } | undefined;
      if (open) {
        throw new DomainError(
          'CONFLICT',
          'sale.registerAlreadySaleProgress',
          { registerId: input.registerId },
          { saleId: open.saleId },
        );
      }
      const saleId = ctx.newId();
      sql(
        ctx.db,
        `INSERT INTO sales (sale_id, status, register_id, shift_id, staff_id, currency, started_at, draft)
         VALUES (?, 'open', ?, ?, ?, ?, ?, ?)`,
      ).run(
        saleId,
        input.registerId,
        shift.shiftId,
        actor.staffId,
        ctx.identity.currency,
        ctx.nowIso,
        JSON.stringify({ lines: [], tenders: [] }),
      );
      ctx.auditNote = { subject: saleId, details: { registerId: input.registerId } };
      return viewOf(ctx, findSale(ctx, saleId));
    },
  },
  'sale-current': {
    mutates: false,
    handle(ctx, input) {
      const open = sql(
        ctx.db,
        "SELECT sale_id AS saleId FROM sales WHERE register_id = ? AND status = 'open'",
      ).get(input.registerId) as { saleId: string } | undefined;
      return { sale: open ? viewOf(ctx, findSale(ctx, open.saleId)) : null };
    },
  },
  'sale-get': { mutates: false, handle: (ctx, input) => viewOf(ctx, findSale(ctx, input.saleId)) },
  'sale-find': {
    mutates: false,
    handle(ctx, input) {
      const local = findLocalSaleByReceipt(ctx, input.receiptNumber);
      if (local === undefined) return hubSaleView(hubSaleFor(ctx, ctx.prepared, input.receiptNumber));
      return withSaleCustomer(ctx, storedSaleView(ctx, local));
    },
  },
  'sale-add-line': { mutates: true, handle: addLine },
  'sale-set-qty': {
    mutates: true,
    handle(ctx, input) {
      const { row, draft } = requireOpenSale(ctx, input.saleId);
      assertNoTenders(draft);
      const line = findLine(draft, input.lineId);
      if (line.price.source === 'label') {
        throw new DomainError('NOT_ALLOWED', 'sale.itemPricedLabelScan');
      }
      return saveDraft(ctx, row, replaceLine(draft, { ...line, qty: input.qty }));
    },
  },
  'sale-remove-line': {
    mutates: true,
    handle(ctx, input) {
      const { row, draft } = requireOpenSale(ctx, input.saleId);
      assertNoTenders(draft);
      const loads = giftCardLoadsOf(draft);
      if (loads.some((load) => load.lineId === input.lineId)) {
        return saveDraft(ctx, row, {
          ...draft,
          giftCards: loads.filter((load) => load.lineId !== input.lineId),
        });
      }
      findLine(draft, input.lineId);
      return saveDraft(ctx, row, {
        ...draft,
        lines: draft.lines.filter((line) => line.lineId !== input.lineId),
      });
    },
  },
  'sale-override-price': {
    mutates: true,
    handle(ctx, input) {
      const { row, draft } = requireOpenSale(ctx, input.saleId);
      assertNoTenders(draft);
      const line = findLine(draft, input.lineId);
      const override = consumeOverride(
        ctx,
        input.overrideId,
        'price-override',
        input.reason,
        'Changing a price needs a manager override.',
      );
      const view = saveDraft(
        ctx,
        row,
        replaceLine(draft, {
          ...line,
          price: {
            source: 'override',
            unitPrice: input.unitPrice,
            reason: input.reason,
            managerId: override.managerId,
            overrideId: override.overrideId,
            at: override.at,
          },
        }),
      );
      ctx.auditNote = {
        subject: row.saleId,
        overrideId: override.overrideId === '' ? null : override.overrideId,
        details: { lineId: line.lineId, sku: line.sku, unitPrice: input.unitPrice, reason: input.reason },
      };
      return view;
    },
  },
  'sale-discount-line': {
    mutates: true,
    handle(ctx, input) {
      const { row, draft } = requireOpenSale(ctx, input.saleId);
      assertNoTenders(draft);
      const line = findLine(draft, input.lineId);
      const { discount: _previous, discountBy: _previousBy, ...withoutDiscount } = line;
      const given = (discountBy: string) =>
        replaceLine(
          draft,
          input.discount === null
            ? withoutDiscount
            : { ...withoutDiscount, discount: input.discount, discountBy },
        );
      const next = given(ctx.staff().staffId);
      if (input.discount === null) return saveDraft(ctx, row, next);
      const approval = approveDiscounts(ctx, next, priceSale(ctx, next, row.saleId).cart, input.overrideId);
      // Approved on the spot: the discount is the approver's, judged by their limit from now on.
      return saveDraft(ctx, row, approval ? given(approval.managerId) : next);
    },
  },
  'sale-discount-order': {
    mutates: true,
    handle(ctx, input) {
      const { row, draft } = requireOpenSale(ctx, input.saleId);
      assertNoTenders(draft);
      const { orderDiscount: _previous, orderDiscountBy: _previousBy, ...withoutDiscount } = draft;
      if (input.discount === null) return saveDraft(ctx, row, withoutDiscount);
      const given = (orderDiscountBy: string): SaleDraft => ({
        ...withoutDiscount,
        orderDiscount: input.discount as NonNullable<typeof input.discount>,
        orderDiscountBy,
      });
      const next = given(ctx.staff().staffId);
      const approval = approveDiscounts(ctx, next, priceSale(ctx, next, row.saleId).cart, input.overrideId);
      return saveDraft(ctx, row, approval ? given(approval.managerId) : next);
    },
  },
  'sale-attach-customer': {
    mutates: true,
    handle(ctx, input) {
      const { row, draft } = requireOpenSale(ctx, input.saleId);
      if (input.customerId !== row.customerId) assertCustomerChangeAllowed(draft);
      cachePreparedCustomer(ctx);
      sql(ctx.db, 'UPDATE sales SET customer_id = ? WHERE sale_id = ?').run(input.customerId, row.saleId);
      return saveDraft(ctx, { ...row, customerId: input.customerId }, draft);
    },
  },
  'sale-park': {
    mutates: true,
    handle(ctx, input) {
      const { row, draft } = requireOpenSale(ctx, input.saleId);
      if (draft.tenders.length > 0) {
        throw new DomainError('CONFLICT', 'sale.completeSaleRemovePayments');
      }
      if (draft.lines.length === 0 && giftCardLoadsOf(draft).length === 0) {
        throw new DomainError('INVALID_INPUT', 'sale.nothingParkSaleNo');
      }
      sql(ctx.db, "UPDATE sales SET status = 'parked', parked_at = ? WHERE sale_id = ?").run(
        ctx.nowIso,
        row.saleId,
      );
      ctx.auditNote = { subject: row.saleId, details: { lines: draft.lines.length } };
      return viewOf(ctx, findSale(ctx, row.saleId));
    },
  },
  'sale-resume': {
    mutates: true,
    handle(ctx, input) {
      const row = findSale(ctx, input.saleId);
      if (row.status !== 'parked') {
        throw new DomainError(
          'CONFLICT',
          'sale.saleNotParked',
          { saleId: row.saleId },
          { status: row.status },
        );
      }
      const shift = requireOpenShift(ctx, input.registerId);
      const open = sql(ctx.db, "SELECT 1 FROM sales WHERE register_id = ? AND status = 'open'").get(
        input.registerId,
      );
      if (open) {
        throw new DomainError('CONFLICT', 'sale.registerAlreadySaleProgress', {
          registerId: input.registerId,
        });
      }
      sql(
        ctx.db,
        "UPDATE sales SET status = 'open', parked_at = NULL, register_id = ?, shift_id = ?, staff_id = ? WHERE sale_id = ?",
      ).run(input.registerId, shift.shiftId, ctx.staff().staffId, row.saleId);
      ctx.auditNote = { subject: row.saleId, details: { registerId: input.registerId } };
      return viewOf(ctx, findSale(ctx, row.saleId));
    },
  },
  'sale-list-parked': {
    mutates: false,
    handle(ctx) {
      const rows = sql(
        ctx.db,
        `SELECT sale_id AS saleId, register_id AS registerId, staff_id AS staffId, parked_at AS parkedAt, draft
         FROM sales WHERE status = 'parked' ORDER BY parked_at, sale_id`,
      ).all() as { saleId: string; registerId: string; staffId: string; parkedAt: string; draft: string }[];
      return {
        sales: rows.map((parked) => {
          const draft = readDraft(findSale(ctx, parked.saleId));
          return {
            saleId: parked.saleId,
            registerId: parked.registerId,
            staffId: parked.staffId,
            parkedAt: parked.parkedAt,
            lines: draft.lines.length,
            total: priceSale(ctx, draft, parked.saleId).cart.totals.total.amount,
          };
        }),
      };
    },
  },
  'sale-add-tender': {
    mutates: true,
    handle(ctx, input) {
      const { row, draft } = requireOpenSale(ctx, input.saleId);
      if (draft.lines.length === 0 && giftCardLoadsOf(draft).length === 0)
        throw new DomainError('INVALID_INPUT', 'sale.addLeastItemBefore2');
      const tendered = draft.tenders.reduce(
        (total, tender) => total + ('amount' in tender ? tender.amount : 0),
        'amount' in input.tender ? input.tender.amount : 0,
      );
      assertAmountWithinBounds(tendered, 'The payments on this sale');
      const tenderId = ctx.newId();
      const tender =
        input.tender.type === 'cash'
          ? { tenderId, type: 'cash' as const, amount: input.tender.amount }
          : input.tender.type === 'card'
            ? {
                tenderId,
                type: 'card' as const,
                amount: input.tender.amount,
                reference: input.tender.reference,
              }
            : redemptionTender(ctx, row, draft, input.tender);
      // Only this tender is held to what is still due; ones taken before a price dropped are reported.
      return saveDraft(ctx, row, { ...draft, tenders: [...draft.tenders, tender] }, { newTenders: 1 });
    },
  },
  'sale-remove-tender': {
    mutates: true,
    handle(ctx, input) {
      const { row, draft } = requireOpenSale(ctx, input.saleId);
      if (!draft.tenders.some((tender) => tender.tenderId === input.tenderId)) {
        throw new DomainError('NOT_FOUND', 'sale.paymentNoLongerSale', {}, { tenderId: input.tenderId });
      }
      return saveDraft(ctx, row, {
        ...draft,
        tenders: draft.tenders.filter((tender) => tender.tenderId !== input.tenderId),
      });
    },
  },
  'sale-set-exchange': {
    mutates: true,
    handle(ctx, input) {
      const { row, draft } = requireOpenSale(ctx, input.saleId);
      assertNoTenders(draft);
      const { exchange: _previous, ...withoutExchange } = draft;
      // saveDraft prices the cart with the exchange, so quantities beyond what can be returned are refused here.
      return saveDraft(
        ctx,
        row,
        input.exchange === null ? withoutExchange : { ...draft, exchange: input.exchange },
      );
    },
  },
  'sale-complete': { mutates: true, handle: completeSale },
  'sale-void': {
    mutates: true,
    handle(ctx, input) {
      const row = findSale(ctx, input.saleId);
      if (row.status === 'completed') {
        throw new DomainError('NOT_ALLOWED', 'sale.saleCompletedUsePost');
      }
      if (row.status === 'voided') throw new DomainError('NOT_ALLOWED', 'sale.saleAlreadyVoided');
      const override = consumeOverride(
        ctx,
        input.overrideId,
        'sale-void',
        input.reason,
        'Voiding a sale needs a manager override.',
      );
      sql(
        ctx.db,
        "UPDATE sales SET status = 'voided', voided_at = ?, void_reason = ?, voided_by = ?, parked_at = NULL WHERE sale_id = ?",
      ).run(ctx.nowIso, input.reason, ctx.staff().staffId, row.saleId);
      ctx.auditNote = {
        subject: row.saleId,
        overrideId: override.overrideId === '' ? null : override.overrideId,
        details: { reason: input.reason, authorizedBy: override.managerId, draft: row.draft },
      };
      return viewOf(ctx, findSale(ctx, row.saleId));
    },
  },
  'sale-post-void': { mutates: true, handle: postVoid },
} satisfies Pick<
  CommandHandlers,
  | 'sale-start'
  | 'sale-current'
  | 'sale-get'
  | 'sale-find'
  | 'sale-add-line'
  | 'sale-set-qty'
  | 'sale-remove-line'
  | 'sale-override-price'
  | 'sale-discount-line'
  | 'sale-discount-order'
  | 'sale-attach-customer'
  | 'sale-park'
  | 'sale-resume'
  | 'sale-list-parked'
  | 'sale-add-tender'
  | 'sale-remove-tender'
  | 'sale-set-exchange'
  | 'sale-complete'
  | 'sale-void'
  | 'sale-post-void'
>;
