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

/** An object literal's kind: Object's prototype (a parse's output has it too), no symbol keys. */
export function plainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null) return false;
  return (
    Object.getPrototypeOf(value) === Object.prototype && Object.getOwnPropertySymbols(value).length === 0
  );
}

/** Exactly `keys`, in their order (a parse's output has the schema's keys in the schema's order). */
export function keysInOrder(value: Record<string, unknown>, keys: readonly string[]): boolean {
  let index = 0;
  for (const key in value) {
    if (key !== keys[index]) return false;
    index += 1;
  }
  return index === keys.length;
}

function text(value: unknown, max: number): boolean {
  return typeof value === 'string' && value.length >= 1 && value.length <= max;
}

function count(value: unknown, min = Number.MIN_SAFE_INTEGER): boolean {
  return Number.isSafeInteger(value) && (value as number) >= min;
}

/** What StockLevelSchema would return unchanged. */
export function isPlainStockLevel(value: unknown): boolean {
  if (!plainObject(value) || !keysInOrder(value, STOCK_LEVEL_KEYS)) return false;
  if (!text(value.nodeId, Infinity) || !text(value.sku, Infinity)) return false;
  if (!count(value.sellable) || !count(value.staged) || !count(value.damaged)) return false;
  if (!count(value.qualityControl) || !count(value.incoming)) return false;
  if (!count(value.reservedUnstaged, 0) || !count(value.safetyStock, 0) || !count(value.atp, 0)) return false;
  const seqs = value.deviceSeqs;
  if (!plainObject(seqs)) return false;
  for (const deviceId in seqs) {
    // The schema's record output would set a prototype for `__proto__` rather than keep it as a key.
    if (deviceId === '__proto__' || !count(seqs[deviceId], 0)) return false;
  }
  return true;
}

/** What the integration catalog's AvailabilityChangedData would return unchanged. */
export function isPlainAvailability(value: unknown): boolean {
  if (!plainObject(value) || !keysInOrder(value, STATE_KEYS)) return false;
  if (!text(value.nodeId, 240) || !text(value.sku, 240)) return false;
  for (const key of AVAILABILITY_COUNTS) if (!count(value[key])) return false;
  return true;
}
