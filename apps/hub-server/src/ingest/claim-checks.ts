import type { EventEnvelope, EventPayloads } from '@retail/sync';
import type { PricingAuditResult } from '../pricing/pricing-audit';
import type { ApplyContext } from './apply-context';
import { keptReference } from './claim-facts';
import type { ReturnOriginal } from './return-claims';
import { cardDoubts, normalisedReference } from './sale-claims';

/**
 * The doubts the ingest has about a sale's or return's money before its loyalty and stored-value effects
 * are booked (DESIGN §5 "Trust boundary"): what depends on a figure the hub could not verify is held for
 * HQ's review, never silently granted. The sale and the return themselves are applied: they happened.
 */

type CompletedSale = EventPayloads['sale.completed'];
type CompletedReturn = EventPayloads['return.completed'];

/**
 * Why the hub cannot trust a completed sale's figures: its prices failed the audit, or a card payment's
 * terminal reference is missing, repeated or a card number (one CARD_REFERENCE_SUSPECT exception for the
 * sale). Records the sale's card references for later sales either way.
 */
export function saleDoubts(
  ctx: ApplyContext,
  event: EventEnvelope,
  sale: CompletedSale,
  audit: PricingAuditResult,
): string[] {
  const doubts: string[] = [];
  if (audit.status === 'mismatch') {
    doubts.push(`Its prices do not match the hub's pricing audit (see its PRICING_AUDIT exception).`);
  }
  const usedBy = (reference: string) => [
    ...(ctx.facts.cardReferences.get(reference) ?? []),
    ...(ctx.batchCardReferences.get(reference) ?? []),
  ];
  const cards = cardDoubts(sale, usedBy);
  if (cards.length > 0) {
    doubts.push(...cards.map((doubt) => doubt.reason));
    ctx.tx.raise({
      type: 'CARD_REFERENCE_SUSPECT',
      severity: 'warning',
      nodeId: ctx.facts.nodeId,
      causeEventIds: [event.eventId],
      details: {
        saleId: sale.saleId,
        receiptNumber: sale.receiptNumber,
        tenders: cards,
        message: `Sale ${sale.receiptNumber}: ${cards.map((doubt) => doubt.reason).join(' ')}`,
      },
    });
  }
  for (const tender of sale.tenders) {
    if (tender.type !== 'card' || tender.reference === undefined || !keptReference(tender.reference))
      continue;
    const reference = normalisedReference(tender.reference);
    ctx.batchCardReferences.set(reference, [...(ctx.batchCardReferences.get(reference) ?? []), sale.saleId]);
    ctx.writes.cardReferences.push({
      node_id: ctx.facts.nodeId,
      reference,
      tender_id: tender.tenderId,
      sale_id: sale.saleId,
      event_id: event.eventId,
      recorded_at: ctx.tx.at,
    });
  }
  return doubts;
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
