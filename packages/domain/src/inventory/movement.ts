import { invalid } from '../errors';

/**
 * Inventory is an append-only ledger of movements per (node, sku); balances are projections of it.
 * Quantities are integers in the SKU's counting unit: pieces for `each`, grams for `kg`.
 *
 * Physical buckets sum to on-hand. `in_transit` is not physical at any node: it is counted as `incoming`
 * at the destination of a transfer only.
 */
export const PHYSICAL_BUCKETS = ['sellable', 'staged', 'damaged', 'quality_control'] as const;
export type PhysicalBucket = (typeof PHYSICAL_BUCKETS)[number];
export type Bucket = PhysicalBucket | 'in_transit';
export const BUCKETS: readonly Bucket[] = [...PHYSICAL_BUCKETS, 'in_transit'];

export const MOVEMENT_TYPES = [
  'RECEIPT',
  'POS_SALE',
  'POS_VOID',
  'PICK',
  'UNSTAGE',
  'PICKUP_HANDOVER',
  /** Staged units of a ship-to-home order leaving in a parcel with the carrier. */
  'SHIPMENT',
  'RETURN_RESTOCK',
  'RETURN_DAMAGED',
  'RETURN_QC',
  'RETURN_WRITE_OFF',
  'TRANSFER_OUT',
  'TRANSFER_IN',
  'BUCKET_MOVE',
  'ADJUSTMENT',
  'COUNT_ADJUST',
  'WRITE_OFF',
] as const;
export type MovementType = (typeof MOVEMENT_TYPES)[number];

export interface Movement {
  /** Globally unique; applying the same movement id twice is a no-op. */
  readonly movementId: string;
  readonly nodeId: string;
  readonly sku: string;
  readonly type: MovementType;
  readonly bucket: Bucket;
  /** Signed change to `bucket`, in the SKU's counting unit. */
  readonly delta: number;
  readonly reason?: string;
  /** The document that caused it: sale, return, transfer, count or order id. */
  readonly sourceDoc?: string;
}

export type BucketBalances = Record<Bucket, number>;

export function emptyBalances(): BucketBalances {
  return { sellable: 0, staged: 0, damaged: 0, quality_control: 0, in_transit: 0 };
}

export function onHand(balances: BucketBalances): number {
  return PHYSICAL_BUCKETS.reduce((total, bucket) => total + balances[bucket], 0);
}

/** Folds movements into balances, ignoring repeated movement ids (idempotent replay). */
export function projectBalances(
  movements: Iterable<Movement>,
  start: BucketBalances = emptyBalances(),
): BucketBalances {
  const balances = { ...start };
  const seen = new Set<string>();
  for (const movement of movements) {
    if (seen.has(movement.movementId)) continue;
    seen.add(movement.movementId);
    if (!Number.isSafeInteger(movement.delta)) {
      throw invalid(
        'inventory.movementQuantityMustWhole',
        {},
        {
          movementId: movement.movementId,
        },
      );
    }
    balances[movement.bucket] += movement.delta;
  }
  return balances;
}
