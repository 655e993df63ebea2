import {
  DomainError,
  PriceBookSchema,
  resolvePrice,
  type PriceBook,
  type PriceCandidate,
  type PriceEntry,
} from '@retail/domain';
import { z } from 'zod';
import { chunks } from '../storage/chunks';
import type { Executor } from '../storage/storage';
import { checkedPriceBookChange, listPriceBooks, type PriceBookChange } from './pricing-store';
import { StoreRefSchema, storesIn } from './promotion-preview';

/** At most this many SKUs are priced in a preview; the rest are counted, so a large change stays readable. */
export const PREVIEW_MAX_SKUS = 200;

const PriceChangeRowSchema = z.object({
  sku: z.string(),
  /** The catalog name, null when the catalog has no such SKU. */
  name: z.string().nullable(),
  nodeId: z.string(),
  code: z.string(),
  storeName: z.string(),
  currency: z.string(),
  /** Unit price in minor units for one piece (or one kg) at `effectiveAt`; null when the store has no price. */
  before: z.number().int().nullable(),
  after: z.number().int().nullable(),
  beforeBookId: z.string().nullable(),
  afterBookId: z.string().nullable(),
});

export const PriceBookPreviewSchema = z.object({
  priceBookId: z.string(),
  /** The version publishing would create; `currentVersion` is 0 for a new book. */
  version: z.number().int(),
  currentVersion: z.number().int(),
  book: PriceBookSchema,
  /** Each header field that differs from the version in force: JSON values, null where unset. */
  changes: z.array(z.object({ field: z.string(), before: z.unknown(), after: z.unknown() })),
  stores: z.array(StoreRefSchema),
  storesDropped: z.array(StoreRefSchema),
  /** The moment the prices are compared at: the book's start when it is later than now, else now. */
  effectiveAt: z.number().int(),
  /** Every store × SKU whose price at `effectiveAt` changes, with the book that decides it before and after. */
  prices: z.array(PriceChangeRowSchema),
  /** Store × SKU pairs looked at whose price stays the same (another book wins there, or the price is equal). */
  unchanged: z.number().int(),
  /** SKUs the change touches beyond the first PREVIEW_MAX_SKUS, not priced in this preview. */
  skusNotShown: z.number().int(),
});
export type PriceBookPreview = z.infer<typeof PriceBookPreviewSchema>;

const HEADER_FIELDS = [
  'name',
  'currency',
  'scope',
  'priority',
  'taxInclusive',
  'startsAt',
  'endsAt',
  'active',
] as const;
/** Header fields that decide which book wins at a till: changing one re-prices every SKU of the book. */
const DECIDING_FIELDS = new Set<string>(['currency', 'scope', 'priority', 'startsAt', 'endsAt', 'active']);

async function entriesFor(executor: Executor, skus: readonly string[]): Promise<PriceEntry[]> {
  const found: PriceEntry[] = [];
  for (const chunk of chunks(skus, 500)) {
    const rows = await executor
      .selectFrom('price_entries')
      .select('data')
      .where('sku', 'in', chunk)
      .execute();
    for (const row of rows) found.push(JSON.parse(row.data) as PriceEntry);
  }
  return found;
}

function priceAt(
  sku: string,
  candidates: readonly PriceCandidate[],
  store: { nodeId: string; region: string; currency: string },
  at: number,
): { amount: number; bookId: string } | null {
  try {
    const resolved = resolvePrice(sku, candidates, {
      storeId: store.nodeId,
      regionId: store.region,
      at,
      qty: 1,
      currency: store.currency,
    });
    return { amount: resolved.unitPrice.amount, bookId: resolved.priceBookId };
  } catch (error) {
    if (error instanceof DomainError && error.code === 'NO_PRICE') return null;
    throw error;
  }
}

/**
 * What publishing a price book change would do at each store, without writing anything: for every store
 * that has or gets the book and every SKU the change touches, the unit price the till charges at the
 * moment the change takes effect, before and after, decided by the same rules the tills use (so a
 * store-scoped book that outranks this one shows as "unchanged" there). Refused like the publish itself.
 */
export async function previewPriceBook(
  executor: Executor,
  priceBookId: string,
  change: PriceBookChange,
  now: number,
): Promise<PriceBookPreview> {
  const current = await executor
    .selectFrom('price_books')
    .select(['version', 'data'])
    .where('price_book_id', '=', priceBookId)
    .executeTakeFirst();
  const currentVersion = current === undefined ? undefined : Number(current.version);
  const { book, entries } = await checkedPriceBookChange(executor, priceBookId, change, currentVersion);
  const previous = current === undefined ? undefined : (JSON.parse(current.data) as PriceBook);
  const changes = HEADER_FIELDS.flatMap((field) => {
    const before = previous?.[field] ?? null;
    const after = book[field] ?? null;
    return JSON.stringify(before) === JSON.stringify(after) ? [] : [{ field, before, after }];
  });

  const touched = new Set([...entries.map((entry) => entry.sku), ...change.remove]);
  if (previous !== undefined && changes.some((each) => DECIDING_FIELDS.has(each.field))) {
    const rows = await executor
      .selectFrom('price_entries')
      .select('sku')
      .where('price_book_id', '=', priceBookId)
      .orderBy('sku')
      .limit(PREVIEW_MAX_SKUS + 1)
      .execute();
    for (const row of rows) touched.add(row.sku);
  }
  const allSkus = [...touched].sort();
  const skus = allSkus.slice(0, PREVIEW_MAX_SKUS);

  const books = await listPriceBooks(executor);
  const booksBefore = new Map(books.map((each) => [each.priceBookId, each]));
  const booksAfter = new Map(booksBefore).set(priceBookId, book);
  const stored = await entriesFor(executor, skus);
  const changed = new Map(entries.map((entry) => [entry.sku, entry]));
  const removed = new Set(change.remove);
  const candidates = (sku: string, after: boolean): PriceCandidate[] => {
    const list: PriceCandidate[] = [];
    for (const entry of stored) {
      if (entry.sku !== sku) continue;
      if (after && entry.priceBookId === priceBookId) continue;
      const owner = (after ? booksAfter : booksBefore).get(entry.priceBookId);
      if (owner !== undefined) list.push({ book: owner, entry });
    }
    const replacement = changed.get(sku);
    if (after && replacement !== undefined && !removed.has(sku)) list.push({ book, entry: replacement });
    if (after && replacement === undefined && !removed.has(sku)) {
      const kept = stored.find((entry) => entry.sku === sku && entry.priceBookId === priceBookId);
      if (kept !== undefined) list.push({ book, entry: kept });
    }
    return list;
  };

  const reached = await storesIn(executor, book.scope);
  const reachedIds = new Set(reached.map((store) => store.nodeId));
  const dropped = (await storesIn(executor, previous?.scope)).filter(
    (store) => !reachedIds.has(store.nodeId),
  );
  const storeIds = [...reached, ...dropped].map((store) => store.nodeId);
  const storeRows =
    storeIds.length === 0
      ? []
      : await executor
          .selectFrom('nodes')
          .select(['node_id', 'region', 'currency'])
          .where('node_id', 'in', storeIds)
          .execute();
  const where = new Map(storeRows.map((row) => [row.node_id, row]));
  const named =
    skus.length === 0
      ? []
      : await executor.selectFrom('skus').select(['sku', 'data']).where('sku', 'in', skus).execute();
  const names = new Map(
    named.map((row) => [row.sku, (JSON.parse(row.data) as { name?: string }).name ?? null]),
  );

  const effectiveAt = Math.max(now, book.startsAt ?? now);
  const prices: PriceBookPreview['prices'] = [];
  let unchanged = 0;
  for (const sku of skus) {
    const before = candidates(sku, false);
    const after = candidates(sku, true);
    for (const store of [...reached, ...dropped]) {
      const place = where.get(store.nodeId);
      if (place === undefined) continue;
      const context = { nodeId: store.nodeId, region: place.region, currency: place.currency };
      const old = priceAt(sku, before, context, effectiveAt);
      const next = priceAt(sku, after, context, effectiveAt);
      if (old?.amount === next?.amount && old?.bookId === next?.bookId) {
        unchanged += 1;
        continue;
      }
      prices.push({
        sku,
        name: names.get(sku) ?? null,
        nodeId: store.nodeId,
        code: store.code,
        storeName: store.name,
        currency: place.currency,
        before: old?.amount ?? null,
        after: next?.amount ?? null,
        beforeBookId: old?.bookId ?? null,
        afterBookId: next?.bookId ?? null,
      });
    }
  }
  return {
    priceBookId,
    version: book.version,
    currentVersion: currentVersion ?? 0,
    book,
    changes,
    stores: reached,
    storesDropped: dropped,
    effectiveAt,
    prices,
    unchanged,
    skusNotShown: allSkus.length - skus.length,
  };
}
