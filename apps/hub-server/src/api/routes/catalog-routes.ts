import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import {
  BARCODE_PATTERN,
  CategorySchema,
  DomainError,
  ProductSchema,
  SkuSchema,
  TaxRateSchema,
} from '@retail/domain';
import {
  findCatalogProblems,
  findSkuByBarcode,
  getSku,
  writeCatalog,
  type CatalogRecord,
} from '../../catalog/catalog-store';
import {
  CatalogItemInputSchema,
  CatalogItemPageSchema,
  CatalogItemQuerySchema,
  CatalogItemSchema,
  CatalogOptionsSchema,
  catalogOptions,
  getItem,
  listItems,
  saveItem,
} from '../../catalog/catalog-items';
import { inHubTransaction } from '../../hub-tx';
import type { RouteRegistry } from '../route';

const id = z.string().min(1).max(100);

async function writeOne(routes: RouteRegistry, record: CatalogRecord): Promise<void> {
  await inHubTransaction(routes.hub, async (tx) => {
    const problems = await findCatalogProblems(tx.trx, [record]);
    if (problems.length > 0) {
      const text = problems.map((p) => p.message).join(' ');
      throw new DomainError(
        'INVALID_INPUT',
        'hub.catalog.recordNotValid',
        { problems: text },
        {
          issues: problems.map((p) => ({ path: 'body', message: p.message })),
        },
      );
    }
    await writeCatalog(tx, [record]);
  });
}

function sameKey(url: string, body: string): void {
  if (url !== body) throw new DomainError('INVALID_INPUT', 'hub.api.idUrlBodyDiffer', { url, body });
}

/** Single-record catalog edits and lookups; bulk changes go through the import. */
export function registerCatalogRoutes(app: FastifyInstance, routes: RouteRegistry): void {
  const hub = routes.hub;
  const read = { kind: 'hq', role: 'viewer', scopes: ['catalog:read'] } as const;
  const write = { kind: 'hq', role: 'operator' } as const;

  routes.add(app, {
    method: 'GET',
    url: '/api/catalog/items',
    summary: 'Search catalog items (SKUs) by name, SKU or barcode, with their versions, a page at a time',
    tag: 'catalog',
    access: read,
    query: CatalogItemQuerySchema,
    response: CatalogItemPageSchema,
    handler: ({ query }) => listItems(hub.storage.db, query),
  });
  routes.add(app, {
    method: 'GET',
    url: '/api/catalog/options',
    summary: 'What an item can be given: categories (with their paths) and the tax classes of the tax rates',
    tag: 'catalog',
    access: read,
    response: CatalogOptionsSchema,
    handler: () => catalogOptions(hub.storage.db),
  });
  routes.add(app, {
    method: 'GET',
    url: '/api/catalog/items/:sku',
    summary: 'One catalog item with the version to send back when changing it',
    tag: 'catalog',
    access: read,
    params: z.object({ sku: id }),
    errors: [404],
    response: CatalogItemSchema,
    handler: ({ params }) => getItem(hub.storage.db, params.sku),
  });
  routes.add(app, {
    method: 'PUT',
    url: '/api/catalog/items/:sku',
    summary:
      'Create (expectedVersion null) or change a catalog item at the version you saw: 409 CONFLICT when ' +
      'someone changed it meanwhile; audited, and sent to every store',
    tag: 'catalog',
    access: write,
    params: z.object({ sku: id }),
    body: CatalogItemInputSchema,
    errors: [404, 409],
    response: CatalogItemSchema,
    audit: 'in-handler',
    handler: ({ params, body, actor }) => saveItem(hub, params.sku, body, actor),
  });
  routes.add(app, {
    method: 'GET',
    url: '/api/catalog/skus/:sku',
    summary: 'One SKU',
    tag: 'catalog',
    access: read,
    params: z.object({ sku: id }),
    response: SkuSchema,
    handler: ({ params }) => getSku(hub.storage.db, params.sku),
  });
  routes.add(app, {
    method: 'GET',
    url: '/api/catalog/barcodes/:barcode',
    summary: 'The SKU a barcode belongs to (any accepted spelling: UPC-A = EAN-13 with a leading 0)',
    tag: 'catalog',
    access: read,
    params: z.object({
      barcode: z
        .string()
        .min(1)
        .max(100)
        .meta({ pattern: BARCODE_PATTERN, description: 'GTIN-8/12/13/14 or a store code, as scanned.' }),
    }),
    response: SkuSchema,
    handler: ({ params }) => findSkuByBarcode(hub.storage.db, params.barcode),
  });
  routes.add(app, {
    method: 'PUT',
    url: '/api/catalog/skus/:sku',
    summary: 'Create or replace a SKU',
    tag: 'catalog',
    access: write,
    params: z.object({ sku: id }),
    body: SkuSchema,
    response: SkuSchema,
    handler: async ({ params, body }) => {
      sameKey(params.sku, body.sku);
      await writeOne(routes, { kind: 'sku', data: body });
      return body;
    },
  });
  routes.add(app, {
    method: 'PUT',
    url: '/api/catalog/products/:productId',
    summary: 'Create or replace a product',
    tag: 'catalog',
    access: write,
    params: z.object({ productId: id }),
    body: ProductSchema,
    response: ProductSchema,
    handler: async ({ params, body }) => {
      sameKey(params.productId, body.productId);
      await writeOne(routes, { kind: 'product', data: body });
      return body;
    },
  });
  routes.add(app, {
    method: 'PUT',
    url: '/api/catalog/categories/:categoryId',
    summary: 'Create or replace a category',
    tag: 'catalog',
    access: write,
    params: z.object({ categoryId: id }),
    body: CategorySchema,
    response: CategorySchema,
    handler: async ({ params, body }) => {
      sameKey(params.categoryId, body.categoryId);
      await writeOne(routes, { kind: 'category', data: body });
      return body;
    },
  });
  routes.add(app, {
    method: 'PUT',
    url: '/api/tax-rates/:rateId',
    summary: 'Create or replace a tax rate',
    tag: 'catalog',
    access: write,
    params: z.object({ rateId: id }),
    body: TaxRateSchema,
    response: TaxRateSchema,
    handler: async ({ params, body }) => {
      sameKey(params.rateId, body.rateId);
      await writeOne(routes, { kind: 'tax_rate', data: body });
      return body;
    },
  });
}
