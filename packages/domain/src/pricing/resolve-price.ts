import { assertNever, DomainError, invalid } from '../errors';
import { isSupportedCurrency, money, toDecimal, type Money } from '../money';
import { formatInstant } from '../time';
import type { PriceBook, PriceEntry, PriceTier } from './price-book';

/**
 * Which price a SKU sells at, decided the same way on the store node (offline) and at the hub (audit):
 *
 * 1. A book is eligible when it is active, in the sale's currency, in scope for the store (chain; the
 *    store's region; the store itself) and `startsAt ≤ at < endsAt`.
 * 2. Its tier for the quantity is the one with the highest `minQty ≤ qty`.
 * 3. Among eligible books: most specific scope (store > region > chain), then higher priority, then lower
 *    unit price at that tier, then priceBookId in code-unit order. Every step is a total order on distinct
 *    book ids, so the winner never depends on the order candidates are listed in.
 */

export interface PriceCandidate {
  readonly book: PriceBook;
  readonly entry: PriceEntry;
}

export interface PriceContext {
  readonly storeId: string;
  readonly regionId?: string | undefined;
  /** Epoch milliseconds of the sale (the device clock on the store node). */
  readonly at: number;
  /** Pieces, or grams for kg SKUs; always ≥ 1 (returns price the sold quantity, not a negative one). */
  readonly qty: number;
  readonly currency: string;
}

export interface PriceConsideration {
  readonly priceBookId: string;
  readonly eligible: boolean;
  readonly why: string;
}

export interface PriceResolution {
  readonly sku: string;
  /** Per piece, or per kilogram for kg SKUs. */
  readonly unitPrice: Money;
  readonly taxInclusive: boolean;
  readonly priceBookId: string;
  readonly priceBookVersion: number;
  readonly tierMinQty: number;
  /** A sentence for the cashier's price check screen and the hub's audit. */
  readonly reason: string;
  /** Every candidate: the eligible ones in precedence order (winner first), then the others by id. */
  readonly considered: readonly PriceConsideration[];
}

interface RankedCandidate {
  readonly book: PriceBook;
  readonly tier: PriceTier;
  readonly specificity: number;
}

function scopeSpecificity(book: PriceBook): number {
  const scope = book.scope;
  switch (scope.type) {
    case 'store':
      return 3;
    case 'region':
      return 2;
    case 'chain':
      return 1;
    default:
      return assertNever(scope, 'price book scope');
  }
}

function describeScope(book: PriceBook): string {
  const scope = book.scope;
  switch (scope.type) {
    case 'store':
      return `store ${scope.storeId}`;
    case 'region':
      return `region ${scope.regionId}`;
    case 'chain':
      return 'whole chain';
    default:
      return assertNever(scope, 'price book scope');
  }
}

function scopeProblem(book: PriceBook, context: PriceContext): string | undefined {
  const scope = book.scope;
  switch (scope.type) {
    case 'chain':
      return undefined;
    case 'region':
      if (context.regionId === undefined) {
        return `For region ${scope.regionId} only; this store has no region.`;
      }
      return scope.regionId === context.regionId
        ? undefined
        : `For region ${scope.regionId} only; this store is in region ${context.regionId}.`;
    case 'store':
      return scope.storeId === context.storeId ? undefined : `For store ${scope.storeId} only.`;
    default:
      return assertNever(scope, 'price book scope');
  }
}

function eligibilityProblem(book: PriceBook, context: PriceContext): string | undefined {
  if (book.active === false) return 'Switched off by HQ.';
  if (book.currency !== context.currency) {
    return `Priced in ${book.currency}; this sale is in ${context.currency}.`;
  }
  const outOfScope = scopeProblem(book, context);
  if (outOfScope !== undefined) return outOfScope;
  if (book.startsAt !== undefined && context.at < book.startsAt) {
    return `Starts at ${formatInstant(book.startsAt)}.`;
  }
  if (book.endsAt !== undefined && context.at >= book.endsAt) {
    return `Ended at ${formatInstant(book.endsAt)}.`;
  }
  return undefined;
}

/** The tier with the highest minQty ≤ qty (tiers are stored by increasing minQty). */
export function tierForQuantity(tiers: readonly PriceTier[], qty: number): PriceTier | undefined {
  for (let index = tiers.length - 1; index >= 0; index -= 1) {
    const tier = tiers[index] as PriceTier;
    if (tier.minQty <= qty) return tier;
  }
  return undefined;
}

function compareIds(left: string, right: string): number {
  return left < right ? -1 : left > right ? 1 : 0;
}

function comparePrecedence(left: RankedCandidate, right: RankedCandidate): number {
  return (
    right.specificity - left.specificity ||
    right.book.priority - left.book.priority ||
    left.tier.unitPrice - right.tier.unitPrice ||
    compareIds(left.book.priceBookId, right.book.priceBookId)
  );
}

function formatPrice(book: PriceBook, tier: PriceTier): string {
  return `${book.currency} ${toDecimal(money(tier.unitPrice, book.currency))}`;
}

/** Why `winner` outranks `other`, naming the first precedence step that separates them. */
function decidingStep(winner: RankedCandidate, other: RankedCandidate): string {
  if (winner.specificity !== other.specificity) {
    return `${describeScope(winner.book)} is more specific than ${describeScope(other.book)}`;
  }
  if (winner.book.priority !== other.book.priority) {
    return `priority ${winner.book.priority} is higher than ${other.book.priority}`;
  }
  if (winner.tier.unitPrice !== other.tier.unitPrice) {
    return `${formatPrice(winner.book, winner.tier)} is lower than ${formatPrice(other.book, other.tier)}`;
  }
  return `scope, priority and price are equal and ${winner.book.priceBookId} comes first by id`;
}

function assertContext(sku: string, context: PriceContext): void {
  if (typeof sku !== 'string' || sku.length === 0) {
    throw invalid('pricing.skuNeededLookUp');
  }
  if (typeof context.storeId !== 'string' || context.storeId.length === 0) {
    throw invalid('pricing.storeNeededLookUp', {}, { sku });
  }
  if (!Number.isSafeInteger(context.at)) {
    throw invalid('pricing.timePriceLookupMust', {}, { sku, at: context.at });
  }
  if (!Number.isSafeInteger(context.qty) || context.qty < 1) {
    throw invalid(
      'pricing.quantitySkuMustWhole',
      { sku, qty: String(context.qty) },
      { sku, qty: context.qty },
    );
  }
  if (!isSupportedCurrency(context.currency)) {
    throw invalid(
      'money.currencyNotSupportedIso',
      { currency: JSON.stringify(context.currency) },
      {
        sku,
        currency: context.currency,
      },
    );
  }
}

/**
 * Resolves the unit price of `sku` from the price books that list it (see the rules at the top of this
 * file). Throws DomainError('NO_PRICE') when no book applies, with every candidate's reason in `details`,
 * and DomainError('INVALID_INPUT') for a malformed context or candidates that do not belong together.
 */
export function resolvePrice(
  sku: string,
  candidates: readonly PriceCandidate[],
  context: PriceContext,
): PriceResolution {
  assertContext(sku, context);
  const ranked: RankedCandidate[] = [];
  const ineligible: PriceConsideration[] = [];
  const seenBookIds = new Set<string>();
  for (const { book, entry } of candidates) {
    if (entry.sku !== sku || entry.priceBookId !== book.priceBookId) {
      throw invalid(
        'pricing.pricesSkuBookOffered',
        { sku: entry.sku, priceBookId: entry.priceBookId, priceBookId2: book.priceBookId, sku2: sku },
        { sku, priceBookId: book.priceBookId },
      );
    }
    if (seenBookIds.has(book.priceBookId)) {
      throw invalid(
        'pricing.priceBookListedTwice',
        { priceBookId: book.priceBookId, sku },
        {
          sku,
          priceBookId: book.priceBookId,
        },
      );
    }
    seenBookIds.add(book.priceBookId);
    const problem = eligibilityProblem(book, context);
    if (problem !== undefined) {
      ineligible.push({ priceBookId: book.priceBookId, eligible: false, why: problem });
      continue;
    }
    const tier = tierForQuantity(entry.tiers, context.qty);
    if (tier === undefined) {
      const lowest = entry.tiers[0]?.minQty;
      ineligible.push({
        priceBookId: book.priceBookId,
        eligible: false,
        why:
          lowest === undefined
            ? 'Lists no prices for this SKU.'
            : `Its lowest tier starts at qty ${lowest}; this line has ${context.qty}.`,
      });
      continue;
    }
    ranked.push({ book, tier, specificity: scopeSpecificity(book) });
  }
  ineligible.sort((left, right) => compareIds(left.priceBookId, right.priceBookId));
  ranked.sort(comparePrecedence);
  const [winner, runnerUp] = ranked;
  if (winner === undefined) {
    throw new DomainError(
      'NO_PRICE',
      'pricing.skuNoPriceStore',
      { sku },
      {
        sku,
        storeId: context.storeId,
        at: context.at,
        considered: ineligible,
      },
    );
  }
  const winnerPrice = formatPrice(winner.book, winner.tier);
  const considered: PriceConsideration[] = ranked.map((candidate) =>
    candidate === winner
      ? {
          priceBookId: candidate.book.priceBookId,
          eligible: true,
          why: `Chosen: ${winnerPrice} from qty ${winner.tier.minQty}.`,
        }
      : {
          priceBookId: candidate.book.priceBookId,
          eligible: true,
          why:
            `Applies at ${formatPrice(candidate.book, candidate.tier)}, but ${winner.book.priceBookId} wins: ` +
            `${decidingStep(winner, candidate)}.`,
        },
  );
  const because =
    runnerUp === undefined
      ? 'the only price book that applies here now'
      : `it wins over ${runnerUp.book.priceBookId} because ${decidingStep(winner, runnerUp)}`;
  return {
    sku,
    unitPrice: money(winner.tier.unitPrice, winner.book.currency),
    taxInclusive: winner.book.taxInclusive,
    priceBookId: winner.book.priceBookId,
    priceBookVersion: winner.book.version,
    tierMinQty: winner.tier.minQty,
    reason:
      `${winnerPrice} from price book ${winner.book.priceBookId} v${winner.book.version} ` +
      `(${describeScope(winner.book)}, tier from qty ${winner.tier.minQty}): ${because}.`,
    considered: [...considered, ...ineligible],
  };
}
