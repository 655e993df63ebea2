import { assertNever } from '@retail/domain';
import type { LocalStock } from '../shared/commands';
import { sql } from './context';
import type { Db } from './database';
import type { NodeIdentity } from './identity';

interface SnapshotRow {
  sellable: number;
  staged: number;
  damaged: number;
  qualityControl: number;
  incoming: number;
  reservedUnstaged: number;
  safetyStock: number;
  reflectedOwnSeq: number;
}

interface PendingRow {
  bucket: string;
  delta: number;
  movements: number;
}

/**
 * Local stock = the hub's snapshot for this node + this node's own movements the snapshot does not
 * reflect yet (device_seq > deviceSeqs[this device]): PowerSync's write checkpoint. Every command and
 * notification reads stock through this one function, so the till, the stock screens and the checks in
 * stock commands can never disagree.
 */
export function localStock(db: Db, identity: NodeIdentity, skus: readonly string[]): LocalStock[] {
  const snapshotQuery = sql(
    db,
    `SELECT sellable, staged, damaged, quality_control AS qualityControl, incoming,
       reserved_unstaged AS reservedUnstaged, safety_stock AS safetyStock, reflected_own_seq AS reflectedOwnSeq
     FROM stock_levels WHERE node_id = ? AND sku = ?`,
  );
  const pendingQuery = sql(
    db,
    `SELECT bucket, SUM(delta) AS delta, COUNT(*) AS movements
     FROM stock_movements WHERE sku = ? AND device_seq > ? GROUP BY bucket`,
  );
  return skus.map((sku) => {
    const snapshot = snapshotQuery.get(identity.storeId, sku) as SnapshotRow | undefined;
    const pending = pendingQuery.all(sku, snapshot?.reflectedOwnSeq ?? 0) as PendingRow[];
    const delta = (bucket: string) => pending.find((row) => row.bucket === bucket)?.delta ?? 0;
    const sellable = (snapshot?.sellable ?? 0) + delta('sellable');
    const staged = (snapshot?.staged ?? 0) + delta('staged');
    const damaged = (snapshot?.damaged ?? 0) + delta('damaged');
    const qualityControl = (snapshot?.qualityControl ?? 0) + delta('quality_control');
    const reservedUnstaged = snapshot?.reservedUnstaged ?? 0;
    const safetyStock = snapshot?.safetyStock ?? 0;
    return {
      sku,
      sellable,
      staged,
      damaged,
      qualityControl,
      onHand: sellable + staged + damaged + qualityControl,
      // In-transit units count at the destination only, and only the hub knows what is on its way.
      incoming: (snapshot?.incoming ?? 0) + delta('in_transit'),
      reservedUnstaged,
      safetyStock,
      atp: Math.max(0, sellable - reservedUnstaged - safetyStock),
      pendingMovements: pending.reduce((total, row) => total + row.movements, 0),
      hasSnapshot: snapshot !== undefined,
    };
  });
}

/** One bucket of local stock, as the stock commands check it. */
export function localBucket(
  level: LocalStock,
  bucket: 'sellable' | 'staged' | 'damaged' | 'quality_control',
): number {
  switch (bucket) {
    case 'sellable':
      return level.sellable;
    case 'staged':
      return level.staged;
    case 'damaged':
      return level.damaged;
    case 'quality_control':
      return level.qualityControl;
    default:
      return assertNever(bucket, 'stock bucket');
  }
}
