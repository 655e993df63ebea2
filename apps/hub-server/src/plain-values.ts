/**
 * The primitives of the hub's hand checks of plain values (plain-stock-states.ts, plain-sale-data.ts):
 * each hand check answers true only for a value its zod schema would return unchanged, and these are the
 * parts every such check shares. None allocates. The checks built on them are compared with their
 * schemas by fast-check in their own tests.
 */

export type Fields = Record<string, unknown>;

/** An object literal's kind: Object's prototype (a parse's output has it too), no symbol keys. */
export function plainObject(value: unknown): value is Fields {
  if (typeof value !== 'object' || value === null) return false;
  return (
    Object.getPrototypeOf(value) === Object.prototype && Object.getOwnPropertySymbols(value).length === 0
  );
}

/** Exactly `keys`, in their order (a parse's output has the schema's keys in the schema's order). */
export function keysInOrder(value: Fields, keys: readonly string[]): boolean {
  let index = 0;
  for (const key in value) {
    if (key !== keys[index]) return false;
    index += 1;
  }
  return index === keys.length;
}

/** A plain object with exactly `keys`, in their order. */
export function shaped(value: unknown, keys: readonly string[]): value is Fields {
  return plainObject(value) && keysInOrder(value, keys);
}

/** A plain array of its items alone: no hole, no other key (the parse's output has neither). */
export function plainList(value: unknown): value is unknown[] {
  return (
    Array.isArray(value) &&
    Object.getPrototypeOf(value) === Array.prototype &&
    Object.keys(value).length === value.length &&
    Object.getOwnPropertySymbols(value).length === 0
  );
}

/** A string of `min` to `max` characters (UTF-16 code units, as zod counts them). */
export function textWithin(value: unknown, min: number, max: number): value is string {
  return typeof value === 'string' && value.length >= min && value.length <= max;
}

/** A safe integer, at least `min`. */
export function safeWhole(value: unknown, min = Number.MIN_SAFE_INTEGER): value is number {
  return Number.isSafeInteger(value) && (value as number) >= min;
}
