import { z } from 'zod';
import {
  DomainError,
  ParcelSchema,
  applyBopisTransition,
  orderHead,
  type BopisTransitionInput,
} from '@retail/domain';
import { inHubTransaction } from '../hub-tx';
import type { HubContext } from '../hub-context';
import { OrderChange } from './order-change';
import { lockOrder } from './order-lifecycle';
import { readOrderView, type OrderView } from './order-records';

/**
 * Fulfilment steps of a node without a till — a warehouse whose WMS (or staff on the HQ screen) reports
 * accept, pick scans, short lines, packing and shipment through the API. Stores record these steps at
 * their till and sync them as events; a warehouse's steps arrive here, online, so the hub itself writes
 * the ledger movements the domain decides (PICK on pack, SHIPMENT on ship), in the same transaction.
 */

const entityId = z.string().min(1).max(100);

export const NodeStepSchema = z.discriminatedUnion('action', [
  z.object({ action: z.literal('accept') }),
  z.object({ action: z.literal('start_picking') }),
  z.object({
    action: z.literal('pick'),
    lineId: entityId,
    /** The SKU the scanned barcode resolved to in the WMS; checked against the line. */
    scannedSku: entityId,
    qty: z.number().int().min(1).max(1_000_000).default(1),
  }),
  z.object({ action: z.literal('short_line'), lineId: entityId, foundQty: z.number().int().min(0) }),
  z.object({
    action: z.literal('report_short'),
    found: z.array(z.object({ lineId: entityId, foundQty: z.number().int().min(0) })).max(200),
  }),
  z.object({ action: z.literal('pack'), parcels: z.array(ParcelSchema).min(1).max(50) }),
  z.object({
    action: z.literal('ship'),
    carrier: z.string().min(1).max(40),
    trackingNumber: z.string().min(1).max(60),
  }),
]);

export const NodeStepRequestSchema = z.object({
  nodeId: entityId,
  /** The order version the caller saw; a stale one is a 409 so two pickers never step on each other. */
  expectedVersion: z.number().int().min(1).optional(),
  step: NodeStepSchema,
});
export type NodeStepRequest = z.infer<typeof NodeStepRequestSchema>;

export async function recordNodeStep(
  hub: HubContext,
  orderId: string,
  request: NodeStepRequest,
  actor: string,
): Promise<OrderView> {
  await inHubTransaction(hub, async (tx) => {
    const node = await tx.trx
      .selectFrom('nodes')
      .select(['node_id', 'kind', 'code'])
      .where('node_id', '=', request.nodeId)
      .executeTakeFirst();
    if (node === undefined) {
      throw new DomainError(
        'NOT_FOUND',
        'hub.auth.noNode',
        { nodeId: request.nodeId },
        { nodeId: request.nodeId },
      );
    }
    if (node.kind !== 'warehouse') {
      throw new DomainError(
        'FORBIDDEN',
        'hub.orders.storeShipsAtTill',
        { nodeCode: node.code },
        { nodeId: node.node_id },
      );
    }
    const stored = await lockOrder(tx, orderId);
    await tx.ledger.lockBalances(
      stored.state.order.lines.map((line) => ({ nodeId: node.node_id, sku: line.sku })),
    );
    const state = stored.state;
    if (request.expectedVersion !== undefined && request.expectedVersion !== state.version) {
      throw new DomainError(
        'CONFLICT',
        'hub.orders.orderChangedReloadRetry',
        { orderNumber: state.order.orderNumber, version: state.version },
        { orderId, version: state.version },
      );
    }
    const step = request.step;
    const input = {
      ...(step.action === 'ship' ? { ...step, lines: state.shipment?.lines ?? [] } : step),
      transitionId: hub.newId(),
      basedOn: orderHead(state),
      at: tx.at,
      actor: { kind: 'store', nodeId: node.node_id },
    } as BopisTransitionInput;
    // Decided first (refusals write nothing), then applied with the movements the domain implies.
    const outcome = applyBopisTransition(state, input);
    if (outcome.kind !== 'applied') {
      throw new DomainError('INTERNAL', 'hub.orders.orderOnlineStepNot', {
        orderNumber: state.order.orderNumber,
      });
    }
    const stepId = input.transitionId;
    tx.ledger.addMovements(
      outcome.effects.storeMovements.map((movement, index) => ({
        movementId: `${stepId}:${index}`,
        nodeId: movement.nodeId,
        sku: movement.sku,
        type: movement.type,
        bucket: movement.bucket,
        delta: movement.delta,
        reason: `order ${state.order.orderNumber}: ${step.action.replaceAll('_', ' ')}`,
        sourceDoc: `bopis:${orderId}`,
        actor,
      })),
    );
    const change = OrderChange.forStored(tx, stored);
    await change.apply(input, actor);
    await change.save();
  });
  return readOrderView(hub.storage.db, orderId);
}
