import {
  DomainError,
  assertNever,
  money,
  multiplyRatio,
  noReceiptRefund,
  storeCreditCode,
  sum,
  type MovementType,
  type PlannedRefund,
  type PriceObservation,
  type RefundTenderType,
} from '@retail/domain';
import type { MovementPayload } from '@retail/sync';
import type { CommandRequest, ReturnView } from '../../shared/commands';
import { currentPrice } from '../catalog';
import type { CommandContext, CommandHandlers } from '../command-context';
import { sql, type TxContext } from '../context';
import { formatAmount } from '../format';
import { findCustomerRow } from '../loyalty/loyalty-cache';
import { customerPayment } from '../receipts/customer-reference';
import { allocateReceiptNumber } from '../receipt-number';
import { findLocalSaleByReceipt } from '../sales/draft';
import { hubSaleFor, planHubSaleReturn } from '../sales/hub-sale';
import { planReceiptReturn, type Disposition, type ReturnLineInput } from '../sales/return-plan';
import { skuInfo } from '../sales/sale-pricing';
import { drawerExpected, requireOpenShift } from './shift';
import { consumeOverride, type ManagerOverride } from './staff';
import { recordMovements } from './stock';

/** Where a returned unit goes. A write-off comes back and leaves at once, so it moves no stock. */
function dispositionMovement(
  disposition: Disposition,
): { type: MovementType; bucket: 'sellable' | 'damaged' | 'quality_control' } | undefined {
  switch (disposition) {
    case 'sellable':
      return { type: 'RETURN_RESTOCK', bucket: 'sellable' };
    case 'damaged':
      return { type: 'RETURN_DAMAGED', bucket: 'damaged' };
    case 'quality_control':
      return { type: 'RETURN_QC', bucket: 'quality_control' };
    case 'write_off':
      return undefined;
    default:
      return assertNever(disposition, 'return disposition');
  }
}

/** Window in which a no-receipt return takes the lowest price (config `pos.returns.noReceiptWindowDays`). */
function noReceiptWindowDays(ctx: TxContext): number {
  const row = sql(ctx.db, "SELECT data FROM config WHERE key = 'pos.returns.noReceiptWindowDays'").get() as
    { data: string } | undefined;
  const value = row ? (JSON.parse(row.data) as { value?: unknown }).value : undefined;
  return typeof value === 'number' && Number.isInteger(value) && value >= 1 && value <= 3650 ? value : 90;
}

/**
 * Whether the database has migration 0009's hub sale columns: always, except when a migration test drives
 * this engine against a database it keeps at an older version (local returns work there as before).
 */
function hasHubSaleColumns(ctx: TxContext): boolean {
  return (
    sql(ctx.db, "SELECT 1 AS present FROM pragma_table_info('returns') WHERE name = 'hub_sale_id'").get() !==
    undefined
  );
}

export function returnView(ctx: TxContext, returnId: string, notes: readonly string[] = []): ReturnView {
  const hub = hasHubSaleColumns(ctx);
  const header = sql(
    ctx.db,
    `SELECT return_id AS returnId, receipt_number AS receiptNumber,
       ${hub ? 'COALESCE(original_sale_id, hub_sale_id)' : 'original_sale_id'} AS originalSaleId,
       original_receipt_number AS originalReceiptNumber, register_id AS registerId, shift_id AS shiftId,
       staff_id AS staffId, currency, refund_total AS total, completed_at AS completedAt
     FROM returns WHERE return_id = ?`,
  ).get(returnId) as Omit<ReturnView, 'lines' | 'refunds' | 'notes'>;
  const lines = sql(
    ctx.db,
    `SELECT r.return_line_id AS returnLineId, ${hub ? 'COALESCE(r.original_line_id, r.hub_line_id)' : 'r.original_line_id'} AS originalLineId, r.sku,
       COALESCE(l.name, s.name, r.sku) AS name, COALESCE(l.unit, s.unit, 'each') AS unit, r.qty, r.refund, r.disposition
     FROM return_lines r LEFT JOIN sale_lines l ON l.line_id = r.original_line_id LEFT JOIN skus s ON s.sku = r.sku
     WHERE r.return_id = ? ORDER BY r.rowid`,
  ).all(returnId) as ReturnView['lines'];
  const refunds = (
    sql(
      ctx.db,
      `SELECT tender_id AS tenderId, type, amount, reference, points,
         ${hub ? 'COALESCE(original_tender_id, hub_tender_id)' : 'original_tender_id'} AS originalTenderId
       FROM return_refunds WHERE return_id = ? ORDER BY seq`,
    ).all(returnId) as (ReturnView['refunds'][number] & { points: number | null })[]
  ).map((refund) => ({
    ...refund,
    // Staff and customers read this: a slip's code or a card's masked number, never an account id.
    reference: customerPayment(ctx, refund.type, refund.reference, 'return').reference,
  }));
  return { ...header, lines, refunds, notes: [...notes] };
}

export interface RefundInput {
  readonly tenderId: string;
  readonly type: RefundTenderType;
  readonly amount: number;
  readonly reference?: string;
  readonly points?: number;
  readonly originalTenderId?: string;
}

/** Writes a return (rows, movements, refunds, event) in the command's transaction. */
export function recordReturn(
  ctx: CommandContext,
  input: {
    registerId: string;
    originalSaleId?: string;
    /** The original sale is the hub's (returns anywhere): its ids are not this node's rows. */
    originalAtHub?: boolean;
    originalReceiptNumber?: string;
    lines: readonly ReturnLineInput[];
    refunds: readonly RefundInput[];
    override?: ManagerOverride;
    /** Whose a new store credit slip is; the hub opens the credit under them. */
    customerId?: string;
  },
): { returnId: string; receiptNumber: string } {
  const actor = ctx.staff();
  const shift = requireOpenShift(ctx, input.registerId);
  const currency = ctx.identity.currency;
  const cashOut = sum(
    input.refunds.filter((refund) => refund.type === 'cash').map((refund) => money(refund.amount, currency)),
    currency,
  );
  if (cashOut.amount > 0) {
    const drawer = drawerExpected(ctx, shift);
    if (cashOut.amount > drawer) {
      throw new DomainError(
        'INSUFFICIENT_BALANCE',
        `The drawer should hold only ${formatAmount(ctx.identity, drawer)}, not enough for a cash refund of ${formatAmount(ctx.identity, cashOut.amount)}. Add cash to the drawer first.`,
        { expectedCash: drawer, cashRefund: cashOut.amount },
      );
    }
  }
  const returnId = ctx.newId();
  // A hub sale's ids are not rows of this node's sale tables, which the original_* columns reference.
  const atHub = input.originalAtHub === true;
  const saleColumn = atHub ? 'hub_sale_id' : 'original_sale_id';
  const lineColumn = atHub ? 'hub_line_id' : 'original_line_id';
  const tenderColumn = atHub ? 'hub_tender_id' : 'original_tender_id';
  const receipt = allocateReceiptNumber(ctx);
  const movements: MovementPayload[] = input.lines.flatMap((line) => {
    const target = dispositionMovement(line.disposition);
    return target
      ? [
          {
            movementId: ctx.newId(),
            sku: line.sku,
            type: target.type,
            bucket: target.bucket,
            delta: line.qty,
          },
        ]
      : [];
  });
  const total = sum(
    input.lines.map((line) => money(line.refund, currency)),
    currency,
  );
  const event = ctx.appendEvent(
    'return.completed',
    {
      returnId,
      receiptNumber: receipt.receiptNumber,
      ...(input.originalSaleId === undefined ? {} : { originalSaleId: input.originalSaleId }),
      ...(input.originalReceiptNumber === undefined
        ? {}
        : { originalReceiptNumber: input.originalReceiptNumber }),
      shiftId: shift.shiftId,
      staffId: actor.staffId,
      ...(input.customerId === undefined ? {} : { customerId: input.customerId }),
      currency,
      lines: input.lines.map((line) => ({
        returnLineId: line.returnLineId,
        ...(line.originalLineId === undefined ? {} : { originalLineId: line.originalLineId }),
        sku: line.sku,
        qty: line.qty,
        refund: line.refund,
        disposition: line.disposition,
      })),
      refunds: input.refunds.map((refund) => ({
        tenderId: refund.tenderId,
        type: refund.type,
        amount: refund.amount,
        ...(refund.reference === undefined ? {} : { reference: refund.reference }),
        ...(refund.points === undefined ? {} : { points: refund.points }),
        ...(refund.originalTenderId === undefined ? {} : { originalTenderId: refund.originalTenderId }),
      })),
      ...(input.override
        ? {
            override: {
              managerId: input.override.managerId,
              reason: input.override.reason,
              at: input.override.at,
              // The hub freezes no-receipt credit without it: the override's id, or this command's
              // transaction (its audit row) when a manager authorised their own return.
              auditRef: input.override.overrideId !== '' ? input.override.overrideId : ctx.txId,
            },
          }
        : {}),
      movements,
      completedAt: ctx.nowIso,
    },
    input.originalSaleId === undefined || input.originalAtHub === true
      ? []
      : [saleEventId(ctx, input.originalSaleId)].filter((id): id is string => !!id),
  );
  sql(
    ctx.db,
    `INSERT INTO returns (return_id, receipt_seq, receipt_number, ${saleColumn}, original_receipt_number,
       register_id, shift_id, staff_id, customer_id, currency, refund_total, loyalty, override, completed_at,
       completed_at_ms, device_seq, tx_id)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, NULL, ?, ?, ?, ?, ?)`,
  ).run(
    returnId,
    receipt.receiptSeq,
    receipt.receiptNumber,
    input.originalSaleId ?? null,
    input.originalReceiptNumber ?? null,
    input.registerId,
    shift.shiftId,
    actor.staffId,
    input.customerId ?? null,
    currency,
    total.amount,
    input.override ? JSON.stringify(input.override) : null,
    ctx.nowIso,
    ctx.nowMs,
    event.deviceSeq,
    ctx.txId,
  );
  const insertLine = sql(
    ctx.db,
    `INSERT INTO return_lines (return_line_id, return_id, ${lineColumn}, sku, qty, refund, disposition)
     VALUES (?, ?, ?, ?, ?, ?, ?)`,
  );
  for (const line of input.lines) {
    insertLine.run(
      line.returnLineId,
      returnId,
      line.originalLineId ?? null,
      line.sku,
      line.qty,
      line.refund,
      line.disposition,
    );
  }
  const insertRefund = sql(
    ctx.db,
    `INSERT INTO return_refunds (tender_id, return_id, seq, type, amount, reference, points, ${tenderColumn})
     VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  input.refunds.forEach((refund, index) =>
    insertRefund.run(
      refund.tenderId,
      returnId,
      index + 1,
      refund.type,
      refund.amount,
      refund.reference ?? null,
      refund.points ?? null,
      refund.originalTenderId ?? null,
    ),
  );
  recordMovements(ctx, movements, event.deviceSeq, returnId);
  ctx.auditNote = {
    subject: returnId,
    overrideId: input.override && input.override.overrideId !== '' ? input.override.overrideId : null,
    details: {
      receiptNumber: receipt.receiptNumber,
      originalReceiptNumber: input.originalReceiptNumber ?? null,
      total: total.amount,
    },
  };
  return { returnId, receiptNumber: receipt.receiptNumber };
}

/** The event id of the sale a return refers to, so the hub can order the return after it (`causes`). */
function saleEventId(ctx: TxContext, saleId: string): string | undefined {
  const row = sql(
    ctx.db,
    "SELECT o.event_id AS eventId FROM sales s JOIN outbox o ON o.device_seq = s.device_seq WHERE s.sale_id = ? AND o.type = 'sale.completed'",
  ).get(saleId) as { eventId: string } | undefined;
  return row?.eventId;
}

/** A return event always names how the money went back, even when items cost nothing. */
function refundsOrZero(refunds: RefundInput[], zeroRefund: () => RefundInput): RefundInput[] {
  return refunds.length > 0 ? refunds : [zeroRefund()];
}

export function toRefundInput(ctx: TxContext, planned: PlannedRefund): RefundInput {
  return {
    tenderId: ctx.newId(),
    type: planned.type,
    amount: planned.amount.amount,
    // Store credit needs an account the hub will open under the slip's short code (issue 14, bug 5).
    ...(planned.reference !== undefined
      ? { reference: planned.reference }
      : planned.type === 'store_credit'
        ? { reference: storeCreditCode(ctx.newId()) }
        : {}),
    ...(planned.points === undefined ? {} : { points: planned.points }),
    originalTenderId: planned.sourceTenderId,
  };
}

/** A customer named by the screen must be one this till found (customer-find caches what it finds). */
function assertKnownCustomer(ctx: TxContext, customerId: string | undefined): void {
  if (customerId === undefined || findCustomerRow(ctx.db, customerId)) return;
  throw new DomainError(
    'NOT_FOUND',
    'This till does not know that customer. Find them again (phone, email or card), then finish the return.',
    { customerId },
  );
}

function returnWithReceipt(ctx: CommandContext, input: CommandRequest<'return-create'>): ReturnView {
  assertKnownCustomer(ctx, input.customerId);
  const atHub = findLocalSaleByReceipt(ctx, input.receiptNumber) === undefined;
  const plan = atHub
    ? planHubSaleReturn(ctx, hubSaleFor(ctx, ctx.prepared, input.receiptNumber), input)
    : planReceiptReturn(ctx, input);
  const recorded = recordReturn(ctx, {
    registerId: input.registerId,
    originalSaleId: plan.saleId,
    originalAtHub: atHub,
    originalReceiptNumber: plan.receiptNumber,
    lines: plan.lines,
    ...(input.customerId === undefined ? {} : { customerId: input.customerId }),
    refunds: refundsOrZero(
      plan.refunds.map((planned) => toRefundInput(ctx, planned)),
      () => ({ tenderId: ctx.newId(), type: 'cash', amount: 0 }),
    ),
  });
  return returnView(
    ctx,
    recorded.returnId,
    plan.refunds.map((planned) => planned.reason),
  );
}

/** Prices a SKU has sold at here recently (what customers paid per unit) plus its price now. */
function priceObservations(ctx: TxContext, sku: string, windowDays: number): PriceObservation[] {
  const currency = ctx.identity.currency;
  const now = currentPrice(ctx, sku);
  if (!now) {
    throw new DomainError(
      'NO_PRICE',
      `SKU ${sku} has no price at this store right now, so a return without a receipt cannot be valued.`,
      { sku },
    );
  }
  const since = ctx.nowMs - windowDays * 86_400_000;
  const sold = sql(
    ctx.db,
    `SELECT l.qty, l.unit, l.paid, s.completed_at_ms AS at, s.receipt_number AS receiptNumber
     FROM sale_lines l JOIN sales s ON s.sale_id = l.sale_id
     WHERE l.sku = ? AND s.status = 'completed' AND s.completed_at_ms >= ?`,
  ).all(sku, since) as {
    qty: number;
    unit: 'each' | 'kg';
    paid: number;
    at: number;
    receiptNumber: string;
  }[];
  return [
    { unitPrice: now.unitPrice, from: ctx.nowMs, source: `current price, book ${now.priceBookId}` },
    ...sold.map((line) => ({
      // What that customer paid per piece (per kilogram for weighed goods), rounded down.
      unitPrice: multiplyRatio(money(line.paid, currency), line.unit === 'kg' ? 1000 : 1, line.qty, 'DOWN'),
      from: line.at,
      to: line.at + 1,
      source: `sale ${line.receiptNumber}`,
    })),
  ];
}

function returnWithoutReceipt(
  ctx: CommandContext,
  input: CommandRequest<'return-without-receipt'>,
): ReturnView {
  assertKnownCustomer(ctx, input.customerId);
  const override = consumeOverride(
    ctx,
    input.overrideId,
    'return-without-receipt',
    input.reason,
    'A return without a receipt needs a manager override.',
  );
  const windowDays = noReceiptWindowDays(ctx);
  const valued = input.lines.map((line) => {
    const info = skuInfo(ctx, line.sku);
    const refund = noReceiptRefund(priceObservations(ctx, line.sku, windowDays), {
      at: ctx.nowMs,
      windowDays,
      qty: line.qty,
      unit: info.unit,
    });
    return { line, refund };
  });
  const total = sum(
    valued.map(({ refund }) => refund.refund),
    ctx.identity.currency,
  );
  const recorded = recordReturn(ctx, {
    registerId: input.registerId,
    // A receipt the till could not look up (offline): recorded so the hub links the return to the sale.
    ...(input.originalReceiptNumber === undefined
      ? {}
      : { originalReceiptNumber: input.originalReceiptNumber }),
    lines: valued.map(({ line, refund }) => ({
      returnLineId: ctx.newId(),
      sku: line.sku,
      qty: line.qty,
      refund: refund.refund.amount,
      disposition: line.disposition,
    })),
    refunds: [
      {
        tenderId: ctx.newId(),
        type: 'store_credit',
        amount: total.amount,
        reference: storeCreditCode(ctx.newId()),
      },
    ],
    override,
    ...(input.customerId === undefined ? {} : { customerId: input.customerId }),
  });
  return returnView(
    ctx,
    recorded.returnId,
    valued.map(({ refund }) => refund.reason),
  );
}

export const returnHandlers = {
  'return-create': { mutates: true, handle: returnWithReceipt },
  'return-without-receipt': { mutates: true, handle: returnWithoutReceipt },
  'return-get': {
    mutates: false,
    handle(ctx, input) {
      const row = sql(ctx.db, 'SELECT return_id AS returnId FROM returns WHERE receipt_number = ?').get(
        input.receiptNumber,
      ) as { returnId: string } | undefined;
      if (!row)
        throw new DomainError(
          'NOT_FOUND',
          `There is no return with receipt number ${input.receiptNumber} on this node.`,
        );
      return returnView(ctx, row.returnId);
    },
  },
} satisfies Pick<CommandHandlers, 'return-create' | 'return-without-receipt' | 'return-get'>;
