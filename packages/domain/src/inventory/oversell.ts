/**
 * Oversell and count-discrepancy detection after a sync batch (reference/domain.md §1 "Offline sale
 * reconciliation"). Offline sales are facts and are always applied; afterwards the hub looks at each
 * touched (node, sku):
 * - `sellable < committed` is an OVERSELL: a sale consumed units promised to a reservation that is not
 *   staged yet. It is short by at most the committed quantity. Safety stock is deliberately left out: dipping into it is a low-stock warning only.
 * - `sellable < 0` is a NEGATIVE_SELLABLE count discrepancy: more was sold than the ledger held.
 * Both can hold at once; each is its own exception.
 */
export const STOCK_CONDITION_TYPES = ['OVERSELL', 'NEGATIVE_SELLABLE'] as const;
export type StockConditionType = (typeof STOCK_CONDITION_TYPES)[number];

export interface StockCondition {
  readonly type: StockConditionType;
  /** Units missing: committed − sellable for an oversell, −sellable for a negative balance. */
  readonly shortBy: number;
}

export function detectStockConditions(level: { sellable: number; committed: number }): StockCondition[] {
  const conditions: StockCondition[] = [];
  if (level.committed > 0 && level.sellable < level.committed) {
    // Reservations can lose at most what they hold; anything below zero is the count discrepancy's part.
    const shortBy = Math.min(level.committed, level.committed - level.sellable);
    conditions.push({ type: 'OVERSELL', shortBy });
  }
  if (level.sellable < 0) conditions.push({ type: 'NEGATIVE_SELLABLE', shortBy: -level.sellable });
  return conditions;
}

export interface VictimCandidate {
  readonly reservationId: string;
  readonly qty: number;
  /** Higher is more important; the lowest priority loses first. */
  readonly priority: number;
  /** Epoch ms; among equal priorities the newest reservation loses first. */
  readonly createdAt: number;
}

/**
 * The reservations an oversell takes units from: lowest priority first, then newest first (then by id,
 * so the choice is deterministic), taken until their quantities cover the shortfall.
 */
export function chooseOversellVictims<T extends VictimCandidate>(
  candidates: readonly T[],
  shortBy: number,
): T[] {
  if (shortBy <= 0) return [];
  const ordered = [...candidates].sort(
    (a, b) =>
      a.priority - b.priority ||
      b.createdAt - a.createdAt ||
      (a.reservationId < b.reservationId ? 1 : a.reservationId > b.reservationId ? -1 : 0),
  );
  const victims: T[] = [];
  let covered = 0;
  for (const candidate of ordered) {
    if (covered >= shortBy) break;
    victims.push(candidate);
    covered += candidate.qty;
  }
  return victims;
}
