import { isDomainError, money, multiplyRatio, refundForLines } from '@retail/domain';
import type { EventPayloads } from '@retail/sync';
import type { ApplyContext } from './apply-context';
import type { PriorReturnLine } from './claim-facts';

type CompletedReturn = EventPayloads['return.completed'];
type CompletedSale = EventPayloads['sale.completed'];

/**
 * A return may name a sale made anywhere in the chain (DESIGN §5 "Trust boundary"), so the hub checks it
 * against that sale and everything returned against it at any store: only lines of the sale, never more
 * than was sold less what was returned, never more money per line than the customer paid for it, and no
 * more refunded in tenders than the lines add up to. Shares of a line's paid amount are checked with the
 * larger rounding, because returns of one sale at two stores may reach the hub in either order.
 */

export type ReturnOriginal =
  | { readonly status: 'unknown' }
  | {
      readonly status: 'completed' | 'voided';
      readonly nodeId: string;
      readonly sale: CompletedSale | undefined;
      readonly returned: readonly PriorReturnLine[];
    };

/** The sale a return names as the hub knows it now, including sales and returns earlier in the batch. */
export function returnOriginal(ctx: ApplyContext, saleId: string): ReturnOriginal {
  const inBatch = ctx.batchReturns.get(saleId) ?? [];
  const stored = ctx.facts.originals.get(saleId);
  const batchSale = ctx.batchSales.get(saleId);
  if (batchSale?.sale !== undefined) {
    return {
      status: batchSale.status === 'voided' ? 'voided' : 'completed',
      nodeId: batchSale.nodeId,
      sale: batchSale.sale,
      returned: inBatch,
    };
  }
  if (stored === undefined) return { status: 'unknown' };
  return {
    status: batchSale?.status === 'voided' ? 'voided' : stored.status,
    nodeId: stored.nodeId,
    sale: stored.sale,
    returned: [...stored.returned, ...inBatch],
  };
}

/** Why the return cannot be what it claims against its sale, with both figures; undefined when it can. */
export function returnClaimProblem(
  ret: CompletedReturn,
  original: Exclude<ReturnOriginal, { status: 'unknown' }>,
): string | undefined {
  const saleId = ret.originalSaleId ?? '';
  if (original.status === 'voided') {
    return `Sale ${saleId} was voided, so nothing of it can be returned.`;
  }
  const sale = original.sale;
  if (sale === undefined) return refundsProblem(ret);
  if (sale.currency !== ret.currency) {
    return `The return is in ${ret.currency} but sale ${saleId} was paid in ${sale.currency}.`;
  }
  const saleLines = new Map(sale.lines.map((line) => [line.lineId, line]));
  for (const line of ret.lines) {
    if (line.originalLineId === undefined) {
      return `Return line ${line.returnLineId} (${line.sku}) names sale ${saleId} but not which of its lines it returns.`;
    }
    const sold = saleLines.get(line.originalLineId);
    if (sold === undefined) return `Sale ${saleId} has no line ${line.originalLineId}.`;
    if (sold.sku !== line.sku) {
      return `Return line ${line.returnLineId} returns ${line.sku}, but line ${line.originalLineId} of sale ${saleId} sold ${sold.sku}.`;
    }
  }
  const currency = sale.currency;
  const priors = priorLines(sale, original.returned).map((prior) => ({
    ...prior,
    refund: money(prior.refund, currency),
  }));
  try {
    refundForLines(
      sale.lines.map((line) => ({
        lineId: line.lineId,
        sku: line.sku,
        qty: line.qty,
        unit: line.unit,
        paid: money(line.paid, currency),
      })),
      priors,
      ret.lines.map((line) => ({ lineId: line.originalLineId ?? '', qty: line.qty })),
    );
  } catch (error) {
    if (!isDomainError(error)) throw error;
    return `Against sale ${saleId} (returns at every store counted): ${error.message}`;
  }
  const refunded = new Map<string, number>();
  for (const prior of priors) {
    refunded.set(prior.originalLineId, (refunded.get(prior.originalLineId) ?? 0) + prior.refund.amount);
  }
  for (const line of ret.lines) {
    const sold = saleLines.get(line.originalLineId ?? '')!;
    const before = refunded.get(sold.lineId) ?? 0;
    const share = multiplyRatio(money(sold.paid, currency), line.qty, sold.qty, 'UP').amount;
    const allowed = Math.min(share, sold.paid - before);
    if (line.refund > allowed) {
      return (
        `Return line ${line.returnLineId} refunds ${line.refund} for ${line.qty} of ${line.sku}; ` +
        `sale ${saleId} paid ${sold.paid} for ${sold.qty} and ${before} of it was already refunded, ` +
        `so at most ${Math.max(0, allowed)} can be refunded.`
      );
    }
    refunded.set(sold.lineId, before + line.refund);
  }
  return refundsProblem(ret);
}

/**
 * Earlier returns per sale line. A no-receipt return the hub linked to the sale by its receipt number names
 * no line: its quantity counts against the sale's lines of that SKU in order, as far as they go, with no
 * refund (it was paid in store credit at the lowest price, not from what the sale paid).
 */
function priorLines(
  sale: CompletedSale,
  returned: readonly PriorReturnLine[],
): { originalLineId: string; qty: number; refund: number }[] {
  const lineIds = new Set(sale.lines.map((line) => line.lineId));
  const taken = new Map<string, number>();
  const priors: { originalLineId: string; qty: number; refund: number }[] = [];
  const take = (lineId: string, qty: number, refund: number) => {
    taken.set(lineId, (taken.get(lineId) ?? 0) + qty);
    priors.push({ originalLineId: lineId, qty, refund });
  };
  for (const prior of returned) {
    if (prior.originalLineId !== undefined && lineIds.has(prior.originalLineId))
      take(prior.originalLineId, prior.qty, prior.refund);
  }
  for (const prior of returned) {
    if (prior.originalLineId !== undefined) continue;
    let left = prior.qty;
    for (const line of sale.lines) {
      if (left <= 0) break;
      if (line.sku !== prior.sku) continue;
      const qty = Math.min(left, Math.max(0, line.qty - (taken.get(line.lineId) ?? 0)));
      if (qty > 0) take(line.lineId, qty, 0);
      left -= qty;
    }
  }
  return priors;
}

/**
 * A no-receipt return that names the receipt the customer brought, linked to that sale: why it takes back
 * more of a SKU than is still returnable on it (returns at every store counted), or undefined.
 */
export function linkedReturnExcess(
  ret: CompletedReturn,
  original: Exclude<ReturnOriginal, { status: 'unknown' }>,
): string | undefined {
  const receipt = ret.originalReceiptNumber ?? '';
  if (original.status === 'voided') return `Receipt ${receipt} was voided, yet items of it were returned.`;
  const sale = original.sale;
  if (sale === undefined) return undefined;
  const left = new Map<string, number>();
  for (const line of sale.lines) left.set(line.sku, (left.get(line.sku) ?? 0) + line.qty);
  for (const prior of priorLines(sale, original.returned)) {
    const sku = sale.lines.find((line) => line.lineId === prior.originalLineId)!.sku;
    left.set(sku, (left.get(sku) ?? 0) - prior.qty);
  }
  const wanted = new Map<string, number>();
  for (const line of ret.lines) wanted.set(line.sku, (wanted.get(line.sku) ?? 0) + line.qty);
  for (const [sku, qty] of wanted) {
    const returnable = Math.max(0, left.get(sku) ?? 0);
    if (qty > returnable) {
      return `Return ${ret.receiptNumber} (no receipt) took back ${qty} of ${sku} against receipt ${receipt}, but only ${returnable} of it was still returnable after the returns at every store.`;
    }
  }
  return undefined;
}

/** Tenders may give back at most what the lines refund. */
export function refundsProblem(ret: CompletedReturn): string | undefined {
  const lines = ret.lines.reduce((total, line) => total + line.refund, 0);
  const tenders = ret.refunds.reduce((total, refund) => total + refund.amount, 0);
  if (ret.lines.some((line) => line.refund < 0) || ret.refunds.some((refund) => refund.amount < 0)) {
    return 'A return cannot refund a negative amount.';
  }
  return tenders > lines
    ? `The refunds add up to ${tenders} but the returned lines to only ${lines}.`
    : undefined;
}

/** Adds a return's lines to what the batch has returned against its sale. */
export function noteReturn(ctx: ApplyContext, ret: CompletedReturn, saleId = ret.originalSaleId): void {
  if (saleId === undefined) return;
  const lines = ctx.batchReturns.get(saleId) ?? [];
  for (const line of ret.lines) {
    lines.push({ originalLineId: line.originalLineId, sku: line.sku, qty: line.qty, refund: line.refund });
  }
  ctx.batchReturns.set(saleId, lines);
}

/**
 * Why store credit a return issues cannot be trusted: a return without a receipt must carry the manager
 * override that authorised it (who, when and the till's audit reference), and a return of a sale must name
 * one the hub knows, or it cannot check what the return refunds.
 */
export function returnCreditDoubts(ret: CompletedReturn, original: ReturnOriginal | undefined): string[] {
  if (ret.originalSaleId === undefined) {
    return ret.override?.auditRef === undefined
      ? [
          'A return without a receipt issued store credit without the manager override that authorised it (who, when and the till’s audit reference).',
        ]
      : [];
  }
  return original?.status === 'unknown'
    ? [`The hub has no record of sale ${ret.originalSaleId}, so it cannot check what this return refunds.`]
    : [];
}
