import type { FulfilmentType, RoutingCandidateInput } from '@retail/domain';
import type { HubTx } from '../hub-tx';
import { chunks } from '../storage/chunks';
import { deliveryTermsFor } from './delivery-config';

/** Statuses in which an order is an open pick task at its node (what pick capacity limits). */
export const OPEN_PICK_STATUSES = ['ROUTED', 'ACCEPTED', 'PICKING'] as const;

export interface CandidateOptions {
  /**
   * A node whose tills have all been silent this long is offline for routing: its stock may have been
   * sold offline, and it would not see the order until it reconnects. Store agents pull at least once a
   * minute while connected, so a few minutes of silence means the store is really out of touch.
   */
  readonly offlineAfterMs: number;
  /**
   * Nodes listed even without stock of these SKUs: the customer's chosen store (routing explains it, and
   * measures distance from it).
   */
  readonly alsoNodeIds?: readonly string[];
  /** The order's destination shipping zone: candidates get the lane's cost and transit days toward it. */
  readonly destinationZone?: string;
  /**
   * Ship orders go to nodes with ship-from-store on, within their ship pick capacity; pickup orders to
   * pickup-enabled ones within their pickup capacity. The two capacities are counted apart.
   */
  readonly fulfilment?: FulfilmentType;
}

/**
 * The network as routing sees it for these SKUs, read inside the transaction. Balances this transaction
 * has locked are taken from the transaction (they may hold changes not written yet, e.g. a reservation
 * just marked short); the rest are read as committed. Only nodes that hold a balance row for one of the
 * SKUs are listed (plus the chosen store): the others stock none of it and would only say so.
 *
 * Hub pick capacity 0 means "no limit" (the CLI's default), unlike the domain's 0 = takes none.
 */
export async function loadCandidates(
  tx: HubTx,
  skus: readonly string[],
  options: CandidateOptions,
): Promise<RoutingCandidateInput[]> {
  const wanted = [...new Set(skus)];
  const stockByNode = new Map<
    string,
    Map<string, { sku: string; sellable: number; committed: number; safetyStock: number }>
  >();
  for (const chunk of chunks(wanted, 500)) {
    const rows = await tx.trx
      .selectFrom('stock_balances')
      .select(['node_id', 'sku', 'sellable', 'committed', 'safety_stock'])
      .where('sku', 'in', chunk)
      .execute();
    for (const row of rows) {
      const locked = tx.lockedBalance(row.node_id, row.sku);
      const figures = locked ?? {
        sellable: Number(row.sellable),
        committed: Number(row.committed),
        safety_stock: Number(row.safety_stock),
      };
      const byNode = stockByNode.get(row.node_id) ?? new Map();
      byNode.set(row.sku, {
        sku: row.sku,
        sellable: figures.sellable,
        // A reservation can never make committed negative; clamp defensively so routing never throws.
        committed: Math.max(0, figures.committed),
        safetyStock: Math.max(0, figures.safety_stock),
      });
      stockByNode.set(row.node_id, byNode);
    }
  }
  const nodeIds = new Set(stockByNode.keys());
  for (const nodeId of options.alsoNodeIds ?? []) nodeIds.add(nodeId);
  if (nodeIds.size === 0) return [];

  const fulfilment = options.fulfilment ?? 'pickup';
  const candidates: RoutingCandidateInput[] = [];
  for (const chunk of chunks([...nodeIds].sort(), 500)) {
    const nodes = await tx.trx.selectFrom('nodes').selectAll().where('node_id', 'in', chunk).execute();
    const picks = await tx.trx
      .selectFrom('bopis_orders')
      .select(['node_id', (eb) => eb.fn.countAll<number>().as('open')])
      .where('node_id', 'in', chunk)
      .where('status', 'in', [...OPEN_PICK_STATUSES])
      .where('fulfilment', '=', fulfilment)
      .groupBy('node_id')
      .execute();
    const devices = await tx.trx
      .selectFrom('devices')
      .select(['node_id', (eb) => eb.fn.max(eb.fn.coalesce('last_seen_at', 'enrolled_at')).as('lastHeard')])
      .where('node_id', 'in', chunk)
      .where('revoked_at', 'is', null)
      .groupBy('node_id')
      .execute();
    const delivery = await deliveryTermsFor(
      tx.trx,
      nodes.map((node) => ({ nodeId: node.node_id, timezone: node.timezone })),
      options.destinationZone,
    );
    const openPicks = new Map(picks.map((row) => [row.node_id, Number(row.open)]));
    const lastHeard = new Map(devices.map((row) => [row.node_id, Number(row.lastHeard)]));
    for (const node of nodes) {
      const heard = lastHeard.get(node.node_id);
      const offline = heard !== undefined && tx.at - heard >= options.offlineAfterMs;
      const capacity = fulfilment === 'ship' ? (node.ship_pick_capacity ?? 0) : node.pick_capacity;
      candidates.push({
        nodeId: node.node_id,
        active: node.active === 1,
        // The domain's "pickup enabled" is "takes orders of this fulfilment type" here.
        pickupEnabled: fulfilment === 'ship' ? node.ship_enabled === 1 : node.pickup_enabled === 1,
        ...(offline ? { offlineSince: heard } : {}),
        ...(node.latitude !== null && node.longitude !== null
          ? { location: { lat: Number(node.latitude), lon: Number(node.longitude) } }
          : {}),
        ...(delivery.has(node.node_id) ? { delivery: delivery.get(node.node_id) } : {}),
        ...(capacity > 0 ? { pickCapacity: capacity } : {}),
        openPicks: openPicks.get(node.node_id) ?? 0,
        stock: [...(stockByNode.get(node.node_id)?.values() ?? [])],
      });
    }
  }
  return candidates;
}
