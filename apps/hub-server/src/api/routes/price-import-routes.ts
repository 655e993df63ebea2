import type { Readable } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { DomainError } from '@retail/domain';
import {
  IMPORT_FORMATS,
  ImportReportSchema,
  PRICE_CSV_COLUMNS,
  importCatalog,
} from '../../catalog/catalog-import';
import type { RouteRegistry } from '../route';
import { DEFAULT_IMPORT_LIMIT_BYTES, formatOf, limited } from './import-routes';

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
  const hub = routes.hub;
  void app.register(async (scope) => {
    // Its own plugin scope so fastify never parses or buffers the upload: the handler streams it.
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser('*', (_request, payload, done) => done(null, payload));
    routes.add(scope, {
      method: 'POST',
      url: '/api/price-books/import',
      summary:
        'Import prices into existing price books from a streamed CSV or JSON upload: all rows or none, with a ' +
        'report of every problem by line (400 when any row is wrong); each book touched gets one new version. ' +
        `CSV columns: ${PRICE_CSV_COLUMNS.join(', ')} (price is a decimal in the book's currency; tiers like ` +
        '6=2.29|12=1.99). JSON: records { "type": "price", priceBookId, sku, tiers: [{ minQty, unitPrice }] }.',
      tag: 'pricing',
      access: { kind: 'hq', role: 'operator' },
      query: z.object({
        format: z.enum(IMPORT_FORMATS).optional(),
        dryRun: z
          .enum(['true', 'false'])
          .optional()
          .transform((value) => value === 'true'),
        importId: z.uuid().optional(),
      }),
      rawBody: {
        contentTypes: ['text/csv', 'application/json', 'application/x-ndjson'],
        description: 'The file itself, streamed; up to 1 GB.',
      },
      response: ImportReportSchema,
      handler: async ({ query, body, actor, request }) => {
        const format = formatOf(request.headers['content-type'], query.format);
        const report = await importCatalog(hub, limited(body as Readable, maxBytes), {
          format,
          actor,
          records: 'prices',
          dryRun: query.dryRun,
          ...(query.importId === undefined ? {} : { importId: query.importId }),
          onProgress: (progress) => request.log.debug({ ...progress }, 'price import progress'),
        });
        request.log.info(
          {
            importId: report.importId,
            status: report.status,
            rowsRead: report.rowsRead,
            errorCount: report.errorCount,
          },
          'price import finished',
        );
        if (report.status === 'failed') {
          throw new DomainError(
            'INVALID_INPUT',
            `No price was changed: ${report.errorCount} problem(s), first on line ${report.errors[0]?.line ?? '?'}: ${report.errors[0]?.message ?? ''}`,
            { report },
          );
        }
        return report;
      },
    });
  });
}
