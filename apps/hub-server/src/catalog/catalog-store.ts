import { sql } from 'kysely';
import { barcodeKey, DomainError, type Category, type Product, type Sku, type TaxRate } from '@retail/domain';
import { CHAIN_SCOPE } from '../feed/feed-store';
import type { HubTx } from '../hub-tx';
import { chunks } from '../storage/chunks';
import type { Executor } from '../storage/storage';

export type CatalogRecord =
  | { readonly kind: 'category'; readonly data: Category }
  | { readonly kind: 'product'; readonly data: Product }
  | { readonly kind: 'sku'; readonly data: Sku }
  | { readonly kind: 'tax_rate'; readonly data: TaxRate };

export type CatalogKind = CatalogRecord['kind'];

export function catalogKey(record: CatalogRecord): string {
  switch (record.kind) {
    case 'category':
      return record.data.categoryId;
    case 'product':
      return record.data.productId;
    case 'sku':
      return record.data.sku;
    case 'tax_rate':
      return record.data.rateId;
  }
}

/** A reference problem found while writing catalog records; `index` is the record's position. */
export interface CatalogProblem {
  readonly index: number;
  readonly message: string;
  /** The import CSV column the reference is given in. */
  readonly column: string;
}

async function existing(
  executor: Executor,
  table: 'categories' | 'products',
  ids: Iterable<string>,
): Promise<Set<string>> {
  const found = new Set<string>();
  for (const chunk of chunks([...new Set(ids)], 500)) {
    const rows =
      table === 'categories'
        ? await executor
            .selectFrom('categories')
            .select('category_id as id')
            .where('category_id', 'in', chunk)
            .execute()
        : await executor
            .selectFrom('products')
            .select('product_id as id')
            .where('product_id', 'in', chunk)
            .execute();
    for (const row of rows) found.add(row.id);
  }
  return found;
}

/**
 * Checks the references of a set of records against each other and the stored catalog: parents,
 * product categories, SKU products and categories, and barcodes that belong to another SKU.
 * Returns every problem instead of stopping at the first, so an import report lists them all.
 */
export async function findCatalogProblems(
  executor: Executor,
  records: readonly CatalogRecord[],
): Promise<CatalogProblem[]> {
  const categoryIds = new Set<string>();
  const productIds = new Set<string>();
  const wantedCategories = new Set<string>();
  const wantedProducts = new Set<string>();
  for (const record of records) {
    if (record.kind === 'category') {
      categoryIds.add(record.data.categoryId);
      if (record.data.parentId !== undefined) wantedCategories.add(record.data.parentId);
    } else if (record.kind === 'product') {
      productIds.add(record.data.productId);
      if (record.data.categoryId !== undefined) wantedCategories.add(record.data.categoryId);
    } else if (record.kind === 'sku') {
      wantedProducts.add(record.data.productId);
      for (const id of record.data.categoryIds) wantedCategories.add(id);
    }
  }
  const storedCategories = await existing(
    executor,
    'categories',
    [...wantedCategories].filter((id) => !categoryIds.has(id)),
  );
  const storedProducts = await existing(
    executor,
    'products',
    [...wantedProducts].filter((id) => !productIds.has(id)),
  );
  const hasCategory = (id: string) => categoryIds.has(id) || storedCategories.has(id);
  const hasProduct = (id: string) => productIds.has(id) || storedProducts.has(id);

  const problems: CatalogProblem[] = [];
  const barcodeOwners = new Map<string, string>();
  records.forEach((record, index) => {
    if (
      record.kind === 'category' &&
      record.data.parentId !== undefined &&
      !hasCategory(record.data.parentId)
    ) {
      problems.push({
        index,
        message: `Parent category ${record.data.parentId} does not exist.`,
        column: 'parentId',
      });
    }
    if (
      record.kind === 'product' &&
      record.data.categoryId !== undefined &&
      !hasCategory(record.data.categoryId)
    ) {
      problems.push({
        index,
        message: `Category ${record.data.categoryId} does not exist.`,
        column: 'category_id',
      });
    }
    if (record.kind === 'sku') {
      if (!hasProduct(record.data.productId)) {
        problems.push({
          index,
          message: `Product ${record.data.productId} does not exist.`,
          column: 'product_id',
        });
      }
      const missing = record.data.categoryIds.filter((id) => !hasCategory(id));
      if (missing.length > 0)
        problems.push({
          index,
          message: `Category ${missing.join(', ')} does not exist.`,
          column: 'category_id',
        });
      for (const barcode of record.data.barcodes) {
        const key = barcodeKey(barcode);
        const owner = barcodeOwners.get(key);
        if (owner !== undefined && owner !== record.data.sku) {
          problems.push({
            index,
            message: `Barcode ${barcode} is also given to SKU ${owner} in this import.`,
            column: 'barcodes',
          });
        }
        barcodeOwners.set(key, record.data.sku);
      }
    }
  });
  const keys = [...barcodeOwners.keys()];
  const indexBySku = new Map<string, number>();
  records.forEach((record, index) => {
    if (record.kind === 'sku') indexBySku.set(record.data.sku, index);
  });
  for (const chunk of chunks(keys, 500)) {
    const rows = await executor
      .selectFrom('barcodes')
      .select(['barcode_key', 'sku'])
      .where('barcode_key', 'in', chunk)
      .execute();
    for (const row of rows) {
      const newOwner = barcodeOwners.get(row.barcode_key)!;
      // A barcode moving away from a SKU that this same import also rewrites is fine.
      if (row.sku !== newOwner && !indexBySku.has(row.sku)) {
        problems.push({
          index: indexBySku.get(newOwner)!,
          message: `Barcode ${row.barcode_key} already belongs to SKU ${row.sku}.`,
          column: 'barcodes',
        });
      }
    }
  }
  return problems;
}

/**
 * Writes catalog records (insert or replace) and publishes them to every store. Callers validate first
 * (schemas, then findCatalogProblems); this runs inside the caller's transaction.
 */
export async function writeCatalog(tx: HubTx, records: readonly CatalogRecord[]): Promise<void> {
  const at = tx.at;
  const categories: Category[] = [];
  const products: Product[] = [];
  const skus: Sku[] = [];
  const taxRates: TaxRate[] = [];
  for (const record of records) {
    if (record.kind === 'category') categories.push(record.data);
    else if (record.kind === 'product') products.push(record.data);
    else if (record.kind === 'sku') skus.push(record.data);
    else taxRates.push(record.data);
  }

  for (const chunk of chunks(categories, 500)) {
    await tx.trx
      .insertInto('categories')
      .values(
        chunk.map((c) => ({
          category_id: c.categoryId,
          parent_id: c.parentId ?? null,
          data: JSON.stringify(c),
          updated_at: at,
        })),
      )
      .onConflict((oc) =>
        oc.column('category_id').doUpdateSet((eb) => ({
          parent_id: eb.ref('excluded.parent_id'),
          data: eb.ref('excluded.data'),
          updated_at: eb.ref('excluded.updated_at'),
        })),
      )
      .execute();
  }
  for (const chunk of chunks(products, 500)) {
    await tx.trx
      .insertInto('products')
      .values(chunk.map((p) => ({ product_id: p.productId, data: JSON.stringify(p), updated_at: at })))
      .onConflict((oc) =>
        oc.column('product_id').doUpdateSet((eb) => ({
          data: eb.ref('excluded.data'),
          updated_at: eb.ref('excluded.updated_at'),
        })),
      )
      .execute();
  }
  for (const chunk of chunks(skus, 500)) {
    await tx.trx
      .insertInto('skus')
      .values(
        chunk.map((s) => ({
          sku: s.sku,
          product_id: s.productId,
          name: s.name,
          active: s.active ? 1 : 0,
          data: JSON.stringify(s),
          updated_at: at,
        })),
      )
      .onConflict((oc) =>
        oc.column('sku').doUpdateSet((eb) => ({
          product_id: eb.ref('excluded.product_id'),
          name: eb.ref('excluded.name'),
          active: eb.ref('excluded.active'),
          // Every write raises the version, so an edit made from an older one is refused (catalog-items.ts).
          version: sql<number>`skus.version + 1`,
          data: eb.ref('excluded.data'),
          updated_at: eb.ref('excluded.updated_at'),
        })),
      )
      .execute();
    await tx.trx
      .deleteFrom('barcodes')
      .where(
        'sku',
        'in',
        chunk.map((s) => s.sku),
      )
      .execute();
    const barcodes = [
      ...new Map(chunk.flatMap((s) => s.barcodes.map((b) => [barcodeKey(b), s.sku] as const))).entries(),
    ];
    for (const rows of chunks(barcodes, 500)) {
      await tx.trx
        .insertInto('barcodes')
        .values(rows.map(([key, sku]) => ({ barcode_key: key, sku })))
        .onConflict((oc) => oc.column('barcode_key').doUpdateSet((eb) => ({ sku: eb.ref('excluded.sku') })))
        .execute();
    }
  }
  for (const chunk of chunks(taxRates, 500)) {
    await tx.trx
      .insertInto('tax_rates')
      .values(chunk.map((r) => ({ rate_id: r.rateId, data: JSON.stringify(r), updated_at: at })))
      .onConflict((oc) =>
        oc.column('rate_id').doUpdateSet((eb) => ({
          data: eb.ref('excluded.data'),
          updated_at: eb.ref('excluded.updated_at'),
        })),
      )
      .execute();
  }
  for (const record of records) {
    tx.publish({
      entity: record.kind,
      key: catalogKey(record),
      op: 'upsert',
      scope: CHAIN_SCOPE,
      data: record.data,
    });
  }
}

export async function getSku(executor: Executor, sku: string): Promise<Sku> {
  const row = await executor.selectFrom('skus').select('data').where('sku', '=', sku).executeTakeFirst();
  if (row === undefined) throw new DomainError('NOT_FOUND', 'hub.catalog.noSkuCatalog', { sku }, { sku });
  return JSON.parse(row.data) as Sku;
}

export async function findSkuByBarcode(executor: Executor, barcode: string): Promise<Sku> {
  const key = barcodeKey(barcode);
  const row = await executor
    .selectFrom('barcodes')
    .innerJoin('skus', 'skus.sku', 'barcodes.sku')
    .select('skus.data')
    .where('barcodes.barcode_key', '=', key)
    .executeTakeFirst();
  if (row === undefined)
    throw new DomainError('UNKNOWN_BARCODE', 'hub.catalog.noSkuBarcode', { barcode }, { barcode });
  return JSON.parse(row.data) as Sku;
}
