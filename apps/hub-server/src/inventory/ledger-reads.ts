/**
 * The stock ledger's reads: movements already recorded (a replay is recognised before anything is
 * written), a SKU's history, and the re-fold of the whole ledger against its projections. Its writes live
 * in ledger.ts.
 */
import { BUCKETS } from '@retail/domain';
import { chunks } from '../storage/chunks';
import { compiledQuery } from '../storage/compiled-query';
import type { Executor } from '../storage/storage';
import type { LedgerMovement } from './ledger';

export interface StoredMovement {
  readonly nodeId: string;
  readonly sku: string;
  readonly bucket: string;
  readonly delta: number;
}

const movementReads = compiledQuery<{
  movement_id: string;
  node_id: string;
  sku: string;
  bucket: string;
  delta: number | string;
}>();

/** Movements already in the ledger, by id: a replay is recognised before anything is written. */
export async function findMovements(
  executor: Executor,
  movementIds: Iterable<string>,
): Promise<Map<string, StoredMovement>> {
  const found = new Map<string, StoredMovement>();
  for (const chunk of chunks([...new Set(movementIds)], 500)) {
    // Every push asks: built by Kysely once per list length (storage/compiled-query.ts).
    const rows = await movementReads(executor, `movements:${chunk.length}`, chunk, () =>
      executor
        .selectFrom('inventory_movements')
        .select(['movement_id', 'node_id', 'sku', 'bucket', 'delta'])
        .where('movement_id', 'in', chunk),
    );
    for (const row of rows) {
      found.set(row.movement_id, {
        nodeId: row.node_id,
        sku: row.sku,
        bucket: row.bucket,
        delta: Number(row.delta),
      });
    }
  }
  return found;
}

/** Whether a stored movement is the same stock change as `movement` (a harmless replay). */
export function sameMovement(
  stored: StoredMovement,
  movement: Pick<LedgerMovement, 'nodeId' | 'sku' | 'bucket' | 'delta'>,
): boolean {
  return (
    stored.nodeId === movement.nodeId &&
    stored.sku === movement.sku &&
    stored.bucket === movement.bucket &&
    stored.delta === movement.delta
  );
}

export interface LedgerEntry {
  readonly movementId: string;
  readonly nodeId: string;
  readonly sku: string;
  readonly type: string;
  readonly bucket: string;
  readonly delta: number;
  readonly reason: string | null;
  readonly sourceDoc: string | null;
  readonly eventId: string | null;
  readonly actor: string;
  readonly recordedAt: number;
}

/**
 * Ledger history of one SKU (optionally at one node), newest first. Pages are keyset pages on
 * (recordedAt, movementId): every movement of one push shares its millisecond, so a page boundary by
 * time alone would skip the rest of a large push. The next page starts after the last row's
 * `before` = recordedAt and `beforeMovementId` = movementId.
 */
export async function readLedger(
  executor: Executor,
  filter: {
    sku: string;
    nodeId?: string | undefined;
    before?: number | undefined;
    beforeMovementId?: string | undefined;
    limit: number;
  },
): Promise<LedgerEntry[]> {
  let query = executor.selectFrom('inventory_movements').selectAll().where('sku', '=', filter.sku);
  if (filter.nodeId !== undefined) query = query.where('node_id', '=', filter.nodeId);
  const { before, beforeMovementId } = filter;
  if (before !== undefined && beforeMovementId !== undefined) {
    query = query.where((eb) =>
      eb.or([
        eb('recorded_at', '<', before),
        eb.and([eb('recorded_at', '=', before), eb('movement_id', '<', beforeMovementId)]),
      ]),
    );
  } else if (before !== undefined) {
    query = query.where('recorded_at', '<', before);
  }
  const rows = await query
    .orderBy('recorded_at', 'desc')
    .orderBy('movement_id', 'desc')
    .limit(filter.limit)
    .execute();
  return rows.map((row) => ({
    movementId: row.movement_id,
    nodeId: row.node_id,
    sku: row.sku,
    type: row.type,
    bucket: row.bucket,
    delta: Number(row.delta),
    reason: row.reason,
    sourceDoc: row.source_doc,
    eventId: row.event_id,
    actor: row.actor,
    recordedAt: Number(row.recorded_at),
  }));
}

export interface ProjectionMismatch {
  readonly nodeId: string;
  readonly sku: string;
  readonly field: string;
  readonly projected: number;
  readonly refolded: number;
}

/**
 * Re-folds the whole ledger and the open reservations and compares them with the stored projections
 * (invariants 1 and 4). An empty answer means every balance equals the sum of its movements.
 */
export async function verifyProjections(executor: Executor): Promise<ProjectionMismatch[]> {
  const sums = await executor
    .selectFrom('inventory_movements')
    .select(['node_id', 'sku', 'bucket', (eb) => eb.fn.sum<number>('delta').as('total')])
    .groupBy(['node_id', 'sku', 'bucket'])
    .execute();
  const committed = await executor
    .selectFrom('reservations')
    .select(['node_id', 'sku', (eb) => eb.fn.sum<number>('qty').as('total')])
    .where('status', 'in', ['HELD', 'ACTIVE'])
    .groupBy(['node_id', 'sku'])
    .execute();
  const refolded = new Map<string, Record<string, number>>();
  const entry = (nodeId: string, sku: string) => {
    const key = `${nodeId}\u0000${sku}`;
    const value = refolded.get(key) ?? { committed: 0, ...Object.fromEntries(BUCKETS.map((b) => [b, 0])) };
    refolded.set(key, value);
    return value;
  };
  for (const row of sums) entry(row.node_id, row.sku)[row.bucket] = Number(row.total);
  for (const row of committed) entry(row.node_id, row.sku).committed = Number(row.total);

  const mismatches: ProjectionMismatch[] = [];
  const balances = await executor.selectFrom('stock_balances').selectAll().execute();
  const seen = new Set<string>();
  for (const balance of balances) {
    const key = `${balance.node_id}\u0000${balance.sku}`;
    seen.add(key);
    const expected = refolded.get(key) ?? entry(balance.node_id, balance.sku);
    for (const field of [...BUCKETS, 'committed'] as const) {
      const projected = Number(balance[field]);
      if (projected !== expected[field]) {
        mismatches.push({
          nodeId: balance.node_id,
          sku: balance.sku,
          field,
          projected,
          refolded: expected[field]!,
        });
      }
    }
  }
  for (const [key, expected] of refolded) {
    if (seen.has(key)) continue;
    const [nodeId, sku] = key.split('\u0000') as [string, string];
    for (const [field, value] of Object.entries(expected)) {
      if (value !== 0) mismatches.push({ nodeId, sku, field, projected: 0, refolded: value });
    }
  }
  return mismatches;
}
