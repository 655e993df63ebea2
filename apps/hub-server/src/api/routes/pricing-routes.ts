import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { PriceBookIdSchema, PriceBookSchema, PriceEntrySchema, PromotionSchema } from '@retail/domain';
import {
  EntityVersionSchema,
  PriceBookChangeSchema,
  PriceBookInputSchema,
  PriceEntriesInputSchema,
  PromotionInputSchema,
  getPriceBook,
  listPriceBooks,
  listPromotions,
  listVersions,
  publishPriceBook,
  savePriceBook,
  savePriceEntries,
  savePromotion,
} from '../../pricing/pricing-store';
import { PriceBookPreviewSchema, previewPriceBook } from '../../pricing/price-book-preview';
import { PromotionPreviewSchema, previewPromotion } from '../../pricing/promotion-preview';
import type { RouteRegistry } from '../route';
import { registerPriceImportRoutes } from './price-import-routes';

const promotionId = z.string().min(1).max(100);

/** Versioned price books and promotions; stores receive them through the feed ahead of their start. */
export function registerPricingRoutes(app: FastifyInstance, routes: RouteRegistry): void {
  const hub = routes.hub;
  const read = { kind: 'hq', role: 'viewer', scopes: ['catalog:read'] } as const;
  const write = { kind: 'hq', role: 'operator' } as const;
  registerPriceImportRoutes(app, routes);

  routes.add(app, {
    method: 'GET',
    url: '/api/price-books',
    summary: 'List price books',
    tag: 'pricing',
    access: read,
    response: z.array(PriceBookSchema),
    handler: () => listPriceBooks(hub.storage.db),
  });
  routes.add(app, {
    method: 'PUT',
    url: '/api/price-books/:priceBookId',
    summary: 'Create a price book, or change it (send expectedVersion); the version goes up',
    tag: 'pricing',
    access: write,
    params: z.object({ priceBookId: PriceBookIdSchema }),
    body: PriceBookInputSchema,
    response: PriceBookSchema,
    handler: ({ params, body, actor }) => savePriceBook(hub, params.priceBookId, body, actor),
  });
  routes.add(app, {
    method: 'GET',
    url: '/api/price-books/:priceBookId',
    summary: 'A price book with a page of its prices (by SKU)',
    tag: 'pricing',
    access: read,
    params: z.object({ priceBookId: PriceBookIdSchema }),
    query: z.object({
      afterSku: z.string().min(1).max(100).optional(),
      limit: z.coerce.number().int().min(1).max(5000).default(500),
    }),
    response: z.object({ book: PriceBookSchema, entries: z.array(PriceEntrySchema) }),
    handler: ({ params, query }) => getPriceBook(hub.storage.db, params.priceBookId, query),
  });
  routes.add(app, {
    method: 'PUT',
    url: '/api/price-books/:priceBookId/prices',
    summary: 'Set or remove prices in a book (up to 5,000 per request); the book version goes up once',
    tag: 'pricing',
    access: write,
    bodySize: 'large',
    params: z.object({ priceBookId: PriceBookIdSchema }),
    body: PriceEntriesInputSchema,
    response: PriceBookSchema,
    handler: ({ params, body, actor }) => savePriceEntries(hub, params.priceBookId, body, actor),
  });
  routes.add(app, {
    method: 'POST',
    url: '/api/price-books/:priceBookId/preview',
    summary:
      'What publishing this price book change would do, without writing: header fields, stores reached and ' +
      'dropped, and each store × SKU price before → after at the moment it takes effect',
    tag: 'pricing',
    access: write,
    bodySize: 'large',
    params: z.object({ priceBookId: PriceBookIdSchema }),
    body: PriceBookChangeSchema,
    response: PriceBookPreviewSchema,
    audit: { skip: 'a preview writes nothing' },
    handler: ({ params, body }) => previewPriceBook(hub.storage.db, params.priceBookId, body, hub.now()),
  });
  routes.add(app, {
    method: 'POST',
    url: '/api/price-books/:priceBookId/publish',
    summary:
      'Create or change a price book and its prices in one version (send expectedVersion, the version you ' +
      'saw, to change one; a stale one is refused with 409 CONFLICT); stores get it at once',
    tag: 'pricing',
    access: write,
    bodySize: 'large',
    params: z.object({ priceBookId: PriceBookIdSchema }),
    body: PriceBookChangeSchema,
    response: PriceBookSchema,
    handler: ({ params, body, actor }) => publishPriceBook(hub, params.priceBookId, body, actor),
  });
  routes.add(app, {
    method: 'GET',
    url: '/api/price-books/:priceBookId/versions',
    summary: 'Every version of a price book header, newest first',
    tag: 'pricing',
    access: read,
    params: z.object({ priceBookId: PriceBookIdSchema }),
    response: z.array(EntityVersionSchema),
    handler: ({ params }) => listVersions(hub.storage.db, 'price_book', params.priceBookId),
  });
  routes.add(app, {
    method: 'GET',
    url: '/api/promotions',
    summary: 'List promotions',
    tag: 'pricing',
    access: read,
    response: z.array(PromotionSchema),
    handler: () => listPromotions(hub.storage.db),
  });
  routes.add(app, {
    method: 'PUT',
    url: '/api/promotions/:promotionId',
    summary: 'Create a promotion, or change it (send expectedVersion); the version goes up',
    tag: 'pricing',
    access: write,
    params: z.object({ promotionId }),
    body: PromotionInputSchema,
    response: PromotionSchema,
    handler: ({ params, body, actor }) => savePromotion(hub, params.promotionId, body, actor),
  });
  routes.add(app, {
    method: 'POST',
    url: '/api/promotions/:promotionId/preview',
    summary:
      'What publishing this promotion would change and where (fields, stores reached and dropped, items), without writing',
    tag: 'pricing',
    access: write,
    params: z.object({ promotionId }),
    body: PromotionInputSchema,
    response: PromotionPreviewSchema,
    audit: { skip: 'a preview writes nothing' },
    handler: ({ params, body }) => previewPromotion(hub.storage.db, params.promotionId, body),
  });
  routes.add(app, {
    method: 'GET',
    url: '/api/promotions/:promotionId/versions',
    summary: 'Every version of a promotion, newest first',
    tag: 'pricing',
    access: read,
    params: z.object({ promotionId }),
    response: z.array(EntityVersionSchema),
    handler: ({ params }) => listVersions(hub.storage.db, 'promotion', params.promotionId),
  });
}
