import { pointsToMoney, type LoyaltyProgramme } from '@retail/domain';
import type { EventPayloads } from '@retail/sync';

/**
 * The financial claims of a completed sale the hub can check without the till (DESIGN §5 "Trust
 * boundary"): what its points tenders say the points paid, and whether its card tenders carry terminal
 * references that could be real. Pure: the ingest decides what to raise and what to hold.
 */

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

/** 13 to 19 digits that pass the Luhn check: a card number typed where the terminal's reference belongs. */
export function looksLikeCardNumber(reference: string): boolean {
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
    const reference = normalisedReference(tender.reference);
    const doubt = (reason: string, otherSales: readonly string[] = []) =>
      doubts.push({ tenderId: tender.tenderId, reference: shownReference(reference), reason, otherSales });
    if (reference === '') {
      doubt(`Card payment ${tender.tenderId} has no terminal reference.`);
      continue;
    }
    if (looksLikeCardNumber(reference)) {
      doubt(
        `Card payment ${tender.tenderId} carries what looks like a card number (${shownReference(reference)}) instead of the terminal's reference.`,
      );
      continue;
    }
    if (inSale.has(reference)) {
      doubt(`Two card payments of this sale carry the same terminal reference ${reference}.`);
      continue;
    }
    inSale.add(reference);
    const others = usedBy(reference).filter((saleId) => saleId !== sale.saleId);
    if (others.length > 0) {
      doubt(
        `The terminal reference ${reference} of card payment ${tender.tenderId} was already used by sale ${others.join(', ')} at this store.`,
        others,
      );
    }
  }
  return doubts;
}

/**
 * The envelope as the hub logs it: a card tender or refund whose reference looks like a card number keeps
 * only its last 4 digits (no card data is ever stored, even when a till sends it).
 */
export function withoutCardNumbers<T extends { payload: unknown }>(event: T): T {
  const payload = event.payload as Record<string, unknown> | null;
  if (typeof payload !== 'object' || payload === null) return event;
  let changed = false;
  const redacted: Record<string, unknown> = { ...payload };
  for (const key of ['tenders', 'refunds']) {
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
