import { z } from 'zod';
import { networkAtp, nodeAtp } from '@retail/domain';
import type { StockLevel } from '@retail/sync';
import type { Executor } from '../storage/storage';
import type { BalanceState } from './ledger';

export const InventoryLevelSchema = z.object({
  nodeId: z.string(),
  sku: z.string(),
  sellable: z.number().int(),
  staged: z.number().int(),
  damaged: z.number().int(),
  qualityControl: z.number().int(),
  onHand: z.number().int(),
  incoming: z.number().int(),
  committed: z.number().int(),
  safetyStock: z.number().int(),
  atp: z.number().int(),
});
export type InventoryLevel = z.infer<typeof InventoryLevelSchema>;

export async function readInventoryLevels(
  executor: Executor,
  filter: {
    sku?: string | undefined;
    nodeId?: string | undefined;
    limit?: number;
    afterSku?: string | undefined;
  },
): Promise<InventoryLevel[]> {
  let query = executor.selectFrom('stock_balances').selectAll();
  if (filter.sku !== undefined) query = query.where('sku', '=', filter.sku);
  if (filter.nodeId !== undefined) query = query.where('node_id', '=', filter.nodeId);
  if (filter.afterSku !== undefined) query = query.where('sku', '>', filter.afterSku);
  const rows = await query
    .orderBy('sku')
    .orderBy('node_id')
    .limit(filter.limit ?? 1000)
    .execute();
  return rows.map((row) => {
    const sellable = Number(row.sellable);
    const staged = Number(row.staged);
    const damaged = Number(row.damaged);
    const qualityControl = Number(row.quality_control);
    const committed = Number(row.committed);
    const safetyStock = Number(row.safety_stock);
    return {
      nodeId: row.node_id,
      sku: row.sku,
      sellable,
      staged,
      damaged,
      qualityControl,
      onHand: sellable + staged + damaged + qualityControl,
      incoming: Number(row.in_transit),
      committed,
      safetyStock,
      atp: nodeAtp({ sellable, committed, safetyStock }),
    };
  });
}

export async function readInventoryLevel(
  executor: Executor,
  nodeId: string,
  sku: string,
): Promise<InventoryLevel> {
  const [level] = await readInventoryLevels(executor, { nodeId, sku });
  return (
    level ?? {
      nodeId,
      sku,
      sellable: 0,
      staged: 0,
      damaged: 0,
      qualityControl: 0,
      onHand: 0,
      incoming: 0,
      committed: 0,
      safetyStock: 0,
      atp: 0,
    }
  );
}

export const NetworkAtpSchema = z.object({
  sku: z.string(),
  channel: z.enum(['pickup', 'any']),
  total: z.number().int(),
  byNode: z.array(z.object({ nodeId: z.string(), atp: z.number().int() })),
});
export type NetworkAtpView = z.infer<typeof NetworkAtpSchema>;

/** Network ATP over active nodes; for `pickup`, only nodes with pickup enabled. Incoming is excluded. */
export async function readNetworkAtp(
  executor: Executor,
  sku: string,
  channel: 'pickup' | 'any',
): Promise<NetworkAtpView> {
  const rows = await executor
    .selectFrom('stock_balances')
    .innerJoin('nodes', 'nodes.node_id', 'stock_balances.node_id')
    .select([
      'stock_balances.node_id',
      'stock_balances.sellable',
      'stock_balances.committed',
      'stock_balances.safety_stock',
      'nodes.active',
      'nodes.pickup_enabled',
    ])
    .where('stock_balances.sku', '=', sku)
    .orderBy('stock_balances.node_id')
    .execute();
  const result = networkAtp(
    rows.map((row) => ({
      nodeId: row.node_id,
      eligible: row.active === 1 && (channel === 'any' || row.pickup_enabled === 1),
      sellable: Number(row.sellable),
      committed: Number(row.committed),
      safetyStock: Number(row.safety_stock),
    })),
  );
  return { sku, channel, total: result.total, byNode: [...result.byNode] };
}

/**
 * A balance's figures as the hub publishes them: the integration log's `availability.changed` data, and
 * the feed's stock level before its device positions. In the schemas' key order (their parse returns it
 * unchanged, so the plain checks of plain-stock-states.ts pass it).
 */
export function balanceFigures(state: Omit<BalanceState, never>) {
  return {
    nodeId: state.nodeId,
    sku: state.sku,
    sellable: state.sellable,
    staged: state.staged,
    damaged: state.damaged,
    qualityControl: state.quality_control,
    incoming: state.in_transit,
    reservedUnstaged: state.committed,
    safetyStock: state.safety_stock,
    atp: nodeAtp({ sellable: state.sellable, committed: state.committed, safetyStock: state.safety_stock }),
  };
}

/** A balance as the change feed publishes it to the tills, with the device positions it reflects. */
export function stockLevelOf(
  state: Omit<BalanceState, never>,
  deviceSeqs: Record<string, number>,
): StockLevel {
  return { ...balanceFigures(state), deviceSeqs };
}
