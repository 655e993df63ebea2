import { DomainError } from '@retail/domain';
import type { MovementPayload } from '@retail/sync';
import { sql, type TxContext } from '../context';
import { insertRows, UpsertTable } from '../feed/row-writer';

export interface SkuRow {
  sku: string;
  name: string;
  unit: 'each' | 'kg';
  active: number;
}

/** The catalog rows of `skus`; NOT_FOUND names every SKU this store does not know. */
export function requireSkus(ctx: TxContext, skus: Iterable<string>): Map<string, SkuRow> {
  const query = sql(ctx.db, 'SELECT sku, name, unit, active FROM skus WHERE sku = ?');
  const found = new Map<string, SkuRow>();
  const missing: string[] = [];
  for (const sku of new Set(skus)) {
    const row = query.get(sku) as SkuRow | undefined;
    if (row) found.set(sku, row);
    else missing.push(sku);
  }
  if (missing.length > 0) {
    const shown = missing.slice(0, 5).join(', ');
    throw new DomainError(
      'NOT_FOUND',
      'services.notStoreCatalogCheck',
      { count: missing.length, shown, more: missing.length > 5 ? 'yes' : 'no' },
      { skus: missing },
    );
  }
  return found;
}

const STOCK_MOVEMENTS = new UpsertTable(
  'INSERT INTO stock_movements (movement_id, sku, type, bucket, delta, reason, source_doc, device_seq, created_at_ms)',
  9,
);

/** Writes the movements one event carries; `device_seq` ties them to it for local stock. */
export function recordMovements(
  ctx: TxContext,
  movements: readonly MovementPayload[],
  deviceSeq: number,
  sourceDoc: string,
): void {
  insertRows(
    ctx.db,
    STOCK_MOVEMENTS,
    movements.map((movement) => [
      movement.movementId,
      movement.sku,
      movement.type,
      movement.bucket,
      movement.delta,
      movement.reason ?? null,
      sourceDoc,
      deviceSeq,
      ctx.nowMs,
    ]),
  );
  ctx.touchStock(movements.map((movement) => movement.sku));
}
