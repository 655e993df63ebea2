import type { EventEnvelope, EventPayloads } from '@retail/sync';
import { prepareMovements } from '../inventory/ledger';
import { applyReturnLoyalty } from '../loyalty/loyalty-events';
import {
  applied,
  bookEventLoyalty,
  origin,
  rejected,
  type ApplyContext,
  type Applier,
} from './apply-context';
import {
  linkedReturnExcess,
  noteReturn,
  refundsProblem,
  returnClaimProblem,
  returnCreditDoubts,
  returnOriginal,
} from './return-claims';

/**
 * A no-receipt return naming the receipt the customer brought (its till could not ask the hub) is linked
 * to that sale, so later lookups and returns count it; one that takes back more than was still returnable
 * is applied (a manager approved it, in store credit) and raised for review.
 */
function linkedSale(ctx: ApplyContext, event: EventEnvelope, ret: EventPayloads['return.completed']) {
  if (ret.originalSaleId !== undefined || ret.originalReceiptNumber === undefined) return undefined;
  const saleId = ctx.facts.salesByReceipt.get(ret.originalReceiptNumber);
  if (saleId === undefined) return undefined;
  const original = returnOriginal(ctx, saleId);
  const excess = original.status === 'unknown' ? undefined : linkedReturnExcess(ret, original);
  if (excess !== undefined) {
    ctx.tx.raise({
      type: 'RETURN_OVER_RETURNABLE',
      severity: 'warning',
      nodeId: ctx.facts.nodeId,
      causeEventIds: [event.eventId],
      details: { message: excess, saleId, receiptNumber: ret.originalReceiptNumber, returnId: ret.returnId },
    });
  }
  return saleId;
}

export const applyReturnCompleted: Applier<'return.completed'> = async (ctx, event, ret) => {
  const existing = await ctx.tx.trx
    .selectFrom('returns')
    .select('event_id')
    .where('return_id', '=', ret.returnId)
    .executeTakeFirst();
  if (existing !== undefined)
    return rejected(`Return ${ret.returnId} was already recorded by event ${existing.event_id}.`);
  const original = ret.originalSaleId === undefined ? undefined : returnOriginal(ctx, ret.originalSaleId);
  const claimProblem =
    original === undefined || original.status === 'unknown'
      ? refundsProblem(ret)
      : returnClaimProblem(ret, original);
  if (claimProblem !== undefined) return rejected(claimProblem);
  const prepared = prepareMovements(ctx, event, ret.movements, `return:${ret.returnId}`);
  if (!prepared.ok) return rejected(prepared.reason);
  ctx.tx.ledger.addMovements(prepared.movements);
  const linkedSaleId = linkedSale(ctx, event, ret);
  await ctx.tx.trx
    .insertInto('returns')
    .values({
      return_id: ret.returnId,
      node_id: ctx.facts.nodeId,
      device_id: ctx.facts.deviceId,
      original_sale_id: ret.originalSaleId ?? linkedSaleId ?? null,
      currency: ret.currency,
      refund_total: ret.refunds.reduce((total, refund) => total + refund.amount, 0),
      completed_at: ret.completedAt,
      event_id: event.eventId,
    })
    .execute();
  noteReturn(ctx, ret, ret.originalSaleId ?? linkedSaleId);
  const creditDoubts = returnCreditDoubts(ret, original);
  await bookEventLoyalty(ctx, event, () => applyReturnLoyalty(ctx.tx, event, ret, origin(ctx), creditDoubts));
  return applied;
};
