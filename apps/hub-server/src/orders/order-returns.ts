import { z } from 'zod';
import { DomainError, type BopisOrderState } from '@retail/domain';
import { OrderReturnableSchema, StoreOrderReturnRequestSchema } from '@retail/sync';
import { inHubTransaction, type HubTx } from '../hub-tx';
import type { HubContext } from '../hub-context';
import type { Executor } from '../storage/storage';
import type { OrderReturnTable } from '../storage/schema';
import { paymentOrderOf, refundOrderPayment, type RefundDecision } from '../payments/order-payments';
import { OrderChange } from './order-change';
import { lockOrder } from './order-lifecycle';
import { requireOrder } from './order-records';

/**
 * Returns of online orders (pickup or shipped): at any store's till, or by mail against an RMA created
 * through the API and received at a warehouse. The hub is the one place that knows every return of an
 * order, so it enforces the returnable quantity chain-wide (under the order's lock), puts the units
 * back in the receiving node's sellable or damaged bucket, and refunds the original payment through the
 * order's payment record. A split order is returned by its customer order number: the units are taken
 * from the parts that delivered them.
 */

/** More parts than a split order ever has (the router splits over the fewest nodes). */
const MAX_PARTS = 50;

const entityId = z.string().trim().min(1).max(100);
const qty = z.number().int().min(1).max(1_000_000);

export const RETURN_DISPOSITIONS = ['sellable', 'damaged'] as const;
export type ReturnDisposition = (typeof RETURN_DISPOSITIONS)[number];

export const RmaRequestSchema = z.object({
  lines: z
    .array(z.object({ lineId: entityId, qty }))
    .min(1)
    .max(200),
  reason: z.string().trim().max(200).optional(),
});

const ReceivedLineSchema = z.object({
  lineId: entityId,
  qty,
  /** Where the units go: back on sale, or the damaged bucket (not sellable). */
  disposition: z.enum(RETURN_DISPOSITIONS).default('sellable'),
});

export const ReceiveReturnSchema = z.object({
  /** The warehouse that received the parcel. */
  nodeId: entityId,
  lines: z.array(ReceivedLineSchema).min(1).max(200),
});

/** The till's request and the hub's answers are the sync protocol's (packages/sync order-return-protocol). */
export const StoreReturnSchema = StoreOrderReturnRequestSchema;

const ReturnLineViewSchema = z.object({
  lineId: z.string(),
  sku: z.string(),
  qty: z.number().int(),
  disposition: z.enum(RETURN_DISPOSITIONS).optional(),
  refund: z.number().int(),
});

export const OrderReturnViewSchema = z.object({
  returnId: z.string(),
  orderId: z.string(),
  channel: z.enum(['store', 'mail']),
  status: z.enum(['authorised', 'received']),
  nodeId: z.string().nullable(),
  lines: z.array(ReturnLineViewSchema),
  refundAmount: z.number().int(),
  /** `refund`: sent to the original payment; `capture_reduced`: charged less; `manual`: refund by hand. */
  refund: z.enum(['refund', 'capture_reduced', 'manual']).nullable(),
  refundOperationId: z.string().nullable(),
  createdBy: z.string(),
  createdAt: z.number(),
  receivedAt: z.number().nullable(),
});
export type OrderReturnView = z.infer<typeof OrderReturnViewSchema>;

export const ReturnableViewSchema = OrderReturnableSchema;

type StoredLine = z.infer<typeof ReturnLineViewSchema>;

function toView(row: OrderReturnTable): OrderReturnView {
  const stored = JSON.parse(row.lines) as { lines: StoredLine[]; refund: RefundDecision['kind'] | null };
  return {
    returnId: row.return_id,
    orderId: row.order_id,
    channel: row.channel,
    status: row.status,
    nodeId: row.node_id,
    lines: stored.lines,
    refundAmount: Number(row.refund_amount),
    refund: stored.refund,
    refundOperationId: row.refund_operation_id,
    createdBy: row.created_by,
    createdAt: Number(row.created_at),
    receivedAt: row.received_at === null ? null : Number(row.received_at),
  };
}

/** Units that left with the customer, per line: all of a collected order, what was in a shipment's parcels. */
function deliveredUnits(state: BopisOrderState): Map<string, number> {
  if (state.status === 'PICKED_UP') return new Map(state.order.lines.map((line) => [line.lineId, line.qty]));
  if (state.status === 'SHIPPED' && state.shipment !== undefined) {
    return new Map(state.shipment.lines.map((line) => [line.lineId, line.qty]));
  }
  return new Map();
}

/** Units of each line already returned or expected back on an open RMA (one RMA may be left out). */
async function returnedUnits(
  executor: Executor,
  orderId: string,
  except?: string,
): Promise<Map<string, number>> {
  const rows = await executor
    .selectFrom('order_returns')
    .select(['return_id', 'lines'])
    .where('order_id', '=', orderId)
    .execute();
  const returned = new Map<string, number>();
  for (const row of rows) {
    if (row.return_id === except) continue;
    for (const line of (JSON.parse(row.lines) as { lines: StoredLine[] }).lines) {
      returned.set(line.lineId, (returned.get(line.lineId) ?? 0) + line.qty);
    }
  }
  return returned;
}

/**
 * What a number of returned units of a line is worth: its paid amount (or its share of the payment by
 * units when the shop sent no line amounts), with the rounding carried so the units of a line add up to
 * exactly what was paid for it, whatever the returns it is split into.
 */
function lineRefund(
  state: BopisOrderState,
  lineId: string,
  before: number,
  units: number,
  splitPart: boolean,
): number {
  const line = state.order.lines.find((entry) => entry.lineId === lineId);
  if (line === undefined) return 0;
  const totalUnits = state.order.lines.reduce((sum, entry) => sum + entry.qty, 0);
  // A split part was charged its share of the authorisation by units, so it refunds by that share.
  const paid =
    line.amount !== undefined && !splitPart
      ? line.amount
      : Math.floor((state.order.payment.amount * line.qty) / Math.max(1, totalUnits));
  const worth = (n: number) => Math.floor((paid * n) / line.qty);
  return worth(before + units) - worth(before);
}

/** The orders a return of `orderIdOrNumber` may take units from: the order, or every part of a split. */
async function returnableOrders(
  tx: HubTx,
  key: { orderId: string } | { orderNumber: string },
): Promise<string[]> {
  if ('orderId' in key) {
    const parts = await tx.trx
      .selectFrom('customer_order_parts')
      .select('part_order_id')
      .where('order_id', '=', key.orderId)
      .orderBy('part_no')
      .execute();
    if (parts.length > 0) return parts.map((part) => part.part_order_id);
    return [key.orderId];
  }
  const rows = await tx.trx
    .selectFrom('bopis_orders')
    .leftJoin('customer_order_parts', 'customer_order_parts.part_order_id', 'bopis_orders.order_id')
    .select(['bopis_orders.order_id', 'customer_order_parts.order_id as customer_order_id'])
    .where('bopis_orders.order_number', '=', key.orderNumber)
    .orderBy('bopis_orders.order_id')
    .execute();
  if (rows.length === 0) {
    throw new DomainError(
      'NOT_FOUND',
      'hub.orders.noOnlineOrderCheck',
      { orderNumber: key.orderNumber },
      {
        orderNumber: key.orderNumber,
      },
    );
  }
  const customers = new Set(rows.map((row) => row.customer_order_id ?? row.order_id));
  if (customers.size > 1) {
    throw new DomainError(
      'CONFLICT',
      'hub.orders.severalOnlineOrdersCarry',
      { orderNumber: key.orderNumber },
      { orderNumber: key.orderNumber },
    );
  }
  return rows.map((row) => row.order_id);
}

interface Allocation {
  readonly stored: Awaited<ReturnType<typeof lockOrder>>;
  readonly lines: StoredLine[];
}

/**
 * Spreads the asked units over the orders that delivered them (a split line may have left from two
 * nodes), never more than each delivered less what came back before: the chain-wide returnable rule.
 */
async function allocate(
  tx: HubTx,
  orderIds: readonly string[],
  asked: readonly { lineId: string; qty: number; disposition?: ReturnDisposition }[],
  except?: string,
): Promise<Allocation[]> {
  const orders = [];
  for (const orderId of [...orderIds].sort()) {
    const stored = await lockOrder(tx, orderId);
    orders.push({
      stored,
      delivered: deliveredUnits(stored.state),
      returned: await returnedUnits(tx.trx, orderId, except),
      splitPart: (await paymentOrderOf(tx.trx, orderId)) !== orderId,
      lines: [] as StoredLine[],
    });
  }
  const problems: string[] = [];
  for (const request of asked) {
    let left = request.qty;
    let available = 0;
    let sku: string | undefined;
    for (const order of orders) {
      const line = order.stored.state.order.lines.find((entry) => entry.lineId === request.lineId);
      if (line === undefined) continue;
      sku = line.sku;
      const before = order.returned.get(request.lineId) ?? 0;
      const free = Math.max(0, (order.delivered.get(request.lineId) ?? 0) - before);
      available += free;
      const take = Math.min(free, left);
      if (take === 0) continue;
      left -= take;
      order.returned.set(request.lineId, before + take);
      order.lines.push({
        lineId: request.lineId,
        sku: line.sku,
        qty: take,
        ...(request.disposition === undefined ? {} : { disposition: request.disposition }),
        refund: lineRefund(order.stored.state, request.lineId, before, take, order.splitPart),
      });
    }
    if (sku === undefined) problems.push(`line ${request.lineId} is not on the order`);
    else if (left > 0)
      problems.push(`line ${request.lineId} (SKU ${sku}): ${request.qty} asked, ${available} returnable`);
  }
  if (problems.length > 0) {
    throw new DomainError(
      'RETURN_EXCEEDS_SOLD',
      'hub.orders.returnTakesBackMore',
      { problems: problems.join('; ') },
      { problems },
    );
  }
  return orders.filter((order) => order.lines.length > 0).map(({ stored, lines }) => ({ stored, lines }));
}

async function assertReceivingNode(tx: HubTx, nodeId: string, kind: 'store' | 'warehouse'): Promise<void> {
  const node = await tx.trx
    .selectFrom('nodes')
    .select(['kind', 'active'])
    .where('node_id', '=', nodeId)
    .executeTakeFirst();
  if (node === undefined) throw new DomainError('NOT_FOUND', 'hub.auth.noNode', { nodeId }, { nodeId });
  if (node.kind !== kind) {
    throw new DomainError(
      'FORBIDDEN',
      kind === 'warehouse' ? 'hub.orders.storeTakesReturnsAtTill' : 'hub.orders.nodeNotStore',
      kind === 'warehouse' ? { nodeId } : { nodeId },
      { nodeId },
    );
  }
}

/** Puts the units back at the receiving node and refunds the original payment; notes both on the order. */
async function receive(
  tx: HubTx,
  allocation: Allocation,
  returnId: string,
  nodeId: string,
  actor: string,
): Promise<{ refund: RefundDecision; amount: number }> {
  const orderId = allocation.stored.state.order.orderId;
  await tx.ledger.lockBalances(allocation.lines.map((line) => ({ nodeId, sku: line.sku })));
  tx.ledger.addMovements(
    allocation.lines.map((line, index) => ({
      movementId: `return:${returnId}:${index}`,
      nodeId,
      sku: line.sku,
      type: line.disposition === 'damaged' ? ('RETURN_DAMAGED' as const) : ('RETURN_RESTOCK' as const),
      bucket: line.disposition === 'damaged' ? ('damaged' as const) : ('sellable' as const),
      delta: line.qty,
      reason: `online order ${allocation.stored.state.order.orderNumber} returned`,
      sourceDoc: `order-return:${returnId}`,
      actor,
    })),
  );
  const amount = allocation.lines.reduce((sum, line) => sum + line.refund, 0);
  const refund = await refundOrderPayment(tx, orderId, amount, `return ${returnId}`);
  const change = OrderChange.forStored(tx, allocation.stored);
  const payment = allocation.stored.state.order.payment;
  const units = allocation.lines.map(
    (line) => `${line.qty} × SKU ${line.sku} (${line.disposition ?? 'sellable'})`,
  );
  change.note(
    'refund',
    actor,
    `Return ${returnId} received at ${nodeId}: ${units.join(', ')}. ${
      refund.kind === 'refund'
        ? `Refund of ${amount} ${payment.currency} (minor units) sent to the original payment.`
        : refund.kind === 'capture_reduced'
          ? `The payment will be captured ${amount} ${payment.currency} (minor units) less.`
          : `Refund ${amount} ${payment.currency} (minor units) to authorisation ${payment.authorisationRef} by hand: the hub does not hold this payment.`
    }`,
    { returnId, nodeId, lines: allocation.lines, refund: refund.kind, amount },
  );
  await change.save();
  return { refund, amount };
}

async function readReturns(executor: Executor, returnIds: readonly string[]): Promise<OrderReturnView[]> {
  if (returnIds.length === 0) return [];
  const rows = await executor
    .selectFrom('order_returns')
    .selectAll()
    .where('return_id', 'in', [...returnIds])
    .orderBy('return_id')
    .execute();
  return rows.map(toView);
}

/** The returns one request made (one per order part it touched), by its idempotency key. */
async function returnsByKey(executor: Executor, key: string): Promise<{ return_id: string }[]> {
  return executor
    .selectFrom('order_returns')
    .select('return_id')
    .where(
      'idempotency_key',
      'in',
      Array.from({ length: MAX_PARTS }, (_, index) => `${key}#${index}`),
    )
    .execute();
}

export async function listOrderReturns(executor: Executor, orderId: string): Promise<OrderReturnView[]> {
  const parts = await executor
    .selectFrom('customer_order_parts')
    .select('part_order_id')
    .where('order_id', '=', orderId)
    .execute();
  const orderIds = parts.length > 0 ? parts.map((part) => part.part_order_id) : [orderId];
  const rows = await executor
    .selectFrom('order_returns')
    .selectAll()
    .where('order_id', 'in', orderIds)
    .orderBy('created_at')
    .orderBy('return_id')
    .execute();
  return rows.map(toView);
}

/** `POST /api/orders/:orderId/returns`: an RMA for a parcel the customer sends back. */
export async function createRma(
  hub: HubContext,
  orderId: string,
  request: z.infer<typeof RmaRequestSchema>,
  idempotencyKey: string,
  actor: string,
): Promise<OrderReturnView[]> {
  const key = `${actor}:${idempotencyKey}`;
  return inHubTransaction(hub, async (tx) => {
    const earlier = await returnsByKey(tx.trx, key);
    if (earlier.length > 0)
      return readReturns(
        tx.trx,
        earlier.map((row) => row.return_id),
      );
    const allocations = await allocate(tx, await returnableOrders(tx, { orderId }), request.lines);
    const ids: string[] = [];
    for (const [index, allocation] of allocations.entries()) {
      const returnId = `rma-${hub.newId()}`;
      ids.push(returnId);
      await tx.trx
        .insertInto('order_returns')
        .values({
          return_id: returnId,
          order_id: allocation.stored.state.order.orderId,
          channel: 'mail',
          status: 'authorised',
          node_id: null,
          lines: JSON.stringify({ lines: allocation.lines, refund: null, reason: request.reason ?? null }),
          refund_amount: allocation.lines.reduce((sum, line) => sum + line.refund, 0),
          refund_operation_id: null,
          idempotency_key: `${key}#${index}`,
          created_by: actor,
          created_at: tx.at,
          received_at: null,
        })
        .execute();
    }
    return readReturns(tx.trx, ids);
  });
}

/** `POST /api/orders/:orderId/returns/:returnId/receive`: the parcel arrived at a warehouse. */
export async function receiveRma(
  hub: HubContext,
  orderId: string,
  returnId: string,
  request: z.input<typeof ReceiveReturnSchema>,
  actor: string,
): Promise<OrderReturnView> {
  return inHubTransaction(hub, async (tx) => {
    const rma = await tx.trx
      .selectFrom('order_returns')
      .selectAll()
      .where('return_id', '=', returnId)
      .executeTakeFirst();
    const belongs =
      rma !== undefined &&
      (rma.order_id === orderId || (await paymentOrderOf(tx.trx, rma.order_id)) === orderId);
    if (rma === undefined || !belongs) {
      throw new DomainError(
        'NOT_FOUND',
        'hub.orders.orderNoReturn',
        { orderId, returnId },
        {
          orderId,
          returnId,
        },
      );
    }
    if (rma.status === 'received') return toView(rma);
    await assertReceivingNode(tx, request.nodeId, 'warehouse');
    const authorised = new Map(
      (JSON.parse(rma.lines) as { lines: StoredLine[] }).lines.map((line) => [line.lineId, line.qty]),
    );
    const beyond = request.lines.filter((line) => line.qty > (authorised.get(line.lineId) ?? 0));
    if (beyond.length > 0) {
      throw new DomainError(
        'RETURN_EXCEEDS_SOLD',
        'hub.orders.returnAuthorisedFewerUnits',
        { returnId, lines: beyond.map((line) => `line ${line.lineId}`).join(', ') },
        { returnId, lines: beyond.map((line) => line.lineId) },
      );
    }
    // Counted again under the lock: only what this RMA takes back, what arrived.
    const [allocation] = await allocate(tx, [rma.order_id], request.lines, returnId);
    if (allocation === undefined) throw new DomainError('INVALID_INPUT', 'hub.orders.returnReceivedNoUnits');
    const { refund, amount } = await receive(tx, allocation, returnId, request.nodeId, actor);
    await tx.trx
      .updateTable('order_returns')
      .set({
        status: 'received',
        node_id: request.nodeId,
        lines: JSON.stringify({ lines: allocation.lines, refund: refund.kind }),
        refund_amount: amount,
        refund_operation_id: refund.kind === 'refund' ? refund.operationId : null,
        received_at: tx.at,
      })
      .where('return_id', '=', returnId)
      .execute();
    const [view] = await readReturns(tx.trx, [returnId]);
    return view!;
  });
}

/** What a till may take back for an online order, looked up by its number (returns anywhere). */
export async function returnableByNumber(hub: HubContext, orderNumber: string) {
  return inHubTransaction(hub, async (tx) => {
    const orderIds = await returnableOrders(tx, { orderNumber });
    const lines = new Map<string, { lineId: string; sku: string; delivered: number; returned: number }>();
    let customerName = '';
    for (const orderId of orderIds) {
      const stored = await requireOrder(tx.trx, orderId, { lock: false, postgres: false });
      customerName = stored.state.order.customer.name;
      const delivered = deliveredUnits(stored.state);
      const returned = await returnedUnits(tx.trx, orderId);
      for (const line of stored.state.order.lines) {
        const entry = lines.get(line.lineId) ?? {
          lineId: line.lineId,
          sku: line.sku,
          delivered: 0,
          returned: 0,
        };
        entry.delivered += delivered.get(line.lineId) ?? 0;
        entry.returned += returned.get(line.lineId) ?? 0;
        lines.set(line.lineId, entry);
      }
    }
    return {
      orderNumber,
      customerName,
      lines: [...lines.values()].map((line) => ({
        ...line,
        returnable: Math.max(0, line.delivered - line.returned),
      })),
    };
  });
}

/** `POST /sync/order-returns`: a till takes an online order back; refunded to the original payment. */
export async function recordStoreReturn(
  hub: HubContext,
  nodeId: string,
  request: z.input<typeof StoreReturnSchema>,
  actor: string,
): Promise<OrderReturnView[]> {
  return inHubTransaction(hub, async (tx) => {
    const earlier = await returnsByKey(tx.trx, `store:${request.returnId}`);
    if (earlier.length > 0)
      return readReturns(
        tx.trx,
        earlier.map((row) => row.return_id),
      );
    await assertReceivingNode(tx, nodeId, 'store');
    const allocations = await allocate(
      tx,
      await returnableOrders(tx, { orderNumber: request.orderNumber }),
      request.lines,
    );
    const ids: string[] = [];
    for (const [index, allocation] of allocations.entries()) {
      const returnId = `${request.returnId}#${index}`;
      ids.push(returnId);
      const { refund, amount } = await receive(tx, allocation, returnId, nodeId, actor);
      await tx.trx
        .insertInto('order_returns')
        .values({
          return_id: returnId,
          order_id: allocation.stored.state.order.orderId,
          channel: 'store',
          status: 'received',
          node_id: nodeId,
          lines: JSON.stringify({ lines: allocation.lines, refund: refund.kind }),
          refund_amount: amount,
          refund_operation_id: refund.kind === 'refund' ? refund.operationId : null,
          idempotency_key: `store:${request.returnId}#${index}`,
          created_by: actor,
          created_at: tx.at,
          received_at: tx.at,
        })
        .execute();
    }
    return readReturns(tx.trx, ids);
  });
}
