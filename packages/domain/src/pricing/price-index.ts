import { DomainError, invalid } from '../errors';
import type { PriceBook, PriceEntry } from './price-book';
import { nextPriceChangeAt } from './price-schedule';
import { resolvePrice, type PriceCandidate, type PriceContext, type PriceResolution } from './resolve-price';

const NO_CANDIDATES: readonly PriceCandidate[] = [];

/**
 * Price books and their entries grouped by SKU, so a lookup only looks at the few books that list the SKU.
 * Built from data already validated at the edge (feed, import): it checks only what ties books and entries
 * together, which keeps building 100,000 SKUs × several books well under a second.
 */
export class PriceIndex {
  private constructor(
    private readonly booksById: ReadonlyMap<string, PriceBook>,
    private readonly candidatesBySku: ReadonlyMap<string, readonly PriceCandidate[]>,
  ) {}

  /**
   * Throws DomainError('CONFLICT') for a repeated book id or a SKU priced twice in one book, and
   * DomainError('INVALID_INPUT') for prices that refer to a book that is not given.
   */
  static build(books: readonly PriceBook[], entries: readonly PriceEntry[]): PriceIndex {
    const booksById = new Map<string, PriceBook>();
    for (const book of books) {
      if (booksById.has(book.priceBookId)) {
        throw new DomainError(
          'CONFLICT',
          'pricing.priceBookListedTwice2',
          { priceBookId: book.priceBookId },
          {
            priceBookId: book.priceBookId,
          },
        );
      }
      booksById.set(book.priceBookId, book);
    }
    const candidatesBySku = new Map<string, PriceCandidate[]>();
    for (const entry of entries) {
      const book = booksById.get(entry.priceBookId);
      if (book === undefined) {
        throw invalid(
          'pricing.pricesSkuReferPrice',
          { sku: entry.sku, priceBookId: entry.priceBookId },
          { sku: entry.sku, priceBookId: entry.priceBookId },
        );
      }
      const candidates = candidatesBySku.get(entry.sku);
      if (candidates === undefined) {
        candidatesBySku.set(entry.sku, [{ book, entry }]);
        continue;
      }
      if (candidates.some((candidate) => candidate.book === book)) {
        throw new DomainError(
          'CONFLICT',
          'pricing.skuTwoPricesPrice',
          { sku: entry.sku, priceBookId: entry.priceBookId },
          { sku: entry.sku, priceBookId: entry.priceBookId },
        );
      }
      candidates.push({ book, entry });
    }
    return new PriceIndex(booksById, candidatesBySku);
  }

  get books(): readonly PriceBook[] {
    return [...this.booksById.values()];
  }

  get skuCount(): number {
    return this.candidatesBySku.size;
  }

  candidatesFor(sku: string): readonly PriceCandidate[] {
    return this.candidatesBySku.get(sku) ?? NO_CANDIDATES;
  }

  /** See `resolvePrice`; a SKU no book lists gets DomainError('NO_PRICE') like one no book applies to. */
  resolvePrice(sku: string, context: PriceContext): PriceResolution {
    return resolvePrice(sku, this.candidatesFor(sku), context);
  }

  /** See `nextPriceChangeAt`. */
  nextPriceChangeAt(at: number): number | undefined {
    return nextPriceChangeAt(this.booksById.values(), at);
  }
}
