import { DomainError, assertNever } from '@retail/domain';
import type {
  ApplyOutcome,
  EventEnvelope,
  EventPayloads,
  EventType,
  MovementPayload,
  ValidPayload,
} from '@retail/sync';
import { storeAuditRows } from '../audit/store-audit';
import { prepareMovements, type LedgerMovement } from '../inventory/ledger';
import {
  applyCustomerCreated,
  applyReturnLoyalty,
  applySaleLoyalty,
  applyVoidLoyalty,
  raiseLoyaltyNotBooked,
} from '../loyalty/loyalty-events';
import { applyBopisEvent } from '../orders/store-events';
import { lockOpenNotice, settleNoticeReceipt, settlePurchaseOrderReceipt } from '../purchasing/purchasing';
import { auditSalePricing } from '../pricing/pricing-audit';
import { applyReceiptEmailRequested } from '../receipts/receipt-emails';
import { checkCashOut, checkSaleDiscounts } from '../settings/settings-limits';
import { applyStaffCreated } from '../staff/store-created-staff';
import type { IngestedEventTable, TransferTable } from '../storage/schema';
import type { ApplyContext } from './apply-context';
import { returnCreditDoubts, saleDoubts } from './claim-checks';
import type { ShiftFact } from './claim-facts';
import { EventFault } from './event-faults';
import {
  linkedReturnExcess,
  noteReturn,
  refundsProblem,
  returnClaimProblem,
  returnOriginal,
} from './return-claims';
import { withoutCardNumbers } from './sale-claims';
import { noteDeactivatedStaff, noteStaff, scopeProblem } from './store-scope';

export type { ApplyContext, BatchFacts, BatchWrites } from './apply-context';

type Applier<T extends EventType> = (
  ctx: ApplyContext,
  event: EventEnvelope,
  payload: EventPayloads[T],
) => Promise<ApplyOutcome>;

const applied: ApplyOutcome = { status: 'applied' };
const rejected = (reason: string): ApplyOutcome => ({ status: 'rejected', reason });

/** Applies one valid store event at the hub. A rejection is always decided before anything is written. */
export async function applyStoreEvent(
  ctx: ApplyContext,
  event: EventEnvelope,
  valid: ValidPayload,
): Promise<ApplyOutcome> {
  const logged = ctx.facts.loggedEvents.get(event.eventId);
  const earlierInBatch = ctx.batchEvents.get(event.eventId);
  if (logged !== undefined || earlierInBatch !== undefined) {
    const seq = logged?.deviceSeq ?? earlierInBatch;
    return rejected(
      `Event ${event.eventId} was already received as sequence number ${seq}; it was not applied a second time.`,
    );
  }
  const outOfScope = scopeProblem(ctx, valid);
  if (outOfScope !== undefined) return rejected(outOfScope);
  const outcome = await dispatch(ctx, event, valid);
  if (outcome.status === 'applied') {
    ctx.batchEvents.set(event.eventId, event.deviceSeq);
    ctx.writes.events.push(logRow(ctx, event, 'applied'));
    noteStaff(ctx, event, valid);
    noteDeactivatedStaff(ctx, event, valid);
    ctx.writes.storeAudit.push(...storeAuditRows(event, valid, ctx.tx.at, ctx.tx.hub.newId));
  }
  return outcome;
}

export function logRow(
  ctx: ApplyContext,
  event: EventEnvelope,
  status: 'applied' | 'rejected',
): IngestedEventTable {
  return {
    event_id: event.eventId,
    device_id: event.deviceId,
    device_seq: event.deviceSeq,
    node_id: event.storeId,
    type: event.type,
    schema_version: event.schemaVersion,
    status,
    envelope: JSON.stringify(withoutCardNumbers(event)),
    received_at: ctx.tx.at,
  };
}

function origin(ctx: ApplyContext): { nodeId: string; deviceId: string } {
  return { nodeId: ctx.facts.nodeId, deviceId: ctx.facts.deviceId };
}

function dispatch(ctx: ApplyContext, event: EventEnvelope, valid: ValidPayload): Promise<ApplyOutcome> {
  switch (valid.type) {
    case 'sale.completed':
      return applySaleCompleted(ctx, event, valid.payload as EventPayloads['sale.completed']);
    case 'sale.voided':
      return applySaleVoided(ctx, event, valid.payload as EventPayloads['sale.voided']);
    case 'return.completed':
      return applyReturnCompleted(ctx, event, valid.payload as EventPayloads['return.completed']);
    case 'stock.received':
      return applyStockReceived(ctx, event, valid.payload as EventPayloads['stock.received']);
    case 'stock.adjusted':
      return applyMovementsOnly(
        ctx,
        event,
        (valid.payload as EventPayloads['stock.adjusted']).movements,
        'adjustment',
      );
    case 'stock.counted':
      return applyStockCounted(ctx, event, valid.payload as EventPayloads['stock.counted']);
    case 'stock.transferred_out':
      return applyTransferredOut(ctx, event, valid.payload as EventPayloads['stock.transferred_out']);
    case 'shift.opened':
      return applyShiftOpened(ctx, event, valid.payload as EventPayloads['shift.opened']);
    case 'shift.cash_moved':
      // The shift's totals arrive with shift.closed; a pay-out is checked against the store's limit.
      return checkCashOut(
        ctx.tx,
        ctx.facts.nodeId,
        event,
        valid.payload as EventPayloads['shift.cash_moved'],
      ).then(() => applied);
    case 'drawer.opened':
      // These live in the event log and the store audit trail; the shift's totals arrive with shift.closed.
      return Promise.resolve(applied);
    case 'shift.closed':
      return applyShiftClosed(ctx, event, valid.payload as EventPayloads['shift.closed']);
    case 'bopis.accepted':
    case 'bopis.picking_started':
    case 'bopis.picked':
    case 'bopis.short_picked':
    case 'bopis.ready':
    case 'bopis.handed_over':
    case 'bopis.unstaged':
    case 'bopis.line_short':
    case 'bopis.packed':
    case 'bopis.shipped':
      return applyBopisEvent(ctx, event, valid);
    case 'customer.created':
      return applyCustomerCreated(
        ctx.tx,
        event,
        valid.payload as EventPayloads['customer.created'],
        origin(ctx),
      );
    case 'receipt.email_requested':
      return applyReceiptEmailRequested(
        ctx,
        event,
        valid.payload as EventPayloads['receipt.email_requested'],
      );
    case 'staff.created':
      return applyStaffCreated(ctx.tx, event, valid.payload as EventPayloads['staff.created'], origin(ctx));
    default:
      return assertNever(valid.type, 'event type');
  }
}

async function applyMovementsOnly(
  ctx: ApplyContext,
  event: EventEnvelope,
  movements: readonly MovementPayload[],
  sourceDoc: string,
): Promise<ApplyOutcome> {
  const prepared = prepareMovements(ctx, event, movements, sourceDoc);
  if (!prepared.ok) return rejected(prepared.reason);
  ctx.tx.addMovements(prepared.movements);
  return applied;
}

/**
 * Loyalty never blocks a sale or return: when the ledger refuses what an event implies (a contradiction
 * only a person can sort out), the push runs again with the event applied without its loyalty and
 * stored-value effects, none of which are kept, and HQ gets an exception with the reason.
 */
async function bookEventLoyalty(
  ctx: ApplyContext,
  event: EventEnvelope,
  work: () => Promise<void>,
): Promise<void> {
  const fault = ctx.faults.get(event.deviceSeq);
  if (fault?.kind === 'loyalty') {
    raiseLoyaltyNotBooked(ctx.tx, event, origin(ctx), fault);
    return;
  }
  try {
    await work();
  } catch (error) {
    if (!(error instanceof DomainError) || error.code === 'INTERNAL') throw error;
    throw new EventFault(event.deviceSeq, { kind: 'loyalty', code: error.code, message: error.message });
  }
}

function findSale(ctx: ApplyContext, saleId: string) {
  return ctx.batchSales.get(saleId) ?? ctx.facts.existingSales.get(saleId);
}

/** Offline sales are facts: applied even when sellable goes negative (conditions are raised later). */
const applySaleCompleted: Applier<'sale.completed'> = async (ctx, event, sale) => {
  const existing = findSale(ctx, sale.saleId);
  if (existing !== undefined) {
    return rejected(`Sale ${sale.saleId} was already recorded by event ${existing.eventId}.`);
  }
  const prepared = prepareMovements(ctx, event, sale.movements, `sale:${sale.saleId}`);
  if (!prepared.ok) return rejected(prepared.reason);
  ctx.tx.addMovements(prepared.movements);
  ctx.writes.sales.push({
    sale_id: sale.saleId,
    node_id: ctx.facts.nodeId,
    device_id: ctx.facts.deviceId,
    receipt_number: sale.receiptNumber,
    customer_id: sale.customerId ?? null,
    currency: sale.currency,
    total: sale.totals.total,
    status: 'completed',
    completed_at: sale.completedAt,
    event_id: event.eventId,
  });
  ctx.batchSales.set(sale.saleId, {
    status: 'completed',
    eventId: event.eventId,
    nodeId: ctx.facts.nodeId,
    sale,
  });
  const audit = await auditSalePricing(ctx.tx, event, sale);
  await checkSaleDiscounts(ctx.tx, ctx.facts.nodeId, event, sale);
  const doubts = saleDoubts(ctx, event, sale, audit);
  await bookEventLoyalty(ctx, event, () => applySaleLoyalty(ctx.tx, event, sale, origin(ctx), { doubts }));
  return applied;
};

const applySaleVoided: Applier<'sale.voided'> = async (ctx, event, voided) => {
  const sale = findSale(ctx, voided.saleId);
  if (sale !== undefined && sale.nodeId !== ctx.facts.nodeId) {
    return rejected(
      `Sale ${voided.saleId} was made at store ${sale.nodeId}; only that store can void it. Nothing of it was applied.`,
    );
  }
  if (sale?.status === 'voided') return rejected(`Sale ${voided.saleId} was already voided.`);
  const prepared = prepareMovements(ctx, event, voided.movements, `void:${voided.saleId}`);
  if (!prepared.ok) return rejected(prepared.reason);
  ctx.tx.addMovements(prepared.movements);
  if (sale === undefined) {
    // The units went back on the shelf whatever happened to the sale's own event; someone should look.
    ctx.tx.raise({
      type: 'ORPHAN_VOID',
      severity: 'warning',
      nodeId: ctx.facts.nodeId,
      causeEventIds: [event.eventId],
      details: {
        saleId: voided.saleId,
        receiptNumber: voided.receiptNumber,
        message: `Receipt ${voided.receiptNumber} was voided but the hub has no record of the sale.`,
      },
    });
  } else {
    const pending = ctx.writes.sales.find((row) => row.sale_id === voided.saleId);
    if (pending !== undefined) pending.status = 'voided';
    else
      await ctx.tx.trx
        .updateTable('sales')
        .set({ status: 'voided' })
        .where('sale_id', '=', voided.saleId)
        .execute();
  }
  const batchSale = ctx.batchSales.get(voided.saleId);
  ctx.batchSales.set(voided.saleId, {
    status: 'voided',
    eventId: event.eventId,
    nodeId: ctx.facts.nodeId,
    ...(batchSale?.sale === undefined ? {} : { sale: batchSale.sale }),
  });
  await bookEventLoyalty(ctx, event, () => applyVoidLoyalty(ctx.tx, event, voided, origin(ctx)));
  return applied;
};

/**
 * A no-receipt return naming the receipt the customer brought (its till could not ask the hub) is linked
 * to that sale, so later lookups and returns count it; one that takes back more than was still returnable
 * is applied (a manager approved it, in store credit) and raised for review.
 */
function linkedSale(ctx: ApplyContext, event: EventEnvelope, ret: EventPayloads['return.completed']) {
  if (ret.originalSaleId !== undefined || ret.originalReceiptNumber === undefined) return undefined;
  const saleId = ctx.facts.salesByReceipt.get(ret.originalReceiptNumber);
  if (saleId === undefined) return undefined;
  const original = returnOriginal(ctx, saleId);
  const excess = original.status === 'unknown' ? undefined : linkedReturnExcess(ret, original);
  if (excess !== undefined) {
    ctx.tx.raise({
      type: 'RETURN_OVER_RETURNABLE',
      severity: 'warning',
      nodeId: ctx.facts.nodeId,
      causeEventIds: [event.eventId],
      details: { message: excess, saleId, receiptNumber: ret.originalReceiptNumber, returnId: ret.returnId },
    });
  }
  return saleId;
}

const applyReturnCompleted: Applier<'return.completed'> = async (ctx, event, ret) => {
  const existing = await ctx.tx.trx
    .selectFrom('returns')
    .select('event_id')
    .where('return_id', '=', ret.returnId)
    .executeTakeFirst();
  if (existing !== undefined)
    return rejected(`Return ${ret.returnId} was already recorded by event ${existing.event_id}.`);
  const original = ret.originalSaleId === undefined ? undefined : returnOriginal(ctx, ret.originalSaleId);
  const claimProblem =
    original === undefined || original.status === 'unknown'
      ? refundsProblem(ret)
      : returnClaimProblem(ret, original);
  if (claimProblem !== undefined) return rejected(claimProblem);
  const prepared = prepareMovements(ctx, event, ret.movements, `return:${ret.returnId}`);
  if (!prepared.ok) return rejected(prepared.reason);
  ctx.tx.addMovements(prepared.movements);
  const linkedSaleId = linkedSale(ctx, event, ret);
  await ctx.tx.trx
    .insertInto('returns')
    .values({
      return_id: ret.returnId,
      node_id: ctx.facts.nodeId,
      device_id: ctx.facts.deviceId,
      original_sale_id: ret.originalSaleId ?? linkedSaleId ?? null,
      currency: ret.currency,
      refund_total: ret.refunds.reduce((total, refund) => total + refund.amount, 0),
      completed_at: ret.completedAt,
      event_id: event.eventId,
    })
    .execute();
  noteReturn(ctx, ret, ret.originalSaleId ?? linkedSaleId);
  const creditDoubts = returnCreditDoubts(ret, original);
  await bookEventLoyalty(ctx, event, () => applyReturnLoyalty(ctx.tx, event, ret, origin(ctx), creditDoubts));
  return applied;
};

interface TransferLine {
  sku: string;
  shipped: number;
  received: number;
}

async function findTransfer(ctx: ApplyContext, transferId: string): Promise<TransferTable | undefined> {
  return ctx.tx.trx
    .selectFrom('transfers')
    .selectAll()
    .where('transfer_id', '=', transferId)
    .$if(ctx.tx.hub.storage.kind === 'postgres', (query) => query.forUpdate())
    .executeTakeFirst();
}

function hasVariance(lines: readonly TransferLine[]): boolean {
  return lines.some((line) => line.shipped !== line.received);
}

function raiseVariance(
  ctx: ApplyContext,
  event: EventEnvelope,
  transfer: TransferTable,
  lines: TransferLine[],
): void {
  ctx.tx.raise({
    type: 'TRANSFER_VARIANCE',
    severity: 'warning',
    nodeId: transfer.to_node_id,
    causeEventIds: [event.eventId],
    details: {
      transferId: transfer.transfer_id,
      fromNodeId: transfer.from_node_id,
      lines: lines.filter((line) => line.shipped !== line.received),
      message: `Transfer ${transfer.transfer_id} arrived with different quantities than were shipped.`,
    },
  });
}

const applyStockReceived: Applier<'stock.received'> = async (ctx, event, receipt) => {
  const prepared = prepareMovements(ctx, event, receipt.movements, `receipt:${receipt.receiptId}`);
  if (!prepared.ok) return rejected(prepared.reason);
  if (receipt.source.type === 'supplier') {
    ctx.tx.addMovements(prepared.movements);
    return applied;
  }
  if (receipt.source.type === 'shipping_notice' || receipt.source.type === 'purchase_order') {
    return applyDocumentReceipt(ctx, event, receipt, prepared.movements);
  }
  const transferId = receipt.source.reference;
  const transfer = await findTransfer(ctx, transferId);
  if (transfer !== undefined && transfer.to_node_id !== ctx.facts.nodeId) {
    return rejected(`Transfer ${transferId} is addressed to another node, not this store.`);
  }
  if (transfer !== undefined && transfer.status !== 'in_transit') {
    return rejected(`Transfer ${transferId} was already received.`);
  }
  ctx.tx.addMovements(prepared.movements);
  const receivedBySku = new Map<string, number>();
  for (const line of receipt.lines)
    receivedBySku.set(line.sku, (receivedBySku.get(line.sku) ?? 0) + line.qty);

  if (transfer === undefined) {
    // The sender has not synced its shipment yet; remember what arrived and settle when it does.
    await ctx.tx.trx
      .insertInto('transfers')
      .values({
        transfer_id: transferId,
        from_node_id: '',
        to_node_id: ctx.facts.nodeId,
        status: 'received_first',
        lines: JSON.stringify([...receivedBySku].map(([sku, received]) => ({ sku, shipped: 0, received }))),
        created_by: `device:${ctx.facts.deviceId}`,
        created_at: ctx.tx.at,
        received_at: ctx.tx.at,
      })
      .execute();
    return applied;
  }
  await ctx.tx.lockBalances(
    (JSON.parse(transfer.lines) as TransferLine[]).map((line) => ({
      nodeId: ctx.facts.nodeId,
      sku: line.sku,
    })),
  );
  const lines = (JSON.parse(transfer.lines) as TransferLine[]).map((line) => ({
    ...line,
    received: receivedBySku.get(line.sku) ?? 0,
  }));
  for (const [sku, received] of receivedBySku) {
    if (!lines.some((line) => line.sku === sku)) lines.push({ sku, shipped: 0, received });
  }
  // The whole shipment leaves in-transit at the destination; any difference is the variance.
  ctx.tx.addMovements(
    lines
      .filter((line) => line.shipped !== 0)
      .map((line) => ({
        movementId: `${transferId}:arrived:${line.sku}`,
        nodeId: ctx.facts.nodeId,
        sku: line.sku,
        type: 'TRANSFER_IN' as const,
        bucket: 'in_transit' as const,
        delta: -line.shipped,
        sourceDoc: `transfer:${transferId}`,
        eventId: event.eventId,
        actor: 'hub',
      })),
  );
  const variance = hasVariance(lines);
  await ctx.tx.trx
    .updateTable('transfers')
    .set({
      status: variance ? 'received_with_variance' : 'received',
      lines: JSON.stringify(lines),
      received_at: ctx.tx.at,
    })
    .where('transfer_id', '=', transferId)
    .execute();
  if (variance) raiseVariance(ctx, event, transfer, lines);
  return applied;
};

/**
 * A till's receipt against a purchase order or shipping notice the hub sent it. The goods are on the
 * shelf whatever the document says, so the movements are always booked; the document is reconciled with
 * what arrived in the same transaction, and a notice that is no longer open (cancelled at HQ, or already
 * received by another till) makes the whole receipt a RECEIPT_VARIANCE for a person to settle.
 */
async function applyDocumentReceipt(
  ctx: ApplyContext,
  event: EventEnvelope,
  receipt: EventPayloads['stock.received'],
  movements: readonly LedgerMovement[],
): Promise<ApplyOutcome> {
  const source = receipt.source as { type: 'shipping_notice' | 'purchase_order'; documentId: string };
  const table = source.type === 'shipping_notice' ? 'shipping_notices' : 'purchase_orders';
  const column = source.type === 'shipping_notice' ? 'asn_id' : 'purchase_order_id';
  const document = await ctx.tx.trx
    .selectFrom(table)
    .select('node_id')
    .where(column, '=', source.documentId)
    .executeTakeFirst();
  const what = source.type === 'shipping_notice' ? 'Shipping notice' : 'Purchase order';
  if (document === undefined) return rejected(`${what} ${source.documentId} does not exist at the hub.`);
  if (document.node_id !== ctx.facts.nodeId) {
    return rejected(`${what} ${source.documentId} is addressed to another node, not this store.`);
  }
  ctx.tx.addMovements(movements);
  const arrived = receipt.lines.map((line) => ({ sku: line.sku, qty: line.qty }));
  if (source.type === 'purchase_order') {
    await settlePurchaseOrderReceipt(ctx.tx, source.documentId, arrived, [event.eventId]);
    return applied;
  }
  const { notice, open } = await lockOpenNotice(ctx.tx, source.documentId);
  if (notice === undefined)
    return rejected(`Shipping notice ${source.documentId} does not exist at the hub.`);
  if (open) {
    await settleNoticeReceipt(ctx.tx, notice, arrived, [event.eventId]);
    return applied;
  }
  ctx.tx.raise({
    type: 'RECEIPT_VARIANCE',
    severity: 'warning',
    nodeId: notice.nodeId,
    causeEventIds: [event.eventId],
    details: {
      asnId: notice.asnId,
      asnNumber: notice.asnNumber,
      purchaseOrderId: notice.purchaseOrderId,
      receiptId: receipt.receiptId,
      status: notice.status,
      variances: arrived.map((line) => ({
        sku: line.sku,
        expected: 0,
        received: line.qty,
        difference: line.qty,
      })),
      message: `A till received delivery ${notice.asnNumber} from ${notice.supplier}, but the notice was already ${notice.status.replaceAll('_', ' ')}: ${arrived
        .map((line) => `${line.sku} ${line.qty}`)
        .join(
          ', ',
        )}. The goods are in stock; check whether they came twice or despite the cancellation, and settle with the supplier.`,
    },
  });
  return applied;
}

const applyStockCounted: Applier<'stock.counted'> = async (ctx, event, count) => {
  const prepared = prepareMovements(ctx, event, count.movements, `count:${count.countId}`);
  if (!prepared.ok) return rejected(prepared.reason);
  if (!ctx.facts.knownSkus.has(count.sku)) {
    return rejected(`SKU ${count.sku} is not in the hub catalog, so its count cannot be recorded.`);
  }
  const before = ctx.tx.balance(ctx.facts.nodeId, count.sku)[count.bucket];
  ctx.tx.addMovements(prepared.movements);
  if (before !== count.expectedQty) {
    // The store applies count − its expectation, which composes with movements it had not seen; the
    // hub keeps the difference visible so a person can check the shelf if it matters.
    ctx.tx.raise({
      type: 'COUNT_MISMATCH',
      severity: 'info',
      nodeId: ctx.facts.nodeId,
      sku: count.sku,
      conditionKey: `COUNT_MISMATCH:${ctx.facts.nodeId}:${count.sku}`,
      causeEventIds: [event.eventId],
      details: {
        countId: count.countId,
        bucket: count.bucket,
        storeExpected: count.expectedQty,
        hubHad: before,
        counted: count.countedQty,
        message: `The store expected ${count.expectedQty} of ${count.sku} in ${count.bucket} when counting; the hub had ${before}.`,
      },
    });
  }
  return applied;
};

const applyTransferredOut: Applier<'stock.transferred_out'> = async (ctx, event, shipment) => {
  if (shipment.toNodeId === ctx.facts.nodeId)
    return rejected('A transfer must go to another node, not back to this store.');
  if (!ctx.facts.knownNodes.has(shipment.toNodeId)) {
    return rejected(`Transfer destination ${shipment.toNodeId} is not a node the hub knows.`);
  }
  const prepared = prepareMovements(ctx, event, shipment.movements, `transfer:${shipment.transferId}`);
  if (!prepared.ok) return rejected(prepared.reason);
  const unknown = shipment.lines.find((line) => !ctx.facts.knownSkus.has(line.sku));
  if (unknown !== undefined) return rejected(`SKU ${unknown.sku} is not in the hub catalog.`);
  const transfer = await findTransfer(ctx, shipment.transferId);
  if (transfer !== undefined && transfer.status !== 'received_first') {
    return rejected(`Transfer ${shipment.transferId} was already shipped.`);
  }
  if (transfer !== undefined && transfer.to_node_id !== shipment.toNodeId) {
    return rejected(
      `Transfer ${shipment.transferId} was received at ${transfer.to_node_id}, not at ${shipment.toNodeId}.`,
    );
  }
  ctx.tx.addMovements(prepared.movements);
  const shippedBySku = new Map<string, number>();
  for (const line of shipment.lines) shippedBySku.set(line.sku, (shippedBySku.get(line.sku) ?? 0) + line.qty);

  if (transfer === undefined) {
    // In transit counts as incoming at the destination only, never at two nodes.
    ctx.tx.addMovements(
      [...shippedBySku].map(([sku, qty]) => ({
        movementId: `${shipment.transferId}:shipped:${sku}`,
        nodeId: shipment.toNodeId,
        sku,
        type: 'TRANSFER_OUT' as const,
        bucket: 'in_transit' as const,
        delta: qty,
        sourceDoc: `transfer:${shipment.transferId}`,
        eventId: event.eventId,
        actor: 'hub',
      })),
    );
    await ctx.tx.trx
      .insertInto('transfers')
      .values({
        transfer_id: shipment.transferId,
        from_node_id: ctx.facts.nodeId,
        to_node_id: shipment.toNodeId,
        status: 'in_transit',
        lines: JSON.stringify([...shippedBySku].map(([sku, shipped]) => ({ sku, shipped, received: 0 }))),
        created_by: `device:${ctx.facts.deviceId}`,
        created_at: ctx.tx.at,
        received_at: null,
      })
      .execute();
    return applied;
  }
  // Already received: nothing is in transit any more; settle the quantities.
  const received = JSON.parse(transfer.lines) as TransferLine[];
  const lines: TransferLine[] = [
    ...new Set([...shippedBySku.keys(), ...received.map((line) => line.sku)]),
  ].map((sku) => ({
    sku,
    shipped: shippedBySku.get(sku) ?? 0,
    received: received.find((line) => line.sku === sku)?.received ?? 0,
  }));
  const variance = hasVariance(lines);
  const settled = { ...transfer, from_node_id: ctx.facts.nodeId };
  await ctx.tx.trx
    .updateTable('transfers')
    .set({
      from_node_id: ctx.facts.nodeId,
      status: variance ? 'received_with_variance' : 'received',
      lines: JSON.stringify(lines),
    })
    .where('transfer_id', '=', shipment.transferId)
    .execute();
  if (variance) raiseVariance(ctx, event, settled, lines);
  return applied;
};

function findShift(ctx: ApplyContext, shiftId: string): ShiftFact | undefined {
  return ctx.batchShifts.get(shiftId) ?? ctx.facts.shifts.get(shiftId);
}

const applyShiftOpened: Applier<'shift.opened'> = async (ctx, _event, shift) => {
  if (findShift(ctx, shift.shiftId) !== undefined)
    return rejected(`Shift ${shift.shiftId} was already opened.`);
  await ctx.tx.trx
    .insertInto('shifts')
    .values({
      shift_id: shift.shiftId,
      node_id: ctx.facts.nodeId,
      device_id: ctx.facts.deviceId,
      staff_id: shift.staffId,
      currency: shift.currency,
      status: 'open',
      float: shift.float,
      expected_cash: null,
      counted_cash: null,
      over_short: null,
      opened_at: shift.openedAt,
      closed_at: null,
      updated_at: ctx.tx.at,
    })
    .execute();
  ctx.batchShifts.set(shift.shiftId, { nodeId: ctx.facts.nodeId, status: 'open' });
  return applied;
};

const applyShiftClosed: Applier<'shift.closed'> = async (ctx, _event, shift) => {
  // Store scope (another store's shift) was checked before: this shift is unknown or this store's.
  const existing = findShift(ctx, shift.shiftId);
  if (existing?.status === 'closed') return rejected(`Shift ${shift.shiftId} was already closed.`);
  const figures = {
    status: 'closed' as const,
    expected_cash: shift.expectedCash,
    counted_cash: shift.countedCash,
    over_short: shift.overShort,
    closed_at: shift.closedAt,
    updated_at: ctx.tx.at,
  };
  if (existing === undefined) {
    await ctx.tx.trx
      .insertInto('shifts')
      .values({
        shift_id: shift.shiftId,
        node_id: ctx.facts.nodeId,
        device_id: ctx.facts.deviceId,
        staff_id: shift.staffId,
        currency: shift.currency,
        float: shift.float,
        opened_at: null,
        ...figures,
      })
      .execute();
  } else {
    await ctx.tx.trx.updateTable('shifts').set(figures).where('shift_id', '=', shift.shiftId).execute();
  }
  ctx.batchShifts.set(shift.shiftId, { nodeId: ctx.facts.nodeId, status: 'closed' });
  return applied;
};
