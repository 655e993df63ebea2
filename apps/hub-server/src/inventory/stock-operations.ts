import { z } from 'zod';
import { DomainError, MAX_STOCK_QTY } from '@retail/domain';
import { recordAudit } from '../audit/hq-audit';
import { inHubTransaction, type HubTx } from '../hub-tx';
import type { HubContext } from '../hub-context';
import type { EventData } from '../integration/event-catalog';
import type { EventDraft } from '../integration/outbound-log';
import { transferDrafts } from '../integration/store-event-drafts';
import type { LedgerMovement } from './ledger';
import type { Executor } from '../storage/storage';
import type { TransferTable } from '../storage/schema';

/**
 * Stock changes HQ records itself: warehouse receipts, transfers between nodes and adjustments at nodes
 * without a till (warehouses). Stores record theirs as events; both end in the same ledger.
 */
const skuId = z.string().min(1).max(100);
const positive = z.number().int().min(1).max(MAX_STOCK_QTY);

export const ReceiptInputSchema = z.object({
  nodeId: z.string().min(1).max(100),
  /** Supplier delivery note or purchase order. */
  reference: z.string().trim().min(1).max(100),
  lines: z
    .array(
      z.object({
        sku: skuId,
        qty: positive,
        bucket: z.enum(['sellable', 'quality_control']).default('sellable'),
      }),
    )
    .min(1)
    .max(5000),
});

export const AdjustmentInputSchema = z.object({
  nodeId: z.string().min(1).max(100),
  reason: z.string().trim().min(1).max(200),
  lines: z
    .array(
      z.object({
        sku: skuId,
        bucket: z.enum(['sellable', 'damaged', 'quality_control']),
        delta: z
          .number()
          .int()
          .min(-MAX_STOCK_QTY)
          .max(MAX_STOCK_QTY)
          .refine((d) => d !== 0, 'A change of 0 does nothing.'),
        /**
         * The bucket's figure the operator saw when deciding the change: when given and the hub's figure
         * differs (a sale or another adjustment since), nothing is written and the answer is CONFLICT.
         */
        expectedQty: z.number().int().min(-MAX_STOCK_QTY).max(MAX_STOCK_QTY).optional(),
      }),
    )
    .min(1)
    .max(5000),
});

export const TransferInputSchema = z
  .object({
    fromNodeId: z.string().min(1).max(100),
    // JSON Schema cannot compare two fields: the rule is stated for the published API.
    toNodeId: z
      .string()
      .min(1)
      .max(100)
      .meta({ description: 'Another node than fromNodeId.', 'x-differs-from': 'fromNodeId' }),
    lines: z
      .array(
        z.object({
          sku: skuId,
          qty: positive,
          /** The sellable figure at the source the operator saw; a different one at the hub is a CONFLICT. */
          expectedSellable: z.number().int().min(-MAX_STOCK_QTY).max(MAX_STOCK_QTY).optional(),
        }),
      )
      .min(1)
      .max(5000),
  })
  .refine((transfer) => transfer.fromNodeId !== transfer.toNodeId, {
    message: 'A transfer must go to a different node.',
    path: ['toNodeId'],
  });

export const TransferReceiptSchema = z.object({
  lines: z.array(z.object({ sku: skuId, qty: z.number().int().min(0).max(MAX_STOCK_QTY) })).max(5000),
});

export const TransferSchema = z.object({
  transferId: z.string(),
  fromNodeId: z.string(),
  toNodeId: z.string(),
  status: z.enum(['in_transit', 'received', 'received_with_variance', 'received_first']),
  lines: z.array(z.object({ sku: z.string(), shipped: z.number().int(), received: z.number().int() })),
  createdBy: z.string(),
  createdAt: z.number().int(),
  receivedAt: z.number().int().nullable(),
});
export type Transfer = z.infer<typeof TransferSchema>;

function toTransfer(row: TransferTable): Transfer {
  return {
    transferId: row.transfer_id,
    fromNodeId: row.from_node_id,
    toNodeId: row.to_node_id,
    status: row.status,
    lines: JSON.parse(row.lines) as Transfer['lines'],
    createdBy: row.created_by,
    createdAt: Number(row.created_at),
    receivedAt: row.received_at === null ? null : Number(row.received_at),
  };
}

export async function assertNodes(tx: HubTx, nodeIds: string[]): Promise<void> {
  const rows = await tx.trx.selectFrom('nodes').select('node_id').where('node_id', 'in', nodeIds).execute();
  const missing = nodeIds.filter((id) => !rows.some((row) => row.node_id === id));
  if (missing.length > 0)
    throw new DomainError(
      'NOT_FOUND',
      'hub.inventory.noNode',
      { missing: missing.join(', ') },
      { nodeIds: missing },
    );
}

export async function assertSkus(tx: HubTx, skus: string[]): Promise<void> {
  const unique = [...new Set(skus)];
  const rows = await tx.trx.selectFrom('skus').select('sku').where('sku', 'in', unique).execute();
  const known = new Set(rows.map((row) => row.sku));
  const index = skus.findIndex((sku) => !known.has(sku));
  if (index >= 0) {
    throw new DomainError(
      'INVALID_INPUT',
      'hub.pricing.skuNotCatalog',
      { skus: String(skus[index]) },
      {
        path: `lines.${index}.sku`,
      },
    );
  }
}

export async function receiveStock(
  hub: HubContext,
  input: z.infer<typeof ReceiptInputSchema>,
  actor: string,
): Promise<{ receiptId: string }> {
  return inHubTransaction(hub, (tx) =>
    recordReceipt(tx, input, actor, { type: 'supplier', reference: input.reference }),
  );
}

/** A receipt inside a hub transaction: the ledger movements and the stock.received event. */
export async function recordReceipt(
  tx: HubTx,
  input: z.infer<typeof ReceiptInputSchema>,
  actor: string,
  source: { type: 'supplier' | 'purchase_order' | 'shipping_notice'; reference: string },
): Promise<{ receiptId: string }> {
  await assertNodes(tx, [input.nodeId]);
  await assertSkus(
    tx,
    input.lines.map((line) => line.sku),
  );
  await tx.ledger.lockBalances(input.lines.map((line) => ({ nodeId: input.nodeId, sku: line.sku })));
  const receiptId = tx.hub.newId();
  tx.ledger.addMovements(
    input.lines.map((line, index) => ({
      movementId: `${receiptId}:${index}`,
      nodeId: input.nodeId,
      sku: line.sku,
      type: 'RECEIPT' as const,
      bucket: line.bucket,
      delta: line.qty,
      reason: `${source.type.replace('_', ' ')} ${source.reference}`,
      sourceDoc: `receipt:${receiptId}`,
      actor,
    })),
  );
  publishStockDocument(tx, 'stock.received', receiptId, input.nodeId, actor, (common) => ({
    ...common,
    receiptId,
    receivedAt: new Date(tx.at).toISOString(),
    source,
    lines: input.lines,
  }));
  return { receiptId };
}

export async function adjustStock(
  hub: HubContext,
  input: z.infer<typeof AdjustmentInputSchema>,
  actor: string,
): Promise<{ adjustmentId: string }> {
  return inHubTransaction(hub, async (tx) => {
    await assertNodes(tx, [input.nodeId]);
    await assertSkus(
      tx,
      input.lines.map((line) => line.sku),
    );
    await tx.ledger.lockBalances(input.lines.map((line) => ({ nodeId: input.nodeId, sku: line.sku })));
    assertFiguresSeen(
      tx,
      input.nodeId,
      input.lines.map((line) => ({ sku: line.sku, bucket: line.bucket, expected: line.expectedQty })),
    );
    const before = input.lines.map((line) => ({
      sku: line.sku,
      bucket: line.bucket,
      qty: tx.ledger.balance(input.nodeId, line.sku)[line.bucket],
    }));
    const adjustmentId = hub.newId();
    tx.ledger.addMovements(
      input.lines.map((line, index) => ({
        movementId: `${adjustmentId}:${index}`,
        nodeId: input.nodeId,
        sku: line.sku,
        type: 'ADJUSTMENT' as const,
        bucket: line.bucket,
        delta: line.delta,
        reason: input.reason,
        sourceDoc: `adjustment:${adjustmentId}`,
        actor,
      })),
    );
    publishStockDocument(tx, 'stock.adjusted', adjustmentId, input.nodeId, actor, (common) => ({
      ...common,
      adjustmentId,
      adjustedAt: new Date(tx.at).toISOString(),
      reason: input.reason,
    }));
    await recordAudit(
      tx.trx,
      {
        actor,
        action: 'adjustments.create',
        subject: `adjustments:${adjustmentId}`,
        before: { nodeId: input.nodeId, lines: before },
        after: {
          nodeId: input.nodeId,
          reason: input.reason,
          lines: input.lines.map((line) => ({
            sku: line.sku,
            bucket: line.bucket,
            delta: line.delta,
            qty: tx.ledger.balance(input.nodeId, line.sku)[line.bucket],
          })),
        },
      },
      tx.at,
      hub.newId,
    );
    return { adjustmentId };
  });
}

/**
 * Optimistic concurrency on stock: a figure the operator saw that is no longer the hub's means the change
 * was decided on stale information. Refused whole, naming every line that moved, so the screen can reload.
 */
function assertFiguresSeen(
  tx: HubTx,
  nodeId: string,
  lines: readonly {
    sku: string;
    bucket: 'sellable' | 'damaged' | 'quality_control';
    expected?: number | undefined;
  }[],
): void {
  const stale = lines.flatMap((line) => {
    if (line.expected === undefined) return [];
    const actual = tx.ledger.balance(nodeId, line.sku)[line.bucket];
    return actual === line.expected
      ? []
      : [{ sku: line.sku, bucket: line.bucket, expected: line.expected, actual }];
  });
  if (stale.length === 0) return;
  const first = stale[0]!;
  throw new DomainError(
    'CONFLICT',
    'hub.inventory.stockChangedSinceLooked',
    { sku: first.sku, bucket: first.bucket, actual: first.actual, expected: first.expected },
    { reason: 'STALE_STOCK', nodeId, lines: stale },
  );
}

/**
 * The next HQ transfer number for a shipping node, in the shipping transaction: `T-{code}-0-{seq}`, the
 * tills' format with device number 0 (enrollment gives tills 1 and up), so a receiving store types an HQ
 * transfer's number exactly as it types a store's.
 */
async function allocateHqTransferNumber(tx: HubTx, nodeId: string): Promise<string> {
  const node = await tx.trx
    .selectFrom('nodes')
    .select('code')
    .where('node_id', '=', nodeId)
    .executeTakeFirstOrThrow();
  const row = await tx.trx
    .insertInto('hq_transfer_numbers')
    .values({ node_id: nodeId, last_seq: 1 })
    .onConflict((conflict) =>
      conflict
        .column('node_id')
        .doUpdateSet((eb) => ({ last_seq: eb('hq_transfer_numbers.last_seq', '+', 1) })),
    )
    .returning('last_seq')
    .executeTakeFirstOrThrow();
  return `T-${node.code}-0-${String(Number(row.last_seq)).padStart(6, '0')}`;
}

/** Ships from one node: sellable leaves the source now and shows as incoming at the destination only. */
export async function createTransfer(
  hub: HubContext,
  input: z.infer<typeof TransferInputSchema>,
  actor: string,
): Promise<Transfer> {
  return inHubTransaction(hub, async (tx) => {
    await assertNodes(tx, [input.fromNodeId, input.toNodeId]);
    await assertSkus(
      tx,
      input.lines.map((line) => line.sku),
    );
    const shipped = new Map<string, number>();
    for (const line of input.lines) shipped.set(line.sku, (shipped.get(line.sku) ?? 0) + line.qty);
    await tx.ledger.lockBalances(
      [...shipped.keys()].flatMap((sku) => [
        { nodeId: input.fromNodeId, sku },
        { nodeId: input.toNodeId, sku },
      ]),
    );
    assertFiguresSeen(
      tx,
      input.fromNodeId,
      input.lines.map((line) => ({
        sku: line.sku,
        bucket: 'sellable' as const,
        expected: line.expectedSellable,
      })),
    );
    const transferId = await allocateHqTransferNumber(tx, input.fromNodeId);
    tx.ledger.addMovements(
      [...shipped].flatMap(([sku, qty]) => [
        {
          movementId: `${transferId}:out:${sku}`,
          nodeId: input.fromNodeId,
          sku,
          type: 'TRANSFER_OUT' as const,
          bucket: 'sellable' as const,
          delta: -qty,
          reason: `transfer to ${input.toNodeId}`,
          sourceDoc: `transfer:${transferId}`,
          actor,
        },
        {
          movementId: `${transferId}:shipped:${sku}`,
          nodeId: input.toNodeId,
          sku,
          type: 'TRANSFER_OUT' as const,
          bucket: 'in_transit' as const,
          delta: qty,
          reason: `transfer from ${input.fromNodeId}`,
          sourceDoc: `transfer:${transferId}`,
          actor,
        },
      ]),
    );
    const row: TransferTable = {
      transfer_id: transferId,
      from_node_id: input.fromNodeId,
      to_node_id: input.toNodeId,
      status: 'in_transit',
      lines: JSON.stringify([...shipped].map(([sku, qty]) => ({ sku, shipped: qty, received: 0 }))),
      created_by: actor,
      created_at: tx.at,
      received_at: null,
    };
    await tx.trx.insertInto('transfers').values(row).execute();
    for (const draft of transferDrafts(row, 'shipped', transferId, tx.at, null)) tx.events.emit(draft);
    await recordAudit(
      tx.trx,
      {
        actor,
        action: 'transfers.create',
        subject: `transfers:${transferId}`,
        before: null,
        after: {
          fromNodeId: input.fromNodeId,
          toNodeId: input.toNodeId,
          lines: JSON.parse(row.lines) as unknown,
        },
      },
      tx.at,
      hub.newId,
    );
    return toTransfer(row);
  });
}

/**
 * Books the arrival of a transfer at a node without a till (a warehouse). Stores book theirs with a
 * `stock.received` event naming the transfer; both settle the same way: in-transit clears in full, what
 * arrived becomes sellable, and any difference is raised as a variance.
 */
export async function receiveTransfer(
  hub: HubContext,
  transferId: string,
  input: z.infer<typeof TransferReceiptSchema>,
  actor: string,
): Promise<Transfer> {
  return inHubTransaction(hub, async (tx) => {
    const row = await tx.trx
      .selectFrom('transfers')
      .selectAll()
      .where('transfer_id', '=', transferId)
      .$if(hub.storage.kind === 'postgres', (query) => query.forUpdate())
      .executeTakeFirst();
    if (row === undefined)
      throw new DomainError('NOT_FOUND', 'hub.inventory.noTransfer', { transferId }, { transferId });
    if (row.status !== 'in_transit') {
      throw new DomainError(
        'CONFLICT',
        'hub.inventory.transferAlreadyReceived',
        { transferId },
        {
          transferId,
          status: row.status,
        },
      );
    }
    const shipped = JSON.parse(row.lines) as Transfer['lines'];
    const received = new Map<string, number>();
    for (const line of input.lines) received.set(line.sku, (received.get(line.sku) ?? 0) + line.qty);
    const unknown = [...received.keys()].find((sku) => !shipped.some((line) => line.sku === sku));
    if (unknown !== undefined) {
      throw new DomainError(
        'INVALID_INPUT',
        'hub.inventory.skuNotPartTransfer',
        { unknown, transferId },
        {
          sku: unknown,
        },
      );
    }
    await tx.ledger.lockBalances(shipped.map((line) => ({ nodeId: row.to_node_id, sku: line.sku })));
    const lines = shipped.map((line) => ({ ...line, received: received.get(line.sku) ?? 0 }));
    tx.ledger.addMovements(
      lines.flatMap((line) => [
        {
          movementId: `${transferId}:arrived:${line.sku}`,
          nodeId: row.to_node_id,
          sku: line.sku,
          type: 'TRANSFER_IN' as const,
          bucket: 'in_transit' as const,
          delta: -line.shipped,
          sourceDoc: `transfer:${transferId}`,
          actor,
        },
        ...(line.received === 0
          ? []
          : [
              {
                movementId: `${transferId}:in:${line.sku}`,
                nodeId: row.to_node_id,
                sku: line.sku,
                type: 'TRANSFER_IN' as const,
                bucket: 'sellable' as const,
                delta: line.received,
                sourceDoc: `transfer:${transferId}`,
                actor,
              },
            ]),
      ]),
    );
    const variance = lines.some((line) => line.received !== line.shipped);
    const updated: TransferTable = {
      ...row,
      status: variance ? 'received_with_variance' : 'received',
      lines: JSON.stringify(lines),
      received_at: tx.at,
    };
    await tx.trx
      .updateTable('transfers')
      .set({ status: updated.status, lines: updated.lines, received_at: tx.at })
      .where('transfer_id', '=', transferId)
      .execute();
    if (variance) {
      tx.raise({
        type: 'TRANSFER_VARIANCE',
        severity: 'warning',
        nodeId: row.to_node_id,
        causeEventIds: [],
        details: {
          transferId,
          fromNodeId: row.from_node_id,
          lines: lines.filter((line) => line.shipped !== line.received),
          message: `Transfer ${transferId} arrived with different quantities than were shipped.`,
        },
      });
    }
    for (const draft of transferDrafts(updated, 'received', `${transferId}:hq`, tx.at, null))
      tx.events.emit(draft);
    return toTransfer(updated);
  });
}

/** A receipt or adjustment HQ recorded, for the outbound log, with the movements it made. */
function publishStockDocument<T extends 'stock.received' | 'stock.adjusted'>(
  tx: HubTx,
  type: T,
  documentId: string,
  nodeId: string,
  actor: string,
  data: (common: StockDocumentCommon) => EventData<T>,
): void {
  const sourceDoc = `${type === 'stock.received' ? 'receipt' : 'adjustment'}:${documentId}`;
  const movements = [...tx.ledger.pendingMovements()]
    .filter((movement) => movement.sourceDoc === sourceDoc)
    .map(movementData);
  tx.events.produce(async (context) => {
    const businessDate = (await context.businessDate(nodeId, tx.at)) ?? '';
    const draft: EventDraft<T> = {
      type,
      key: documentId,
      aggregateId: documentId,
      nodeId,
      businessDate,
      occurredAt: tx.at,
      data: data({ nodeId, businessDate, recordedBy: actor, movements }),
    };
    return [draft];
  });
}

interface StockDocumentCommon {
  readonly nodeId: string;
  readonly businessDate: string;
  readonly recordedBy: string;
  readonly movements: ReturnType<typeof movementData>[];
}

function movementData(movement: LedgerMovement) {
  return {
    movementId: movement.movementId,
    sku: movement.sku,
    type: movement.type,
    bucket: movement.bucket,
    delta: movement.delta,
  };
}

export async function listTransfers(
  executor: Executor,
  filter: { status?: Transfer['status'] | undefined; nodeId?: string | undefined; limit: number },
): Promise<Transfer[]> {
  let query = executor.selectFrom('transfers').selectAll();
  if (filter.status !== undefined) query = query.where('status', '=', filter.status);
  if (filter.nodeId !== undefined) {
    const nodeId = filter.nodeId;
    query = query.where((eb) => eb.or([eb('from_node_id', '=', nodeId), eb('to_node_id', '=', nodeId)]));
  }
  const rows = await query.orderBy('created_at', 'desc').limit(filter.limit).execute();
  return rows.map(toTransfer);
}
