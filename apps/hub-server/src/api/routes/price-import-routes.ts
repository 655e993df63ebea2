import type { FastifyInstance } from 'fastify';
import { PRICE_CSV_COLUMNS } from '../../catalog/import-parsing';
import type { RouteRegistry } from '../route';
import { addStreamedImportRoute, DEFAULT_IMPORT_LIMIT_BYTES } from './import-routes';

/**
 * Price import: the catalog import's streaming, line-numbered validation and all-or-nothing apply, taking
 * only prices. Each book the file touches gets one new version, kept in its history and published to the
 * book's stores at once, so a book scheduled to start later reaches the tills before it starts. Progress
 * and reports are read from the catalog import endpoints (`/api/catalog/imports/:importId`).
 */
export function registerPriceImportRoutes(
  app: FastifyInstance,
  routes: RouteRegistry,
  maxBytes = DEFAULT_IMPORT_LIMIT_BYTES,
): void {
  void app.register(async (scope) => {
    // Its own plugin scope so fastify never parses or buffers the upload: the handler streams it.
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser('*', (_request, payload, done) => done(null, payload));
    addStreamedImportRoute(scope, routes, maxBytes, {
      url: '/api/price-books/import',
      summary:
        'Import prices into existing price books from a streamed CSV or JSON upload: all rows or none, with a ' +
        'report of every problem by line (400 when any row is wrong); each book touched gets one new version. ' +
        `CSV columns: ${PRICE_CSV_COLUMNS.join(', ')} (price is a decimal in the book's currency; tiers like ` +
        '6=2.29|12=1.99). JSON: records { "type": "price", priceBookId, sku, tiers: [{ minQty, unitPrice }] }.',
      tag: 'pricing',
      name: 'price import',
      nothingDone: 'noPriceChanged',
      records: 'prices',
    });
  });
}
