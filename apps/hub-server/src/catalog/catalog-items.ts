import { sql } from 'kysely';
import { z } from 'zod';
import {
  barcodeKey,
  buildCategoryLineage,
  DomainError,
  isDomainError,
  skuCategoryIds,
  SkuSchema,
  SkuUnitSchema,
  type Category,
  type Product,
  type Sku,
} from '@retail/domain';
import { recordAudit } from '../audit/hq-audit';
import type { HubContext } from '../hub-context';
import { inHubTransaction } from '../hub-tx';
import type { Executor } from '../storage/storage';
import { findCatalogProblems, writeCatalog, type CatalogRecord } from './catalog-store';

/**
 * Catalog items as HQ edits them in the dashboard: a SKU with its version. Every write names the version
 * the operator saw (or `null` to create), so two people editing one item cannot silently overwrite each
 * other; each accepted write leaves an HQ audit entry with the item before and after, in the same
 * transaction, and reaches the stores through the feed like any catalog write.
 */

const entityId = z.string().trim().min(1).max(100);

export const CatalogItemSchema = z.object({
  sku: SkuSchema,
  /** Raised by every write (edit, import, API); send it back as `expectedVersion` to change the item. */
  version: z.number().int().min(1),
  /** The item's own category (the first of `sku.categoryIds`), null when it has none. */
  categoryId: z.string().nullable(),
  updatedAt: z.number().int(),
});
export type CatalogItem = z.infer<typeof CatalogItemSchema>;

export const CatalogItemInputSchema = z.object({
  /** The version the operator saw; `null` creates the item and is refused if it already exists. */
  expectedVersion: z.number().int().min(1).nullable(),
  /** An existing product, or a new one created with the item's name and category. */
  productId: entityId,
  name: z.string().trim().min(1).max(200),
  unit: SkuUnitSchema,
  /** The VAT/sales-tax class the tax rates are keyed by (`food`, `standard`...). */
  taxCategory: entityId,
  categoryId: entityId.nullable(),
  barcodes: z.array(z.string().trim().min(1).max(100)).max(50),
  active: z.boolean(),
});
export type CatalogItemInput = z.infer<typeof CatalogItemInputSchema>;

export const ITEM_STATUSES = ['active', 'inactive', 'all'] as const;

export const CatalogItemQuerySchema = z.object({
  /** Part of the name, the start of the SKU, or a barcode in any accepted spelling. */
  q: z.string().trim().max(100).optional(),
  status: z.enum(ITEM_STATUSES).default('all'),
  /** The last SKU of the previous page. */
  after: z.string().min(1).max(100).optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
});
export type CatalogItemQuery = z.infer<typeof CatalogItemQuerySchema>;

export const CatalogItemPageSchema = z.object({
  items: z.array(CatalogItemSchema),
  /** Pass as `after` for the next page; null on the last one. */
  nextCursor: z.string().nullable(),
});

/** What the editor offers to pick from: categories and the tax classes the tax rates use. */
export const CatalogOptionsSchema = z.object({
  categories: z.array(z.object({ categoryId: z.string(), name: z.string(), path: z.array(z.string()) })),
  taxCategories: z.array(z.string()),
});

interface SkuRow {
  readonly data: string;
  readonly version: number | string;
  readonly updated_at: number | string;
}

function toItem(row: SkuRow): CatalogItem {
  const sku = JSON.parse(row.data) as Sku;
  return {
    sku,
    version: Number(row.version),
    categoryId: sku.categoryIds[0] ?? null,
    updatedAt: Number(row.updated_at),
  };
}

/** `%` and `_` in what the operator typed are literal characters, not wildcards. */
function likeLiteral(text: string): string {
  return text.replace(/[\\%_]/g, (character) => `\\${character}`);
}

function barcodeKeyOrNull(text: string): string | null {
  try {
    return barcodeKey(text);
  } catch (error) {
    if (isDomainError(error)) return null;
    throw error;
  }
}

export async function listItems(
  executor: Executor,
  query: CatalogItemQuery,
): Promise<z.infer<typeof CatalogItemPageSchema>> {
  let select = executor.selectFrom('skus').select(['data', 'version', 'updated_at']);
  const q = query.q ?? '';
  if (q !== '') {
    const text = likeLiteral(q.toLowerCase());
    const key = barcodeKeyOrNull(q);
    select = select.where((eb) =>
      eb.or([
        eb(sql`lower(skus.name)`, 'like', sql`${`%${text}%`} escape '\\'`),
        eb(sql`lower(skus.sku)`, 'like', sql`${`${text}%`} escape '\\'`),
        ...(key === null
          ? []
          : [
              eb(
                'skus.sku',
                'in',
                eb.selectFrom('barcodes').select('barcodes.sku').where('barcodes.barcode_key', '=', key),
              ),
            ]),
      ]),
    );
  }
  if (query.status !== 'all') select = select.where('active', '=', query.status === 'active' ? 1 : 0);
  if (query.after !== undefined) select = select.where('sku', '>', query.after);
  const rows = await select
    .orderBy('sku')
    .limit(query.limit + 1)
    .execute();
  const items = rows.slice(0, query.limit).map(toItem);
  return {
    items,
    nextCursor: rows.length > query.limit ? (items.at(-1)?.sku.sku ?? null) : null,
  };
}

async function findItem(executor: Executor, sku: string): Promise<CatalogItem | undefined> {
  const row = await executor
    .selectFrom('skus')
    .select(['data', 'version', 'updated_at'])
    .where('sku', '=', sku)
    .executeTakeFirst();
  return row === undefined ? undefined : toItem(row);
}

export async function getItem(executor: Executor, sku: string): Promise<CatalogItem> {
  const item = await findItem(executor, sku);
  if (item === undefined) throw new DomainError('NOT_FOUND', 'hub.catalog.noSkuCatalog', { sku }, { sku });
  return item;
}

export async function catalogOptions(executor: Executor): Promise<z.infer<typeof CatalogOptionsSchema>> {
  const categories = (await executor.selectFrom('categories').select('data').execute()).map(
    (row) => JSON.parse(row.data) as Category,
  );
  const lineage = buildCategoryLineage(categories);
  const names = new Map(categories.map((category) => [category.categoryId, category.name]));
  const taxRates = await executor.selectFrom('tax_rates').select('data').execute();
  const taxCategories = new Set(
    taxRates.map((row) => (JSON.parse(row.data) as { taxCategory: string }).taxCategory),
  );
  return {
    categories: categories
      .map((category) => ({
        categoryId: category.categoryId,
        name: category.name,
        // Root first, for a label like "Food › Dairy › Milk".
        path: [...(lineage.get(category.categoryId) ?? [])].reverse().map((id) => names.get(id) ?? id),
      }))
      .sort((a, b) => a.path.join('\u0000').localeCompare(b.path.join('\u0000'))),
    taxCategories: [...taxCategories].sort(),
  };
}

function staleVersion(sku: string, seen: number | null, current: number | null): DomainError {
  const details = { sku, expectedVersion: seen, currentVersion: current };
  if (seen === null)
    return new DomainError(
      'CONFLICT',
      'hub.catalog.skuAlreadyExists',
      { sku, current: String(current) },
      details,
    );
  if (current === null) return new DomainError('CONFLICT', 'hub.catalog.skuNoLongerExists', { sku }, details);
  return new DomainError('CONFLICT', 'hub.catalog.skuChangedBySomeoneElse', { sku, current, seen }, details);
}

/**
 * Creates or changes one item at the version the operator saw. The SKU's category lineage is derived
 * from `categoryId`; a product that does not exist yet is created with the item's name and category.
 */
export async function saveItem(
  hub: HubContext,
  skuId: string,
  input: CatalogItemInput,
  actor: string,
): Promise<CatalogItem> {
  return inHubTransaction(hub, async (tx) => {
    const before = await findItem(tx.trx, skuId);
    if ((before?.version ?? null) !== input.expectedVersion)
      throw staleVersion(skuId, input.expectedVersion, before?.version ?? null);

    const categories = (await tx.trx.selectFrom('categories').select('data').execute()).map(
      (row) => JSON.parse(row.data) as Category,
    );
    const categoryIds = skuCategoryIds(input.categoryId ?? undefined, buildCategoryLineage(categories));
    const parsed = SkuSchema.safeParse({
      sku: skuId,
      productId: input.productId,
      name: input.name,
      unit: input.unit,
      taxCategory: input.taxCategory,
      categoryIds,
      barcodes: input.barcodes,
      active: input.active,
    });
    if (!parsed.success) {
      const problems = parsed.error.issues.map((issue) => issue.message).join(' ');
      throw new DomainError(
        'INVALID_INPUT',
        'hub.catalog.recordNotValid',
        { problems },
        {
          issues: parsed.error.issues.map((issue) => ({
            path: ['body', ...issue.path.map(String)].join('.'),
            message: issue.message,
          })),
        },
      );
    }
    const records: CatalogRecord[] = [];
    const product = await tx.trx
      .selectFrom('products')
      .select('product_id')
      .where('product_id', '=', input.productId)
      .executeTakeFirst();
    if (product === undefined) {
      const created: Product = {
        productId: input.productId,
        name: input.name,
        ...(input.categoryId === null ? {} : { categoryId: input.categoryId }),
      };
      records.push({ kind: 'product', data: created });
    }
    records.push({ kind: 'sku', data: parsed.data });
    const problems = await findCatalogProblems(tx.trx, records);
    if (problems.length > 0) {
      const text = problems.map((problem) => problem.message).join(' ');
      throw new DomainError(
        'INVALID_INPUT',
        'hub.catalog.recordNotValid',
        { problems: text },
        {
          issues: problems.map((problem) => ({ path: 'body', message: problem.message })),
        },
      );
    }
    await writeCatalog(tx, records);
    const after = await getItem(tx.trx, skuId);
    // Two writers that both saw version N: the row lock the upsert takes makes the second one see N + 2.
    if (after.version !== (input.expectedVersion ?? 0) + 1)
      throw staleVersion(skuId, input.expectedVersion, after.version - 1);
    await recordAudit(
      tx.trx,
      {
        actor,
        action: before === undefined ? 'catalog.item.create' : 'catalog.item.update',
        subject: `sku:${skuId}`,
        before: before === undefined ? null : { ...before.sku, version: before.version },
        after: { ...after.sku, version: after.version },
      },
      tx.at,
      hub.newId,
    );
    return after;
  });
}
