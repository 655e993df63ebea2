import { z } from 'zod';
import { DomainError, MAX_STOCK_QTY } from '@retail/domain';
import type { ReceivingDocument } from '@retail/sync';
import type { HubContext } from '../hub-context';
import { inHubTransaction, type HubTx } from '../hub-tx';
import { assertNodes, assertSkus, recordReceipt } from '../inventory/stock-operations';
import type { EventData } from '../integration/event-catalog';
import type {
  PurchaseOrderLineTable,
  PurchaseOrderTable,
  ShippingNoticeLineTable,
  ShippingNoticeTable,
} from '../storage/schema';
import type { Executor } from '../storage/storage';

/**
 * Purchase orders and advance shipping notices (docs/integration.md): an ERP or HQ says what a store or
 * warehouse will receive; the receipt is booked against the notice, the purchase order follows what was
 * received, anything that differs from the notice becomes a RECEIPT_VARIANCE exception, and every step
 * leaves as a catalog event.
 */

const documentNumber = z
  .string()
  .trim()
  .min(1)
  .max(40)
  .regex(/^[A-Za-z0-9][A-Za-z0-9._/-]*$/, 'Letters, digits and . _ / - only.');
const skuId = z.string().min(1).max(100);
const qty = z.number().int().min(1).max(MAX_STOCK_QTY);

function uniqueSkus(lines: readonly { sku: string }[]): boolean {
  return new Set(lines.map((line) => line.sku)).size === lines.length;
}

export const PurchaseOrderInputSchema = z.object({
  poNumber: documentNumber,
  supplier: z.string().trim().min(1).max(200),
  nodeId: z.string().min(1).max(100),
  expectedAt: z.iso.datetime({ offset: true }).optional(),
  lines: z
    .array(z.object({ sku: skuId, qty }))
    .min(1)
    .max(1000)
    .refine(uniqueSkus, 'Each SKU once per purchase order.'),
});

export const ShippingNoticeInputSchema = z.object({
  asnNumber: documentNumber,
  /** The purchase order it delivers against: its store and supplier are the notice's. */
  purchaseOrderId: z.string().min(1).max(100).optional(),
  supplier: z.string().trim().min(1).max(200).optional(),
  nodeId: z.string().min(1).max(100).optional(),
  expectedAt: z.iso.datetime({ offset: true }).optional(),
  lines: z
    .array(z.object({ sku: skuId, qty }))
    .min(1)
    .max(1000)
    .refine(uniqueSkus, 'Each SKU once per shipping notice.'),
});

export const ReceiveAgainstNoticeSchema = z.object({
  /** What arrived, counted; a SKU of the notice that is missing here arrived as 0. */
  lines: z
    .array(
      z.object({
        sku: skuId,
        qty: z.number().int().min(0).max(MAX_STOCK_QTY),
        bucket: z.enum(['sellable', 'quality_control']).default('sellable'),
      }),
    )
    .max(1000)
    .refine(uniqueSkus, 'Each SKU once per receipt.'),
});

export const PurchaseOrderSchema = z.object({
  purchaseOrderId: z.string(),
  poNumber: z.string(),
  supplier: z.string(),
  nodeId: z.string(),
  status: z.enum(['open', 'partially_received', 'received', 'cancelled']),
  expectedAt: z.string().nullable(),
  createdBy: z.string(),
  createdAt: z.number().int(),
  lines: z.array(z.object({ sku: z.string(), ordered: z.number().int(), received: z.number().int() })),
});
export type PurchaseOrder = z.infer<typeof PurchaseOrderSchema>;

export const ShippingNoticeSchema = z.object({
  asnId: z.string(),
  asnNumber: z.string(),
  purchaseOrderId: z.string().nullable(),
  supplier: z.string(),
  nodeId: z.string(),
  status: z.enum(['open', 'received', 'received_with_variance', 'cancelled']),
  expectedAt: z.string().nullable(),
  createdBy: z.string(),
  createdAt: z.number().int(),
  lines: z.array(z.object({ sku: z.string(), expected: z.number().int(), received: z.number().int() })),
});
export type ShippingNotice = z.infer<typeof ShippingNoticeSchema>;

export const DocumentFilterSchema = z.object({
  nodeId: z.string().min(1).max(100).optional(),
  status: z
    .enum(['open', 'partially_received', 'received', 'received_with_variance', 'cancelled'])
    .optional(),
  limit: z.coerce.number().int().min(1).max(500).default(100),
});

const iso = (at: number | null) => (at === null ? null : new Date(Number(at)).toISOString());

function toPurchaseOrder(row: PurchaseOrderTable, lines: readonly PurchaseOrderLineTable[]): PurchaseOrder {
  return {
    purchaseOrderId: row.purchase_order_id,
    poNumber: row.po_number,
    supplier: row.supplier,
    nodeId: row.node_id,
    status: row.status,
    expectedAt: iso(row.expected_at),
    createdBy: row.created_by,
    createdAt: Number(row.created_at),
    lines: lines.map((line) => ({
      sku: line.sku,
      ordered: Number(line.ordered),
      received: Number(line.received),
    })),
  };
}

function toShippingNotice(
  row: ShippingNoticeTable,
  lines: readonly ShippingNoticeLineTable[],
): ShippingNotice {
  return {
    asnId: row.asn_id,
    asnNumber: row.asn_number,
    purchaseOrderId: row.purchase_order_id,
    supplier: row.supplier,
    nodeId: row.node_id,
    status: row.status,
    expectedAt: iso(row.expected_at),
    createdBy: row.created_by,
    createdAt: Number(row.created_at),
    lines: lines.map((line) => ({
      sku: line.sku,
      expected: Number(line.expected),
      received: Number(line.received),
    })),
  };
}

export async function getPurchaseOrder(executor: Executor, purchaseOrderId: string): Promise<PurchaseOrder> {
  const row = await executor
    .selectFrom('purchase_orders')
    .selectAll()
    .where('purchase_order_id', '=', purchaseOrderId)
    .executeTakeFirst();
  if (row === undefined) {
    throw new DomainError(
      'NOT_FOUND',
      'hub.purchasing.noPurchaseOrder',
      { purchaseOrderId },
      { purchaseOrderId },
    );
  }
  const lines = await executor
    .selectFrom('purchase_order_lines')
    .selectAll()
    .where('purchase_order_id', '=', purchaseOrderId)
    .orderBy('sku')
    .execute();
  return toPurchaseOrder(row, lines);
}

export async function getShippingNotice(executor: Executor, asnId: string): Promise<ShippingNotice> {
  const row = await executor
    .selectFrom('shipping_notices')
    .selectAll()
    .where('asn_id', '=', asnId)
    .executeTakeFirst();
  if (row === undefined) {
    throw new DomainError('NOT_FOUND', 'hub.purchasing.noShippingNotice', { asnId }, { asnId });
  }
  const lines = await executor
    .selectFrom('shipping_notice_lines')
    .selectAll()
    .where('asn_id', '=', asnId)
    .orderBy('sku')
    .execute();
  return toShippingNotice(row, lines);
}

function emitPurchaseOrder(
  tx: HubTx,
  order: PurchaseOrder,
  type: 'purchase_order.created' | 'purchase_order.updated',
  cancellation?: Cancellation,
) {
  const data: EventData<'purchase_order.created'> = {
    purchaseOrderId: order.purchaseOrderId,
    poNumber: order.poNumber,
    supplier: order.supplier,
    nodeId: order.nodeId,
    status: order.status,
    expectedAt: order.expectedAt,
    lines: order.lines,
    ...(cancellation === undefined ? {} : { cancellation }),
  };
  tx.events.emit({
    type,
    key: `${order.purchaseOrderId}:${type}:${tx.at}:${order.status}:${order.lines.map((line) => line.received).join('.')}`,
    aggregateId: order.purchaseOrderId,
    nodeId: order.nodeId,
    occurredAt: tx.at,
    data,
  });
}

interface Cancellation {
  readonly reason: string;
  readonly cancelledBy: string;
}

/** A purchase order or shipping notice as the node's tills see it in their feed (ReceivingDocumentSchema). */
function publishReceivingDocument(tx: HubTx, data: ReceivingDocument): void {
  tx.publish({
    entity: 'receiving_document',
    key: `${data.kind}:${data.documentId}`,
    op: 'upsert',
    scope: data.nodeId,
    data,
  });
}

function publishPurchaseOrder(tx: HubTx, order: PurchaseOrder): void {
  publishReceivingDocument(tx, {
    kind: 'purchase_order',
    documentId: order.purchaseOrderId,
    number: order.poNumber,
    purchaseOrderId: null,
    supplier: order.supplier,
    nodeId: order.nodeId,
    status: order.status,
    expectedAt: order.expectedAt,
    lines: order.lines.map((line) => ({ sku: line.sku, expected: line.ordered, received: line.received })),
  });
}

function publishShippingNotice(tx: HubTx, notice: ShippingNotice): void {
  publishReceivingDocument(tx, {
    kind: 'shipping_notice',
    documentId: notice.asnId,
    number: notice.asnNumber,
    purchaseOrderId: notice.purchaseOrderId,
    supplier: notice.supplier,
    nodeId: notice.nodeId,
    status: notice.status,
    expectedAt: notice.expectedAt,
    lines: notice.lines,
  });
}

function emitShippingNotice(
  tx: HubTx,
  notice: ShippingNotice,
  type: 'shipping_notice.created' | 'shipping_notice.received' | 'shipping_notice.cancelled',
  cancellation?: Cancellation,
) {
  tx.events.emit({
    type,
    key: `${notice.asnId}:${type}`,
    aggregateId: notice.asnId,
    nodeId: notice.nodeId,
    occurredAt: tx.at,
    data: {
      asnId: notice.asnId,
      asnNumber: notice.asnNumber,
      purchaseOrderId: notice.purchaseOrderId,
      supplier: notice.supplier,
      nodeId: notice.nodeId,
      status: notice.status,
      expectedAt: notice.expectedAt,
      lines: notice.lines,
      ...(cancellation === undefined ? {} : { cancellation }),
    },
  });
}

/** A new document's node and SKUs must exist at the hub. */
async function assertDocumentRefs(tx: HubTx, nodeId: string, lines: readonly { sku: string }[]) {
  await assertNodes(tx, [nodeId]);
  await assertSkus(
    tx,
    lines.map((line) => line.sku),
  );
}

/** A document's lines in SKU order, as they are read back from the hub. */
function bySku<Line extends { sku: string }>(lines: readonly Line[]): Line[] {
  return [...lines].sort((a, b) => (a.sku < b.sku ? -1 : 1));
}

export async function createPurchaseOrder(
  hub: HubContext,
  input: z.output<typeof PurchaseOrderInputSchema>,
  actor: string,
): Promise<PurchaseOrder> {
  return inHubTransaction(hub, async (tx) => {
    await assertDocumentRefs(tx, input.nodeId, input.lines);
    const taken = await tx.trx
      .selectFrom('purchase_orders')
      .select('purchase_order_id')
      .where('po_number', '=', input.poNumber)
      .executeTakeFirst();
    if (taken !== undefined) {
      throw new DomainError(
        'CONFLICT',
        'hub.purchasing.purchaseOrderNumberAlready',
        { poNumber: input.poNumber },
        {
          purchaseOrderId: taken.purchase_order_id,
        },
      );
    }
    const row: PurchaseOrderTable = {
      purchase_order_id: hub.newId(),
      po_number: input.poNumber,
      supplier: input.supplier,
      node_id: input.nodeId,
      status: 'open',
      expected_at: input.expectedAt === undefined ? null : Date.parse(input.expectedAt),
      created_by: actor,
      created_at: tx.at,
      updated_at: tx.at,
    };
    await tx.trx.insertInto('purchase_orders').values(row).execute();
    const lines = input.lines.map((line) => ({
      purchase_order_id: row.purchase_order_id,
      sku: line.sku,
      ordered: line.qty,
      received: 0,
    }));
    await tx.trx.insertInto('purchase_order_lines').values(lines).execute();
    const order = toPurchaseOrder(row, bySku(lines));
    emitPurchaseOrder(tx, order, 'purchase_order.created');
    publishPurchaseOrder(tx, order);
    return order;
  });
}

export async function createShippingNotice(
  hub: HubContext,
  input: z.output<typeof ShippingNoticeInputSchema>,
  actor: string,
): Promise<ShippingNotice> {
  return inHubTransaction(hub, async (tx) => {
    let nodeId = input.nodeId;
    let supplier = input.supplier;
    if (input.purchaseOrderId !== undefined) {
      const order = await getPurchaseOrder(tx.trx, input.purchaseOrderId);
      if (order.status === 'received' || order.status === 'cancelled') {
        throw new DomainError(
          'NOT_ALLOWED',
          'hub.purchasing.purchaseOrderNothingMore',
          { poNumber: order.poNumber, orderStatus: order.status },
          { purchaseOrderId: order.purchaseOrderId },
        );
      }
      if (nodeId !== undefined && nodeId !== order.nodeId) {
        throw new DomainError(
          'INVALID_INPUT',
          'hub.purchasing.purchaseOrderNoticeAgainst',
          { poNumber: order.poNumber, nodeId: order.nodeId },
          { issues: [{ path: 'body.nodeId', message: 'not the purchase order’s node' }] },
        );
      }
      nodeId = order.nodeId;
      supplier = supplier ?? order.supplier;
    }
    if (nodeId === undefined || supplier === undefined) {
      throw new DomainError(
        'INVALID_INPUT',
        'hub.purchasing.namePurchaseOrderStore',
        {},
        { issues: [{ path: 'body.nodeId', message: 'required without purchaseOrderId' }] },
      );
    }
    await assertDocumentRefs(tx, nodeId, input.lines);
    const taken = await tx.trx
      .selectFrom('shipping_notices')
      .select('asn_id')
      .where('asn_number', '=', input.asnNumber)
      .executeTakeFirst();
    if (taken !== undefined) {
      throw new DomainError(
        'CONFLICT',
        'hub.purchasing.shippingNoticeNumberAlready',
        { asnNumber: input.asnNumber },
        {
          asnId: taken.asn_id,
        },
      );
    }
    const row: ShippingNoticeTable = {
      asn_id: hub.newId(),
      asn_number: input.asnNumber,
      purchase_order_id: input.purchaseOrderId ?? null,
      supplier,
      node_id: nodeId,
      status: 'open',
      expected_at: input.expectedAt === undefined ? null : Date.parse(input.expectedAt),
      created_by: actor,
      created_at: tx.at,
      updated_at: tx.at,
    };
    await tx.trx.insertInto('shipping_notices').values(row).execute();
    const lines = input.lines.map((line) => ({
      asn_id: row.asn_id,
      sku: line.sku,
      expected: line.qty,
      received: 0,
    }));
    await tx.trx.insertInto('shipping_notice_lines').values(lines).execute();
    const notice = toShippingNotice(row, bySku(lines));
    emitShippingNotice(tx, notice, 'shipping_notice.created');
    publishShippingNotice(tx, notice);
    return notice;
  });
}

/** What arrived of each SKU, as counted (a receipt line). */
export interface ArrivedLine {
  readonly sku: string;
  readonly qty: number;
}

/**
 * The notice's side of a receipt, inside the transaction that booked the stock: its received quantities
 * and status, the purchase order's, and a RECEIPT_VARIANCE exception listing every SKU that differs from
 * the notice. The caller has locked the notice (see lockOpenNotice) and booked the movements.
 */
export async function settleNoticeReceipt(
  tx: HubTx,
  notice: ShippingNotice,
  arrived: readonly ArrivedLine[],
  causeEventIds: readonly string[],
): Promise<ShippingNotice> {
  const arrivedBySku = new Map<string, number>();
  for (const line of arrived) arrivedBySku.set(line.sku, (arrivedBySku.get(line.sku) ?? 0) + line.qty);
  const skus = [...new Set([...notice.lines.map((line) => line.sku), ...arrivedBySku.keys()])].sort();
  const lines = skus.map((sku) => ({
    sku,
    expected: notice.lines.find((line) => line.sku === sku)?.expected ?? 0,
    received: arrivedBySku.get(sku) ?? 0,
  }));
  const variances = lines.filter((line) => line.received !== line.expected);
  const status = variances.length === 0 ? 'received' : 'received_with_variance';
  await tx.trx
    .updateTable('shipping_notices')
    .set({ status, updated_at: tx.at })
    .where('asn_id', '=', notice.asnId)
    .execute();
  await tx.trx.deleteFrom('shipping_notice_lines').where('asn_id', '=', notice.asnId).execute();
  await tx.trx
    .insertInto('shipping_notice_lines')
    .values(lines.map((line) => ({ asn_id: notice.asnId, ...line })))
    .execute();
  const result = { ...notice, status, lines } satisfies ShippingNotice;
  emitShippingNotice(tx, result, 'shipping_notice.received');
  publishShippingNotice(tx, result);
  if (variances.length > 0) {
    tx.raise({
      type: 'RECEIPT_VARIANCE',
      severity: 'warning',
      nodeId: notice.nodeId,
      causeEventIds,
      details: {
        asnId: notice.asnId,
        asnNumber: notice.asnNumber,
        purchaseOrderId: notice.purchaseOrderId,
        variances: variances.map((line) => ({ ...line, difference: line.received - line.expected })),
        message: `Delivery ${notice.asnNumber} from ${notice.supplier} differs from its notice: ${variances
          .map((line) => `${line.sku} ${line.received} of ${line.expected}`)
          .join(', ')}. What arrived is in stock; check the delivery and settle with the supplier.`,
      },
    });
  }
  if (notice.purchaseOrderId !== null) {
    await addToPurchaseOrder(tx, notice.purchaseOrderId, arrived);
  }
  return result;
}

/** Adds what arrived to the purchase order's received quantities and moves its status on. */
async function addToPurchaseOrder(
  tx: HubTx,
  purchaseOrderId: string,
  arrived: readonly ArrivedLine[],
): Promise<PurchaseOrder> {
  const order = await getPurchaseOrder(tx.trx, purchaseOrderId);
  for (const line of arrived) {
    if (line.qty <= 0) continue;
    const onOrder = order.lines.find((candidate) => candidate.sku === line.sku);
    if (onOrder === undefined) continue;
    onOrder.received += line.qty;
    await tx.trx
      .updateTable('purchase_order_lines')
      .set({ received: onOrder.received })
      .where('purchase_order_id', '=', purchaseOrderId)
      .where('sku', '=', line.sku)
      .execute();
  }
  // A cancelled order stays cancelled: goods that arrived anyway are counted on it all the same.
  const complete = order.lines.every((line) => line.received >= line.ordered);
  const status = order.status === 'cancelled' ? 'cancelled' : complete ? 'received' : 'partially_received';
  await tx.trx
    .updateTable('purchase_orders')
    .set({ status, updated_at: tx.at })
    .where('purchase_order_id', '=', purchaseOrderId)
    .execute();
  const after = { ...order, status } satisfies PurchaseOrder;
  emitPurchaseOrder(tx, after, 'purchase_order.updated');
  publishPurchaseOrder(tx, after);
  return after;
}

/**
 * Takes the notice for this receipt: the row lock (PostgreSQL) makes two receipts of one notice queue,
 * and the second finds it no longer open. Answers the notice and whether it was open.
 */
export async function lockOpenNotice(
  tx: HubTx,
  asnId: string,
): Promise<{ notice: ShippingNotice | undefined; open: boolean }> {
  const updated = await tx.trx
    .updateTable('shipping_notices')
    .set({ updated_at: tx.at })
    .where('asn_id', '=', asnId)
    .where('status', '=', 'open')
    .executeTakeFirst();
  const exists = await tx.trx
    .selectFrom('shipping_notices')
    .select('asn_id')
    .where('asn_id', '=', asnId)
    .executeTakeFirst();
  const notice = exists === undefined ? undefined : await getShippingNotice(tx.trx, asnId);
  return { notice, open: Number(updated.numUpdatedRows) > 0 };
}

/**
 * Books what arrived against an open notice, in one hub transaction: the stock receipt (movements and
 * stock.received with the notice as its source), then the notice's and purchase order's side.
 */
export async function receiveShippingNotice(
  hub: HubContext,
  asnId: string,
  input: z.output<typeof ReceiveAgainstNoticeSchema>,
  actor: string,
): Promise<ShippingNotice> {
  return inHubTransaction(hub, async (tx) => {
    const { notice, open } = await lockOpenNotice(tx, asnId);
    if (notice === undefined) {
      throw new DomainError('NOT_FOUND', 'hub.purchasing.noShippingNotice', { asnId }, { asnId });
    }
    if (!open) {
      throw new DomainError(
        'NOT_ALLOWED',
        'hub.purchasing.shippingNoticeCanReceived',
        { asnNumber: notice.asnNumber, noticeStatus: notice.status },
        { asnId, status: notice.status },
      );
    }
    const received = input.lines.filter((line) => line.qty > 0);
    if (received.length > 0) {
      await recordReceipt(
        tx,
        { nodeId: notice.nodeId, reference: notice.asnNumber, lines: received },
        actor,
        { type: 'shipping_notice', reference: notice.asnNumber },
      );
    }
    return settleNoticeReceipt(tx, notice, input.lines, []);
  });
}

/**
 * A blind receipt: goods received against a purchase order with no shipping notice. What arrived adds to
 * the order's received quantities; more than was ordered, or a SKU not on the order, is a
 * RECEIPT_VARIANCE exception (less is simply still open). A cancelled or fully received order still takes
 * the stock, as a variance: the goods are on the shelf.
 */
export async function settlePurchaseOrderReceipt(
  tx: HubTx,
  purchaseOrderId: string,
  arrived: readonly ArrivedLine[],
  causeEventIds: readonly string[],
): Promise<PurchaseOrder> {
  const before = await getPurchaseOrder(tx.trx, purchaseOrderId);
  const after = await addToPurchaseOrder(tx, purchaseOrderId, arrived);
  const excess = arrived
    .filter((line) => line.qty > 0)
    .map((line) => {
      const onOrder = before.lines.find((candidate) => candidate.sku === line.sku);
      const open =
        onOrder === undefined || before.status === 'cancelled' || before.status === 'received'
          ? 0
          : Math.max(0, onOrder.ordered - onOrder.received);
      return { sku: line.sku, expected: open, received: line.qty, difference: line.qty - open };
    })
    .filter((line) => line.difference > 0);
  if (excess.length > 0) {
    tx.raise({
      type: 'RECEIPT_VARIANCE',
      severity: 'warning',
      nodeId: before.nodeId,
      causeEventIds,
      details: {
        purchaseOrderId,
        poNumber: before.poNumber,
        variances: excess,
        message: `Delivery against purchase order ${before.poNumber} (${before.status}) from ${before.supplier} brought more than was still on order: ${excess
          .map((line) => `${line.sku} ${line.received}, ${line.expected} open`)
          .join(', ')}. What arrived is in stock; check the delivery and settle with the supplier.`,
      },
    });
  }
  return after;
}

export const ReceiveAgainstOrderSchema = ReceiveAgainstNoticeSchema.extend({
  lines: ReceiveAgainstNoticeSchema.shape.lines.min(1),
});

/** HQ's blind receipt against a purchase order (no notice): the stock, then the order's side. */
export async function receivePurchaseOrder(
  hub: HubContext,
  purchaseOrderId: string,
  input: z.output<typeof ReceiveAgainstOrderSchema>,
  actor: string,
): Promise<PurchaseOrder> {
  return inHubTransaction(hub, async (tx) => {
    const order = await getPurchaseOrder(tx.trx, purchaseOrderId);
    const received = input.lines.filter((line) => line.qty > 0);
    if (received.length === 0) {
      throw new DomainError(
        'INVALID_INPUT',
        'hub.purchasing.receiptNeedsLeastItem',
        {},
        {
          issues: [{ path: 'body.lines', message: 'nothing arrived' }],
        },
      );
    }
    await recordReceipt(tx, { nodeId: order.nodeId, reference: order.poNumber, lines: received }, actor, {
      type: 'purchase_order',
      reference: order.poNumber,
    });
    return settlePurchaseOrderReceipt(tx, purchaseOrderId, received, []);
  });
}

export const CancelDocumentSchema = z.object({ reason: z.string().trim().min(1).max(200) });

/**
 * HQ or the ERP withdraws a notice that will not arrive. Only an open notice can be cancelled; the tills
 * of its node see it leave their list (a till that receives it anyway books the stock, as a variance).
 */
export async function cancelShippingNotice(
  hub: HubContext,
  asnId: string,
  input: z.output<typeof CancelDocumentSchema>,
  actor: string,
): Promise<ShippingNotice> {
  return inHubTransaction(hub, async (tx) => {
    const { notice, open } = await lockOpenNotice(tx, asnId);
    if (notice === undefined) {
      throw new DomainError('NOT_FOUND', 'hub.purchasing.noShippingNotice', { asnId }, { asnId });
    }
    if (!open) {
      throw new DomainError(
        'NOT_ALLOWED',
        'hub.purchasing.shippingNoticeOnlyOpen',
        { asnNumber: notice.asnNumber, noticeStatus: notice.status },
        { asnId, status: notice.status },
      );
    }
    return cancelNotice(tx, notice, input.reason, actor);
  });
}

async function cancelNotice(
  tx: HubTx,
  notice: ShippingNotice,
  reason: string,
  actor: string,
): Promise<ShippingNotice> {
  await tx.trx
    .updateTable('shipping_notices')
    .set({ status: 'cancelled', updated_at: tx.at })
    .where('asn_id', '=', notice.asnId)
    .execute();
  const cancelled = { ...notice, status: 'cancelled' } satisfies ShippingNotice;
  emitShippingNotice(tx, cancelled, 'shipping_notice.cancelled', { reason, cancelledBy: actor });
  publishShippingNotice(tx, cancelled);
  return cancelled;
}

/**
 * Cancels what is still to come of a purchase order (open or partially received), with its open
 * notices. What was received stays received.
 */
export async function cancelPurchaseOrder(
  hub: HubContext,
  purchaseOrderId: string,
  input: z.output<typeof CancelDocumentSchema>,
  actor: string,
): Promise<PurchaseOrder> {
  return inHubTransaction(hub, async (tx) => {
    const updated = await tx.trx
      .updateTable('purchase_orders')
      .set({ status: 'cancelled', updated_at: tx.at })
      .where('purchase_order_id', '=', purchaseOrderId)
      .where('status', 'in', ['open', 'partially_received'])
      .executeTakeFirst();
    const order = await getPurchaseOrder(tx.trx, purchaseOrderId);
    if (Number(updated.numUpdatedRows) === 0) {
      throw new DomainError(
        'NOT_ALLOWED',
        'hub.purchasing.purchaseOrderOnlyOpen',
        { poNumber: order.poNumber, orderStatus: order.status },
        { purchaseOrderId, status: order.status },
      );
    }
    const notices = await tx.trx
      .selectFrom('shipping_notices')
      .select('asn_id')
      .where('purchase_order_id', '=', purchaseOrderId)
      .where('status', '=', 'open')
      .orderBy('asn_id')
      .execute();
    for (const row of notices) {
      const { notice, open } = await lockOpenNotice(tx, row.asn_id);
      if (notice !== undefined && open) await cancelNotice(tx, notice, input.reason, actor);
    }
    emitPurchaseOrder(tx, order, 'purchase_order.updated', { reason: input.reason, cancelledBy: actor });
    publishPurchaseOrder(tx, order);
    return order;
  });
}

export async function listPurchaseOrders(
  executor: Executor,
  filter: z.output<typeof DocumentFilterSchema>,
): Promise<PurchaseOrder[]> {
  const rows = await executor
    .selectFrom('purchase_orders')
    .select('purchase_order_id')
    .$if(filter.nodeId !== undefined, (query) => query.where('node_id', '=', filter.nodeId!))
    .$if(filter.status !== undefined, (query) =>
      query.where('status', '=', filter.status as PurchaseOrderTable['status']),
    )
    .orderBy('created_at', 'desc')
    .limit(filter.limit)
    .execute();
  return Promise.all(rows.map((row) => getPurchaseOrder(executor, row.purchase_order_id)));
}

export async function listShippingNotices(
  executor: Executor,
  filter: z.output<typeof DocumentFilterSchema>,
): Promise<ShippingNotice[]> {
  const rows = await executor
    .selectFrom('shipping_notices')
    .select('asn_id')
    .$if(filter.nodeId !== undefined, (query) => query.where('node_id', '=', filter.nodeId!))
    .$if(filter.status !== undefined, (query) =>
      query.where('status', '=', filter.status as ShippingNoticeTable['status']),
    )
    .orderBy('created_at', 'desc')
    .limit(filter.limit)
    .execute();
  return Promise.all(rows.map((row) => getShippingNotice(executor, row.asn_id)));
}
