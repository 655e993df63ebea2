/**
 * Splitting an order no single node can carry (issue 18): choose the fewest nodes whose combined ATP
 * covers every SKU's demand, then fill each line from those nodes in rank order. A line may be split by
 * quantity between nodes; the parts of a line always add up to exactly the line's quantity.
 *
 * Fewest nodes is a set cover, so the search is exact only within a budget of combinations tried; past it
 * (hundreds of usable nodes and a wide split) the plan falls back to greedy "covers the most remaining
 * units" and says it is not proven minimal.
 */

export interface SplitLine {
  readonly lineId: string;
  readonly sku: string;
  readonly qty: number;
}

export interface SplitNode {
  readonly nodeId: string;
  /** ATP after safety stock per SKU of the order; a missing SKU is 0. */
  readonly atpBySku: ReadonlyMap<string, number>;
}

export interface SplitPart {
  readonly nodeId: string;
  readonly lines: SplitLine[];
}

export type SplitPlan =
  | { readonly kind: 'planned'; readonly parts: SplitPart[]; readonly minimal: boolean }
  | { readonly kind: 'short'; readonly shortSkus: string[] };

/** Combinations checked before the search gives up on proving minimality: ~all pairs of 600 nodes. */
export const SPLIT_SEARCH_BUDGET = 200_000;

function demandOf(lines: readonly SplitLine[]): Map<string, number> {
  const demand = new Map<string, number>();
  for (const line of lines) demand.set(line.sku, (demand.get(line.sku) ?? 0) + line.qty);
  return demand;
}

function usefulAtp(node: SplitNode, demand: ReadonlyMap<string, number>): number[] {
  return [...demand.keys()].map((sku) => Math.max(0, node.atpBySku.get(sku) ?? 0));
}

/**
 * The lexicographically first set of `size` nodes (by rank position) that covers the demand, or
 * undefined; `budget.left` counts down per set checked and the search stops at zero.
 */
function firstCover(
  atp: readonly number[][],
  required: readonly number[],
  size: number,
  budget: { left: number },
): number[] | undefined {
  const chosen: number[] = [];
  const covered = required.map(() => 0);
  const search = (from: number): boolean => {
    if (chosen.length === size) {
      budget.left -= 1;
      return covered.every((units, sku) => units >= (required[sku] as number));
    }
    for (let index = from; index <= atp.length - (size - chosen.length); index += 1) {
      if (budget.left <= 0) return false;
      const row = atp[index] as number[];
      chosen.push(index);
      row.forEach((units, sku) => (covered[sku] = (covered[sku] as number) + units));
      if (search(index + 1)) return true;
      row.forEach((units, sku) => (covered[sku] = (covered[sku] as number) - units));
      chosen.pop();
    }
    return false;
  };
  return search(0) ? [...chosen] : undefined;
}

function greedyCover(atp: readonly number[][], required: readonly number[]): number[] {
  const remaining = [...required];
  const chosen: number[] = [];
  while (remaining.some((units) => units > 0)) {
    let best = -1;
    let bestUnits = 0;
    atp.forEach((row, index) => {
      if (chosen.includes(index)) return;
      const units = row.reduce((total, have, sku) => total + Math.min(have, remaining[sku] as number), 0);
      if (units > bestUnits) {
        best = index;
        bestUnits = units;
      }
    });
    // Unreachable when the network total covers the demand, which the caller checked.
    if (best < 0) break;
    chosen.push(best);
    (atp[best] as number[]).forEach((have, sku) => {
      remaining[sku] = Math.max(0, (remaining[sku] as number) - have);
    });
  }
  return chosen.sort((a, b) => a - b);
}

/** Fills every line from the chosen nodes in rank order; each node gives what it has before the next. */
function fill(lines: readonly SplitLine[], nodes: readonly SplitNode[]): SplitPart[] {
  const left = nodes.map((node) => new Map(node.atpBySku));
  const parts = nodes.map((node) => ({ nodeId: node.nodeId, lines: [] as SplitLine[] }));
  for (const line of lines) {
    let open = line.qty;
    for (let index = 0; index < nodes.length && open > 0; index += 1) {
      const stock = left[index] as Map<string, number>;
      const take = Math.min(open, Math.max(0, stock.get(line.sku) ?? 0));
      if (take === 0) continue;
      stock.set(line.sku, (stock.get(line.sku) ?? 0) - take);
      (parts[index] as SplitPart).lines.push({ lineId: line.lineId, sku: line.sku, qty: take });
      open -= take;
    }
  }
  return parts.filter((part) => part.lines.length > 0);
}

/**
 * Plans a split over `rankedNodes` (best first; every node must already be usable: active, in touch,
 * not excluded, with capacity). Among the smallest covering sets it takes the one whose best-ranked
 * members rank highest. Pure and deterministic for the same input order.
 */
export function planSplit(
  lines: readonly SplitLine[],
  rankedNodes: readonly SplitNode[],
  searchBudget = SPLIT_SEARCH_BUDGET,
): SplitPlan {
  const demand = demandOf(lines);
  const required = [...demand.values()];
  const withStock = rankedNodes.filter((node) => usefulAtp(node, demand).some((units) => units > 0));
  const atp = withStock.map((node) => usefulAtp(node, demand));
  const shortSkus = [...demand.keys()].filter(
    (sku, index) =>
      atp.reduce((total, row) => total + (row[index] as number), 0) < (required[index] as number),
  );
  if (shortSkus.length > 0) return { kind: 'short', shortSkus };

  const budget = { left: searchBudget };
  for (let size = 1; size <= withStock.length && budget.left > 0; size += 1) {
    const cover = firstCover(atp, required, size, budget);
    if (cover !== undefined) {
      return {
        kind: 'planned',
        parts: fill(
          lines,
          cover.map((index) => withStock[index] as SplitNode),
        ),
        minimal: true,
      };
    }
  }
  const cover = greedyCover(atp, required);
  return {
    kind: 'planned',
    parts: fill(
      lines,
      cover.map((index) => withStock[index] as SplitNode),
    ),
    minimal: false,
  };
}
