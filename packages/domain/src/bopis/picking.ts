import { fail, ok, type Result } from '../errors';

/**
 * Picking at the store: every unit is scanned against its order line, so the wrong item or one unit too
 * many never ends up in the customer's bag. A line ends fully picked or short-picked (fewer found than
 * ordered); the order is ready only when every line is fully picked.
 */
export interface BopisPickLine {
  readonly lineId: string;
  readonly sku: string;
  /** Ordered quantity: pieces, or grams for kg SKUs. */
  readonly qty: number;
  readonly pickedQty: number;
}

export interface PickScanAccepted {
  readonly lineId: string;
  readonly pickedQty: number;
  readonly remainingQty: number;
  readonly complete: boolean;
}

export function verifyPickScan(
  line: BopisPickLine,
  scannedSku: string,
  qty: number,
): Result<PickScanAccepted> {
  if (!Number.isSafeInteger(qty) || qty < 1) {
    return fail('INVALID_INPUT', 'bopis.scanLeastWholeUnit', {}, { qty });
  }
  if (scannedSku !== line.sku) {
    return fail(
      'NOT_ALLOWED',
      'bopis.wrongItemLineNeeds',
      { lineId: line.lineId, sku: line.sku, scannedSku },
      { lineId: line.lineId, expectedSku: line.sku, scannedSku },
    );
  }
  const remaining = line.qty - line.pickedQty;
  if (qty > remaining) {
    return fail(
      'LIMIT_EXCEEDED',
      remaining === 0 ? 'bopis.lineAlreadyCompleteSku' : 'bopis.lineNeedsOnlyMore',
      remaining === 0
        ? { lineId: line.lineId, qty: line.qty, sku: line.sku }
        : { lineId: line.lineId, remaining, sku: line.sku, qty },
      { lineId: line.lineId, remainingQty: remaining, scannedQty: qty },
    );
  }
  const pickedQty = line.pickedQty + qty;
  return ok({
    lineId: line.lineId,
    pickedQty,
    remainingQty: line.qty - pickedQty,
    complete: pickedQty === line.qty,
  });
}

export interface LinePickState extends BopisPickLine {
  /** The picker declared the line short with `pickedQty` found. */
  readonly shortPicked: boolean;
}

export type PickOutcome = 'in_progress' | 'ready' | 'short';

export interface PickProgress {
  /** `ready`: every line fully picked. `short`: every line done and at least one short. */
  readonly outcome: PickOutcome;
  readonly pickedLineIds: readonly string[];
  readonly shortLineIds: readonly string[];
  readonly outstandingLineIds: readonly string[];
}

export function pickProgress(lines: readonly LinePickState[]): PickProgress {
  const pickedLineIds: string[] = [];
  const shortLineIds: string[] = [];
  const outstandingLineIds: string[] = [];
  for (const line of lines) {
    if (line.pickedQty >= line.qty) pickedLineIds.push(line.lineId);
    else if (line.shortPicked) shortLineIds.push(line.lineId);
    else outstandingLineIds.push(line.lineId);
  }
  const outcome: PickOutcome =
    outstandingLineIds.length > 0 ? 'in_progress' : shortLineIds.length > 0 ? 'short' : 'ready';
  return { outcome, pickedLineIds, shortLineIds, outstandingLineIds };
}
