import { normaliseOrderNumber, type BopisOrderState } from '@retail/domain';
import { sql } from '../context';
import type { Db } from '../database';

/**
 * The hub's copy of the BOPIS orders this store has to know about (`bopis_order` feed rows scoped to
 * it): orders routed here, and orders that left it, so a cancel or a move reaches the till. Written only
 * by feed apply; the store's own steps live in `bopis_steps` and are replayed on top (bopis-view.ts).
 */
export function upsertBopisOrder(db: Db, state: BopisOrderState, json: string): void {
  sql(
    db,
    `INSERT INTO bopis_orders (order_id, order_number_key, pickup_code, hub_version, hub_status, hub_node_id, state)
     VALUES (@orderId, @numberKey, @pickupCode, @version, @status, @nodeId, @state)
     ON CONFLICT (order_id) DO UPDATE SET order_number_key = excluded.order_number_key,
       pickup_code = excluded.pickup_code, hub_version = excluded.hub_version, hub_status = excluded.hub_status,
       hub_node_id = excluded.hub_node_id, state = excluded.state`,
  ).run({
    orderId: state.order.orderId,
    numberKey: normaliseOrderNumber(state.order.orderNumber),
    pickupCode: state.pickupCode,
    version: state.version,
    status: state.status,
    nodeId: state.nodeId ?? null,
    state: json,
  });
}

export function removeBopisOrder(db: Db, orderId: string): void {
  sql(db, 'DELETE FROM bopis_orders WHERE order_id = ?').run(orderId);
}
