import { invalid } from '../errors';
import { PRICE_BOOK_ID_PATTERN, type PriceBook } from './price-book';

/**
 * The earliest window boundary (a `startsAt` or `endsAt`) strictly after `at`, or undefined when no price
 * book changes any more. The store node sets a timer for it so prices switch at the right second while
 * offline; switched-off books are skipped because their boundaries change nothing.
 */
export function nextPriceChangeAt(
  books: Iterable<Pick<PriceBook, 'startsAt' | 'endsAt' | 'active'>>,
  at: number,
): number | undefined {
  if (!Number.isSafeInteger(at)) {
    throw invalid('pricing.timeMustWholeEpoch', {}, { at });
  }
  let next: number | undefined;
  for (const book of books) {
    if (book.active === false) continue;
    for (const boundary of [book.startsAt, book.endsAt]) {
      if (boundary !== undefined && boundary > at && (next === undefined || boundary < next)) next = boundary;
    }
  }
  return next;
}

export interface PriceBookVersionRef {
  readonly priceBookId: string;
  readonly version: number;
}

/** A price book used on a sale: a book itself, a `PriceBookVersionRef` or a `PriceResolution`. */
export type UsedPriceBook =
  PriceBookVersionRef | { readonly priceBookId: string; readonly priceBookVersion: number };

function versionOf(used: UsedPriceBook): number {
  return 'version' in used ? used.version : used.priceBookVersion;
}

/**
 * The sale's price-book version tag: every book used, once, sorted by id, as `id@version` joined with
 * `+` (e.g. "pb-chain@7+pb-store-1@3"); "" when no book was used (every line price-overridden). Pure and
 * order-independent, so the hub can compare it with its own. Two versions of one book on one sale is
 * refused: a sale is priced from one snapshot.
 */
export function priceBookVersionTag(used: Iterable<UsedPriceBook>): string {
  const versions = new Map<string, number>();
  for (const book of used) {
    const version = versionOf(book);
    if (!PRICE_BOOK_ID_PATTERN.test(book.priceBookId)) {
      throw invalid(
        'pricing.notValidPriceBook',
        { priceBookId: book.priceBookId },
        { priceBookId: book.priceBookId },
      );
    }
    if (!Number.isSafeInteger(version) || version < 1) {
      throw invalid(
        'pricing.priceBookInvalidVersion',
        { priceBookId: book.priceBookId, version: String(version) },
        {
          priceBookId: book.priceBookId,
        },
      );
    }
    const known = versions.get(book.priceBookId);
    if (known !== undefined && known !== version) {
      throw invalid(
        'pricing.priceBookAppearsVersions',
        { priceBookId: book.priceBookId, known, version },
        { priceBookId: book.priceBookId, versions: [known, version] },
      );
    }
    versions.set(book.priceBookId, version);
  }
  return [...versions.keys()]
    .sort((left, right) => (left < right ? -1 : 1))
    .map((priceBookId) => `${priceBookId}@${versions.get(priceBookId) as number}`)
    .join('+');
}

const TAG_PART = /^([A-Za-z0-9][A-Za-z0-9._:-]{0,63})@([1-9]\d{0,15})$/;

/** Reads a tag made by `priceBookVersionTag` back into its books and versions (the hub's audit). */
export function parsePriceBookVersionTag(tag: string): PriceBookVersionRef[] {
  if (tag === '') return [];
  const refs = tag.split('+').map((part) => {
    const match = TAG_PART.exec(part);
    const version = match === null ? NaN : Number(match[2]);
    if (match === null || !Number.isSafeInteger(version)) {
      throw invalid('pricing.notPriceBookVersion', { tag }, { tag });
    }
    return { priceBookId: match[1] as string, version };
  });
  if (priceBookVersionTag(refs) !== tag) {
    throw invalid('pricing.notCanonicalFormEach', { tag }, { tag });
  }
  return refs;
}
