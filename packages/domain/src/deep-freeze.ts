/**
 * Freezes `value` and everything reachable from it, and answers it. A value shared between callers (a
 * parsed catalog SKU the hub's audit reuses, a checked promotion, a priced cart the store engine keeps) is
 * frozen so that code changing it fails loudly instead of changing what others see. An object already
 * frozen is taken as frozen all the way down (this function froze it, or it holds nothing mutable), which
 * also ends the walk on cycles.
 */
export function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const child of Object.values(value)) deepFreeze(child);
  }
  return value;
}
