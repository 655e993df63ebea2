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
  const priors = original.returned.flatMap((prior) =>
    prior.originalLineId !== undefined && saleLines.has(prior.originalLineId)
      ? [{ originalLineId: prior.originalLineId, qty: prior.qty, refund: money(prior.refund, currency) }]
      : [],
  );
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
export function noteReturn(ctx: ApplyContext, ret: CompletedReturn): void {
  if (ret.originalSaleId === undefined) return;
  const lines = ctx.batchReturns.get(ret.originalSaleId) ?? [];
  for (const line of ret.lines) {
    lines.push({ originalLineId: line.originalLineId, sku: line.sku, qty: line.qty, refund: line.refund });
  }
  ctx.batchReturns.set(ret.originalSaleId, lines);
}
