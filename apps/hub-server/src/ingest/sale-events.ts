import { pointsToMoney, type LoyaltyProgramme } from '@retail/domain';
import type { EventEnvelope, EventPayloads } from '@retail/sync';
import { prepareMovements } from '../inventory/ledger';
import { applySaleLoyalty, applyVoidLoyalty } from '../loyalty/loyalty-events';
import { auditSalePricing, type PricingAuditResult } from '../pricing/pricing-audit';
import { checkSaleDiscounts } from '../settings/settings-limits';
import {
  applied,
  bookEventLoyalty,
  origin,
  rejected,
  type ApplyContext,
  type Applier,
} from './apply-context';

/**
 * A sale's events at the hub: `sale.completed` (movements into the ledger, the sale row, its pricing
 * audited, its financial claims checked, its loyalty booked) and `sale.voided`, with the claims of a
 * completed sale the hub can check without the till (DESIGN §5 "Trust boundary"): what its points tenders
 * say the points paid, and whether its card tenders carry terminal references that could be real. A sale
 * the hub doubts is still applied (it happened); what depends on the doubted figures is held for HQ.
 */

function findSale(ctx: ApplyContext, saleId: string) {
  return ctx.batchSales.get(saleId) ?? ctx.facts.existingSales.get(saleId);
}

/** Offline sales are facts: applied even when sellable goes negative (conditions are raised later). */
export const applySaleCompleted: Applier<'sale.completed'> = async (ctx, event, sale) => {
  const existing = findSale(ctx, sale.saleId);
  if (existing !== undefined) {
    return rejected(`Sale ${sale.saleId} was already recorded by event ${existing.eventId}.`);
  }
  const prepared = prepareMovements(ctx, event, sale.movements, `sale:${sale.saleId}`);
  if (!prepared.ok) return rejected(prepared.reason);
  ctx.tx.ledger.addMovements(prepared.movements);
  ctx.writes.sales.push({
    sale_id: sale.saleId,
    node_id: ctx.facts.nodeId,
    device_id: ctx.facts.deviceId,
    receipt_number: sale.receiptNumber,
    customer_id: sale.customerId ?? null,
    currency: sale.currency,
    total: sale.totals.total,
    status: 'completed',
    completed_at: sale.completedAt,
    event_id: event.eventId,
  });
  ctx.batchSales.set(sale.saleId, {
    status: 'completed',
    eventId: event.eventId,
    nodeId: ctx.facts.nodeId,
    sale,
  });
  const audit = await auditSalePricing(ctx.tx, event, sale);
  await checkSaleDiscounts(ctx.tx, ctx.facts.nodeId, event, sale);
  const doubts = saleDoubts(ctx, event, sale, audit);
  await bookEventLoyalty(ctx, event, () =>
    applySaleLoyalty(ctx.tx, event, sale, origin(ctx), {
      doubts,
      redemptionDoubts: (programme) => redemptionDoubts(ctx, event, sale, programme),
    }),
  );
  return applied;
};

export const applySaleVoided: Applier<'sale.voided'> = async (ctx, event, voided) => {
  const sale = findSale(ctx, voided.saleId);
  if (sale !== undefined && sale.nodeId !== ctx.facts.nodeId) {
    return rejected(
      `Sale ${voided.saleId} was made at store ${sale.nodeId}; only that store can void it. Nothing of it was applied.`,
    );
  }
  if (sale?.status === 'voided') return rejected(`Sale ${voided.saleId} was already voided.`);
  const prepared = prepareMovements(ctx, event, voided.movements, `void:${voided.saleId}`);
  if (!prepared.ok) return rejected(prepared.reason);
  ctx.tx.ledger.addMovements(prepared.movements);
  if (sale === undefined) {
    // The units went back on the shelf whatever happened to the sale's own event; someone should look.
    ctx.tx.raise({
      type: 'ORPHAN_VOID',
      severity: 'warning',
      nodeId: ctx.facts.nodeId,
      causeEventIds: [event.eventId],
      details: {
        saleId: voided.saleId,
        receiptNumber: voided.receiptNumber,
        message: `Receipt ${voided.receiptNumber} was voided but the hub has no record of the sale.`,
      },
    });
  } else {
    const pending = ctx.writes.sales.find((row) => row.sale_id === voided.saleId);
    if (pending !== undefined) pending.status = 'voided';
    else
      await ctx.tx.trx
        .updateTable('sales')
        .set({ status: 'voided' })
        .where('sale_id', '=', voided.saleId)
        .execute();
  }
  const batchSale = ctx.batchSales.get(voided.saleId);
  ctx.batchSales.set(voided.saleId, {
    status: 'voided',
    eventId: event.eventId,
    nodeId: ctx.facts.nodeId,
    ...(batchSale?.sale === undefined ? {} : { sale: batchSale.sale }),
  });
  await bookEventLoyalty(ctx, event, () => applyVoidLoyalty(ctx.tx, event, voided, origin(ctx)));
  return applied;
};

/**
 * Why the hub cannot trust a completed sale's figures: its prices failed the audit, or a card payment's
 * terminal reference is missing, repeated or a card number (one CARD_REFERENCE_SUSPECT exception for the
 * sale). Records the sale's card references for later sales either way.
 */
function saleDoubts(
  ctx: ApplyContext,
  event: EventEnvelope,
  sale: CompletedSale,
  audit: PricingAuditResult,
): string[] {
  const doubts: string[] = [];
  if (audit.status === 'mismatch') {
    doubts.push(`Its prices do not match the hub's pricing audit (see its PRICING_AUDIT exception).`);
  }
  const cards = cardDoubts(sale, (reference) => {
    const recorded = ctx.facts.cardReferences.get(reference);
    const inBatch = ctx.batchCardReferences.get(reference);
    if (recorded === undefined) return inBatch ?? [];
    return inBatch === undefined ? recorded : [...recorded, ...inBatch];
  });
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
 * The sale's points tenders checked against the programme's rate at the sale's time (`programme`, which
 * the loyalty booking reads): a LOYALTY_CLAIM_MISMATCH with both figures, and a doubt, for each tender
 * that claims more than its points are worth.
 */
function redemptionDoubts(
  ctx: ApplyContext,
  event: EventEnvelope,
  sale: CompletedSale,
  programme: LoyaltyProgramme | null,
): string[] {
  return redemptionOverclaims(sale, programme).map((overclaim) => {
    const message = `Points payment ${overclaim.tenderId} of sale ${sale.saleId} says ${overclaim.points} points paid ${overclaim.claimed} ${overclaim.currency}; at the programme's rate they are worth ${overclaim.worth}.`;
    ctx.tx.raise({
      type: 'LOYALTY_CLAIM_MISMATCH',
      severity: 'warning',
      nodeId: ctx.facts.nodeId,
      causeEventIds: [event.eventId],
      details: {
        saleId: sale.saleId,
        receiptNumber: sale.receiptNumber,
        tenderId: overclaim.tenderId,
        points: overclaim.points,
        till: { amount: overclaim.claimed },
        hub: { amount: overclaim.worth },
        currency: overclaim.currency,
        message,
      },
    });
    return message;
  });
}

type CompletedSale = EventPayloads['sale.completed'];
type Tender = CompletedSale['tenders'][number];

export interface RedemptionOverclaim {
  readonly tenderId: string;
  readonly points: number;
  /** What the till says the points paid. */
  readonly claimed: number;
  /** What those points are worth at the programme's rate (rounded down, as the till must). */
  readonly worth: number;
  readonly currency: string;
}

/**
 * Points tenders that claim more money than their points are worth at `programme`'s rate. Paying less
 * than the points are worth is the customer's loss, not the chain's, so it is not a mismatch.
 */
export function redemptionOverclaims(
  sale: CompletedSale,
  programme: LoyaltyProgramme | null,
): RedemptionOverclaim[] {
  const overclaims: RedemptionOverclaim[] = [];
  for (const tender of sale.tenders) {
    if (tender.type !== 'loyalty_points') continue;
    const points = tender.points ?? 0;
    const worth =
      programme !== null && programme.currency === sale.currency && points > 0
        ? pointsToMoney(points, programme.pointValue).amount
        : 0;
    if (tender.amount > worth) {
      overclaims.push({
        tenderId: tender.tenderId,
        points,
        claimed: tender.amount,
        worth,
        currency: sale.currency,
      });
    }
  }
  return overclaims;
}

const NOT_IN_CARD_NUMBER = /[^\d\s-]/;

/** 13 to 19 digits that pass the Luhn check: a card number typed where the terminal's reference belongs. */
export function looksLikeCardNumber(reference: string): boolean {
  // Only digits, spaces and hyphens make one, 13 of them at least: a terminal's "T-…" is refused at once
  // (the check runs several times for every card tender a push carries).
  if (reference.length < 13 || NOT_IN_CARD_NUMBER.test(reference)) return false;
  const digits = reference.replace(/[\s-]/g, '');
  if (!/^\d{13,19}$/.test(digits)) return false;
  let total = 0;
  for (let index = 0; index < digits.length; index += 1) {
    let digit = Number(digits[digits.length - 1 - index]);
    if (index % 2 === 1) {
      digit *= 2;
      if (digit > 9) digit -= 9;
    }
    total += digit;
  }
  return total % 10 === 0;
}

/** What a card reference may be shown as: a reference that looks like a card number keeps only 4 digits. */
export function shownReference(reference: string): string {
  return looksLikeCardNumber(reference) ? `****${reference.replace(/[\s-]/g, '').slice(-4)}` : reference;
}

export function normalisedReference(reference: string | undefined): string {
  return (reference ?? '').trim().toUpperCase();
}

/** References the hub records: not empty, and never something that looks like a card number. */
export function keptReference(reference: string): boolean {
  const normalised = normalisedReference(reference);
  return normalised !== '' && !looksLikeCardNumber(normalised);
}

export interface CardDoubt {
  readonly tenderId: string;
  readonly reference: string;
  readonly reason: string;
  /** Other sales at this store whose card tenders carry the same reference. */
  readonly otherSales: readonly string[];
}

/**
 * Card tenders whose terminal reference cannot be a real one: missing, a card number, the same as another
 * card tender of the sale, or already on a card tender of another sale of this store (`usedBy` answers
 * from the hub's record and the batch so far). A terminal gives every approval its own reference.
 */
export function cardDoubts(
  sale: CompletedSale,
  usedBy: (reference: string) => readonly string[],
): CardDoubt[] {
  const doubts: CardDoubt[] = [];
  const inSale = new Set<string>();
  for (const tender of sale.tenders as readonly Tender[]) {
    if (tender.type !== 'card') continue;
    const doubt = cardDoubt(sale.saleId, tender, normalisedReference(tender.reference), inSale, usedBy);
    if (doubt !== undefined) doubts.push(doubt);
  }
  return doubts;
}

function tenderDoubt(
  tender: Tender,
  reference: string,
  reason: string,
  otherSales: readonly string[] = [],
): CardDoubt {
  return { tenderId: tender.tenderId, reference: shownReference(reference), reason, otherSales };
}

/** The doubt about one card tender of cardDoubts, if any; `inSale` gains its reference when it is new. */
function cardDoubt(
  saleId: string,
  tender: Tender,
  reference: string,
  inSale: Set<string>,
  usedBy: (reference: string) => readonly string[],
): CardDoubt | undefined {
  if (reference === '')
    return tenderDoubt(tender, reference, `Card payment ${tender.tenderId} has no terminal reference.`);
  if (looksLikeCardNumber(reference)) {
    return tenderDoubt(
      tender,
      reference,
      `Card payment ${tender.tenderId} carries what looks like a card number (${shownReference(reference)}) instead of the terminal's reference.`,
    );
  }
  if (inSale.has(reference)) {
    return tenderDoubt(
      tender,
      reference,
      `Two card payments of this sale carry the same terminal reference ${reference}.`,
    );
  }
  inSale.add(reference);
  const others = usedBy(reference).filter((other) => other !== saleId);
  if (others.length === 0) return undefined;
  return tenderDoubt(
    tender,
    reference,
    `The terminal reference ${reference} of card payment ${tender.tenderId} was already used by sale ${others.join(', ')} at this store.`,
    others,
  );
}

/**
 * The envelope as the hub logs it: a card tender or refund whose reference looks like a card number keeps
 * only its last 4 digits (no card data is ever stored, even when a till sends it).
 */
export function withoutCardNumbers<T extends { payload: unknown }>(event: T): T {
  const payload = event.payload as Record<string, unknown> | null;
  if (typeof payload !== 'object' || payload === null || !carriesCardNumber(payload)) return event;
  let changed = false;
  const redacted: Record<string, unknown> = { ...payload };
  for (const key of TENDER_LISTS) {
    const list = payload[key];
    if (!Array.isArray(list)) continue;
    redacted[key] = list.map((tender: unknown) => {
      const reference = (tender as { reference?: unknown } | null)?.reference;
      if (typeof reference !== 'string' || !looksLikeCardNumber(reference)) return tender;
      changed = true;
      return { ...(tender as object), reference: shownReference(reference) };
    });
  }
  return changed ? { ...event, payload: redacted } : event;
}

const TENDER_LISTS = ['tenders', 'refunds'] as const;

/** Whether withoutCardNumbers has anything to redact (it runs three times for every event a push applies). */
function carriesCardNumber(payload: Record<string, unknown>): boolean {
  for (const key of TENDER_LISTS) {
    const list = payload[key];
    if (!Array.isArray(list)) continue;
    for (const tender of list as unknown[]) {
      const reference = (tender as { reference?: unknown } | null)?.reference;
      if (typeof reference === 'string' && looksLikeCardNumber(reference)) return true;
    }
  }
  return false;
}
