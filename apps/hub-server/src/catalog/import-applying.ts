import {
  buildCategoryLineage,
  fromDecimal,
  isDomainError,
  PriceEntrySchema,
  skuCategoryIds,
  type Category,
  type PriceBook,
  type PriceEntry,
} from '@retail/domain';
import { CHAIN_SCOPE, regionScope } from '../feed/feed-store';
import type { HubTx } from '../hub-tx';
import { chunks } from '../storage/chunks';
import type { Executor } from '../storage/storage';
import { writePriceEntries } from '../pricing/pricing-store';
import { findCatalogProblems, writeCatalog, type CatalogRecord } from './catalog-store';
import type { ImportError } from './import-report';
import { describeZodError, keyOf, type StagedRecord } from './import-validation';

/** Applying an import's staged rows: kind by kind, inside the caller's single transaction. */

export const STAGE_CHUNK = 1000;

export class ImportFailed extends Error {
  constructor(readonly problems: ImportError[]) {
    super('import failed');
  }
}

async function* stagedRecords(
  executor: Executor,
  importId: string,
  kind: string,
): AsyncGenerator<{ line: number; record: StagedRecord }[]> {
  let after = -1;
  for (;;) {
    const rows = await executor
      .selectFrom('import_rows')
      .select(['line', 'data'])
      .where('import_id', '=', importId)
      .where('kind', '=', kind)
      .where('line', '>', after)
      .orderBy('line')
      .limit(STAGE_CHUNK)
      .execute();
    if (rows.length === 0) return;
    after = Number(rows[rows.length - 1]!.line);
    yield rows.map((row) => JSON.parse(row.data) as { line: number; record: StagedRecord });
  }
}

export async function applyStaged(
  tx: HubTx,
  importId: string,
  actor: string,
): Promise<Record<string, number>> {
  const problems: ImportError[] = [];
  const summary: Record<string, number> = {};
  const count = (kind: string, n: number) => (summary[kind] = (summary[kind] ?? 0) + n);

  const writeKind = async (kind: 'category' | 'product' | 'tax_rate') => {
    for await (const batch of stagedRecords(tx.trx, importId, kind)) {
      const records = batch.map((item) => item.record as CatalogRecord);
      const found = await findCatalogProblems(tx.trx, records);
      for (const problem of found)
        problems.push({ line: batch[problem.index]!.line, column: problem.column, message: problem.message });
      // Rows with a problem are left out (the import will roll back anyway) so the rows that depend on
      // the good ones do not report follow-on errors.
      const bad = new Set(found.map((problem) => problem.index));
      await writeCatalog(
        tx,
        records.filter((_, index) => !bad.has(index)),
      );
      count(kind, records.length);
    }
  };
  await writeKind('category');
  // Lineage needs every category, including those this import just wrote.
  const categoryRows = await tx.trx.selectFrom('categories').select('data').execute();
  let lineage: ReadonlyMap<string, readonly string[]> = new Map();
  try {
    lineage = buildCategoryLineage(categoryRows.map((row) => JSON.parse(row.data) as Category));
  } catch (error) {
    if (!isDomainError(error)) throw error;
    problems.push({ line: 0, message: error.message });
  }
  await writeKind('product');
  await writeKind('tax_rate');

  for await (const batch of stagedRecords(tx.trx, importId, 'sku')) {
    const records: CatalogRecord[] = [];
    const lines: number[] = [];
    for (const { line, record } of batch) {
      if (record.kind !== 'sku') continue;
      try {
        const categoryIds =
          record.categoryId === undefined
            ? record.data.categoryIds
            : skuCategoryIds(record.categoryId, lineage);
        records.push({ kind: 'sku', data: { ...record.data, categoryIds } });
        lines.push(line);
      } catch (error) {
        if (!isDomainError(error)) throw error;
        problems.push({ line, column: 'category_id', message: error.message });
      }
    }
    const found = await findCatalogProblems(tx.trx, records);
    for (const problem of found)
      problems.push({ line: lines[problem.index]!, column: problem.column, message: problem.message });
    const bad = new Set(found.map((problem) => problem.index));
    await writeCatalog(
      tx,
      records.filter((_, index) => !bad.has(index)),
    );
    count('sku', records.length);
  }

  const books = new Map<string, PriceBook | null>();
  const bookOf = async (priceBookId: string) => {
    if (!books.has(priceBookId)) {
      const row = await tx.trx
        .selectFrom('price_books')
        .select('data')
        .where('price_book_id', '=', priceBookId)
        .$if(tx.hub.storage.kind === 'postgres', (query) => query.forUpdate())
        .executeTakeFirst();
      books.set(priceBookId, row === undefined ? null : (JSON.parse(row.data) as PriceBook));
    }
    return books.get(priceBookId) ?? null;
  };
  const touchedBooks = new Set<string>();
  for (const kind of ['price', 'csv_price'] as const) {
    for await (const batch of stagedRecords(tx.trx, importId, kind)) {
      const entries: PriceEntry[] = [];
      for (const { line, record } of batch) {
        const priceBookId =
          record.kind === 'price' || record.kind === 'csv_price' ? record.data.priceBookId : '';
        const book = await bookOf(priceBookId);
        if (book === null) {
          problems.push({
            line,
            column: 'price_book_id',
            message: `Price book ${priceBookId} does not exist; create it first.`,
          });
          continue;
        }
        if (record.kind === 'price') entries.push(record.data);
        if (record.kind === 'csv_price') {
          try {
            const tiers = [{ minQty: 1, price: record.data.price }, ...(record.data.tiers ?? [])].map(
              (tier) => ({ minQty: tier.minQty, unitPrice: fromDecimal(tier.price, book.currency).amount }),
            );
            // Tier order and "never dearer per unit" are the domain's rules, checked once amounts are known.
            const entry = PriceEntrySchema.safeParse({ priceBookId, sku: record.data.sku, tiers });
            if (entry.success) entries.push(entry.data);
            else problems.push({ line, column: 'price', message: describeZodError(entry.error) });
          } catch (error) {
            if (!isDomainError(error)) throw error;
            problems.push({ line, column: 'price', message: `price: ${error.message}` });
          }
        }
      }
      const known = new Set<string>();
      for (const chunk of chunks([...new Set(entries.map((entry) => entry.sku))], 500)) {
        const rows = await tx.trx.selectFrom('skus').select('sku').where('sku', 'in', chunk).execute();
        for (const row of rows) known.add(row.sku);
      }
      const lines = new Map(batch.map((item) => [keyOf(item.record), item.line]));
      for (const entry of entries) {
        if (!known.has(entry.sku)) {
          problems.push({
            line: lines.get(`${entry.priceBookId}:${entry.sku}`) ?? 0,
            column: 'sku',
            message: `SKU ${entry.sku} does not exist.`,
          });
        }
      }
      if (problems.length > 0) continue;
      const byBook = new Map<string, PriceEntry[]>();
      for (const entry of entries)
        byBook.set(entry.priceBookId, [...(byBook.get(entry.priceBookId) ?? []), entry]);
      for (const [priceBookId, bookEntries] of byBook) {
        const book = books.get(priceBookId)!;
        touchedBooks.add(priceBookId);
        // The version the book gets at the end of this import (one new version for the whole import).
        await writePriceEntries(tx, { ...book, version: book.version + 1 }, bookEntries, [], actor);
      }
      count('price', entries.length);
    }
  }
  if (problems.length > 0) throw new ImportFailed(problems);
  for (const priceBookId of touchedBooks) {
    // One new version per book for the whole import.
    const book = { ...books.get(priceBookId)!, version: books.get(priceBookId)!.version + 1 };
    await tx.trx
      .updateTable('price_books')
      .set({ version: book.version, data: JSON.stringify(book), updated_at: tx.at, updated_by: actor })
      .where('price_book_id', '=', priceBookId)
      .execute();
    await tx.trx
      .insertInto('entity_versions')
      .values({
        entity: 'price_book',
        entity_key: priceBookId,
        version: book.version,
        data: JSON.stringify(book),
        changed_by: actor,
        changed_at: tx.at,
      })
      .execute();
    tx.publish({ entity: 'price_book', key: priceBookId, op: 'upsert', scope: bookScope(book), data: book });
  }
  return summary;
}

function bookScope(book: PriceBook): string {
  switch (book.scope.type) {
    case 'chain':
      return CHAIN_SCOPE;
    case 'region':
      return regionScope(book.scope.regionId);
    case 'store':
      return book.scope.storeId;
  }
}
