import {
  DomainError,
  assertNever,
  money,
  storeCreditCode,
  sum,
  type MovementType,
  type PlannedRefund,
  type RefundTenderType,
} from '@retail/domain';
import type { MovementPayload } from '@retail/sync';
import type { ReturnView } from '../../shared/commands';
import type { CommandContext } from '../command-context';
import { sql, type TxContext } from '../context';
import { formatAmount } from '../format';
import { customerPayment } from '../receipts/customer-reference';
import { allocateReceiptNumber } from '../receipt-number';
import type { Disposition, ReturnLineInput } from '../sales/return-plan';
import type { ManagerOverride } from './manager-overrides';
import { drawerExpected, requireOpenShift } from './shifts';
import { recordMovements } from './stock-movements';

/** Where a returned unit goes. A write-off comes back and leaves at once, so it moves no stock. */
export function dispositionMovement(
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

/**
 * Whether the database has migration 0009's hub sale columns: always, except when a migration test drives
 * this engine against a database it keeps at an older version (local returns work there as before).
 */
export function hasHubSaleColumns(ctx: TxContext): boolean {
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
        'services.drawerHoldOnlyNot',
        {
          identity: formatAmount(ctx.identity, drawer),
          identity2: formatAmount(ctx.identity, cashOut.amount),
        },
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
export function saleEventId(ctx: TxContext, saleId: string): string | undefined {
  const row = sql(
    ctx.db,
    "SELECT o.event_id AS eventId FROM sales s JOIN outbox o ON o.device_seq = s.device_seq WHERE s.sale_id = ? AND o.type = 'sale.completed'",
  ).get(saleId) as { eventId: string } | undefined;
  return row?.eventId;
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
