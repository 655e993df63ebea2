import { deepFreeze } from '@retail/domain';

/**
 * Values the engine keeps between commands and hands to more than one (a priced cart, a resolved line, a
 * sale's draft): under test they are frozen, so code that changed one another command reuses fails loudly.
 * Freezing every object costs more than the reuse saves, so the node itself relies on the readonly types
 * and on its tests.
 */
const FREEZE_SHARED = process.env.VITEST !== undefined;

export function shared<T>(value: T): T {
  return FREEZE_SHARED ? deepFreeze(value) : value;
}

/** Whether shared values are checked (under test): the engine then also proves what it reuses. */
export const CHECK_SHARED = FREEZE_SHARED;
