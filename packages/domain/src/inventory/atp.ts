import { DomainError, invalid } from '../errors';

/**
 * Available to promise (reference/domain.md §1, DESIGN §5):
 *   nodeATP    = max(0, sellable − committed − safetyStock)
 *   networkATP = Σ nodeATP over the nodes eligible for the channel
 * `committed` is the quantity of reservations holding shelf units (HELD within their TTL, ACTIVE).
 * Incoming (in transit to the node) is excluded: it is not on the shelf yet.
 */
export interface AtpInput {
  readonly sellable: number;
  readonly committed: number;
  readonly safetyStock: number;
}

function assertWhole(name: string, value: number): void {
  if (!Number.isSafeInteger(value)) {
    throw invalid('inventory.quantityMustWholeNumber', { name }, { [name]: value });
  }
}

export function nodeAtp(input: AtpInput): number {
  assertWhole('sellable', input.sellable);
  assertWhole('committed', input.committed);
  assertWhole('safetyStock', input.safetyStock);
  return Math.max(0, input.sellable - input.committed - input.safetyStock);
}

export interface NetworkAtpNode extends AtpInput {
  readonly nodeId: string;
  readonly eligible: boolean;
}

export interface NetworkAtp {
  readonly total: number;
  readonly byNode: readonly { readonly nodeId: string; readonly atp: number }[];
}

export function networkAtp(nodes: Iterable<NetworkAtpNode>): NetworkAtp {
  const byNode: { nodeId: string; atp: number }[] = [];
  let total = 0;
  for (const node of nodes) {
    if (!node.eligible) continue;
    const atp = nodeAtp(node);
    total += atp;
    byNode.push({ nodeId: node.nodeId, atp });
  }
  return { total, byNode };
}

export interface ReserveCheck {
  readonly qty: number;
  /** Backorder and preorder reservations may exceed ATP (invariant 5); they are flagged for follow-up. */
  readonly allowBeyondAtp?: boolean;
  readonly sku: string;
  readonly nodeId: string;
}

/**
 * Decides whether the hub may promise `qty` more units at a node. Throws INSUFFICIENT_STOCK with what is
 * available so the caller (e-commerce intake, routing) can try another node or offer less.
 */
export function assertCanReserve(level: AtpInput, check: ReserveCheck): number {
  const atp = nodeAtp(level);
  if (!Number.isSafeInteger(check.qty) || check.qty <= 0) {
    throw invalid('inventory.reservationQuantityMustWhole2', {}, { qty: check.qty });
  }
  if (check.qty > atp && check.allowBeyondAtp !== true) {
    throw new DomainError(
      'INSUFFICIENT_STOCK',
      'inventory.onlySkuCanPromised',
      { atp, sku: check.sku, nodeId: check.nodeId, qty: check.qty },
      { sku: check.sku, nodeId: check.nodeId, requested: check.qty, available: atp },
    );
  }
  return atp;
}
