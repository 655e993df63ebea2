import type { ApplyOutcome, EventEnvelope, EventPayloads, MovementPayload } from '@retail/sync';
import { prepareMovements, type LedgerMovement } from '../inventory/ledger';
import { lockOpenNotice, settleNoticeReceipt, settlePurchaseOrderReceipt } from '../purchasing/purchasing';
import type { TransferTable } from '../storage/schema';
import { applied, rejected, type ApplyContext, type Applier } from './apply-context';

/**
 * A store's stock events at the hub: receipts (from a supplier, against a purchase order or shipping
 * notice, or the arrival of a transfer), adjustments, counts and transfers out. Each books its movements
 * in the ledger; transfers and documents are settled against what arrived in the same transaction.
 */

export async function applyMovementsOnly(
  ctx: ApplyContext,
  event: EventEnvelope,
  movements: readonly MovementPayload[],
  sourceDoc: string,
): Promise<ApplyOutcome> {
  const prepared = prepareMovements(ctx, event, movements, sourceDoc);
  if (!prepared.ok) return rejected(prepared.reason);
  ctx.tx.ledger.addMovements(prepared.movements);
  return applied;
}

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

export const applyStockReceived: Applier<'stock.received'> = async (ctx, event, receipt) => {
  const prepared = prepareMovements(ctx, event, receipt.movements, `receipt:${receipt.receiptId}`);
  if (!prepared.ok) return rejected(prepared.reason);
  if (receipt.source.type === 'supplier') {
    ctx.tx.ledger.addMovements(prepared.movements);
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
  ctx.tx.ledger.addMovements(prepared.movements);
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
  await ctx.tx.ledger.lockBalances(
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
  ctx.tx.ledger.addMovements(
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
  ctx.tx.ledger.addMovements(movements);
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

export const applyStockCounted: Applier<'stock.counted'> = async (ctx, event, count) => {
  const prepared = prepareMovements(ctx, event, count.movements, `count:${count.countId}`);
  if (!prepared.ok) return rejected(prepared.reason);
  if (!ctx.facts.knownSkus.has(count.sku)) {
    return rejected(`SKU ${count.sku} is not in the hub catalog, so its count cannot be recorded.`);
  }
  const before = ctx.tx.ledger.balance(ctx.facts.nodeId, count.sku)[count.bucket];
  ctx.tx.ledger.addMovements(prepared.movements);
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

export const applyTransferredOut: Applier<'stock.transferred_out'> = async (ctx, event, shipment) => {
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
  ctx.tx.ledger.addMovements(prepared.movements);
  const shippedBySku = new Map<string, number>();
  for (const line of shipment.lines) shippedBySku.set(line.sku, (shippedBySku.get(line.sku) ?? 0) + line.qty);

  if (transfer === undefined) {
    // In transit counts as incoming at the destination only, never at two nodes.
    ctx.tx.ledger.addMovements(
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
