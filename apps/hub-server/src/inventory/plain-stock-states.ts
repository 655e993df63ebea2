import { plainObject, safeWhole, shaped, textWithin } from '../plain-values';

/**
 * Allocation-free checks of the two shapes the hub publishes for every balance a push moves: the feed's
 * `stock_level` (StockLevelSchema in @retail/sync) and the integration log's `availability.changed` data
 * (AvailabilityChangedData). Both are built by the hub from balance rows, and parsing them with zod cost
 * more than building them (about 2.5 % of the ingest's CPU and 6 % of its allocations).
 *
 * A check is true only for a plain data object that the schema's parse returns unchanged: exactly the
 * schema's keys in the schema's order, each value a string or safe integer within the schema's bounds. The
 * caller then keeps the object as the parse's output; for anything else it parses as before, so what is
 * accepted, refused and written is the same (plain-stock-states.test.ts compares both with zod).
 */

const STATE_KEYS = [
  'nodeId',
  'sku',
  'sellable',
  'staged',
  'damaged',
  'qualityControl',
  'incoming',
  'reservedUnstaged',
  'safetyStock',
  'atp',
] as const;
const STOCK_LEVEL_KEYS = [...STATE_KEYS, 'deviceSeqs'] as const;
const AVAILABILITY_COUNTS = STATE_KEYS.slice(2);

/** What StockLevelSchema would return unchanged. */
export function isPlainStockLevel(value: unknown): boolean {
  if (!shaped(value, STOCK_LEVEL_KEYS)) return false;
  if (!textWithin(value.nodeId, 1, Infinity) || !textWithin(value.sku, 1, Infinity)) return false;
  if (!safeWhole(value.sellable) || !safeWhole(value.staged) || !safeWhole(value.damaged)) return false;
  if (!safeWhole(value.qualityControl) || !safeWhole(value.incoming)) return false;
  if (!safeWhole(value.reservedUnstaged, 0) || !safeWhole(value.safetyStock, 0) || !safeWhole(value.atp, 0))
    return false;
  const seqs = value.deviceSeqs;
  if (!plainObject(seqs)) return false;
  for (const deviceId in seqs) {
    // The schema's record output would set a prototype for `__proto__` rather than keep it as a key.
    if (deviceId === '__proto__' || !safeWhole(seqs[deviceId], 0)) return false;
  }
  return true;
}

/** What the integration catalog's AvailabilityChangedData would return unchanged. */
export function isPlainAvailability(value: unknown): boolean {
  if (!shaped(value, STATE_KEYS)) return false;
  if (!textWithin(value.nodeId, 1, 240) || !textWithin(value.sku, 1, 240)) return false;
  for (const key of AVAILABILITY_COUNTS) if (!safeWhole(value[key])) return false;
  return true;
}
