import { Transform, type Readable } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { DomainError } from '@retail/domain';
import { importCatalog } from '../../catalog/catalog-import';
import { CSV_COLUMNS, IMPORT_FORMATS, type ImportKind } from '../../catalog/import-parsing';
import { getImport, importErrorsCsv, ImportReportSchema, listImports } from '../../catalog/import-report';
import type { RouteRegistry } from '../route';

export const DEFAULT_IMPORT_LIMIT_BYTES = 1024 * 1024 * 1024;

/** Counts bytes as they stream through and stops the upload past the limit (413), never buffering it. */
export function limited(source: Readable, maxBytes: number): Readable {
  let seen = 0;
  const guard = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      seen += chunk.length;
      if (seen > maxBytes) {
        done(
          new DomainError('PAYLOAD_TOO_LARGE', 'hub.api.importsLimitedMbSplit', {
            maxBytes: Math.round(maxBytes / 1048576),
          }),
        );
        return;
      }
      done(null, chunk);
    },
  });
  source.on('error', (error) => guard.destroy(error));
  return source.pipe(guard);
}

export function formatOf(contentType: string | undefined, asked: 'csv' | 'json' | undefined): 'csv' | 'json' {
  if (asked !== undefined) return asked;
  if (contentType?.includes('csv')) return 'csv';
  if (contentType?.includes('json')) return 'json';
  throw new DomainError(
    'INVALID_INPUT',
    'hub.api.importFormatMissing',
    {},
    {
      path: 'query.format',
    },
  );
}

export interface StreamedImportRoute {
  readonly url: string;
  readonly summary: string;
  readonly tag: string;
  /** How logs name it, e.g. "catalog import". */
  readonly name: string;
  /** The refusal's opening words when any row is wrong (hub.api.importRefused). */
  readonly nothingDone: 'nothingImported' | 'noPriceChanged';
  /** Only these records (the price import); default: everything the catalog import takes. */
  readonly records?: ImportKind;
}

/**
 * A streamed, all-or-nothing import endpoint: validated by line, applied in one transaction, a report
 * either way (400 with it when any row is wrong). Register it in a plugin scope whose body parser hands
 * over the raw stream, so fastify never buffers the upload.
 */
export function addStreamedImportRoute(
  scope: FastifyInstance,
  routes: RouteRegistry,
  maxBytes: number,
  route: StreamedImportRoute,
): void {
  const hub = routes.hub;
  routes.add(scope, {
    method: 'POST',
    url: route.url,
    summary: route.summary,
    tag: route.tag,
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
        dryRun: query.dryRun,
        ...(route.records === undefined ? {} : { records: route.records }),
        ...(query.importId === undefined ? {} : { importId: query.importId }),
        onProgress: (progress) => request.log.debug({ ...progress }, `${route.name} progress`),
      });
      request.log.info(
        {
          importId: report.importId,
          status: report.status,
          rowsRead: report.rowsRead,
          errorCount: report.errorCount,
        },
        `${route.name} finished`,
      );
      if (report.status === 'failed') {
        throw new DomainError(
          'INVALID_INPUT',
          'hub.api.importRefused',
          {
            nothingDone: route.nothingDone,
            errorCount: report.errorCount,
            line: report.errors[0]?.line ?? '?',
            problem: report.errors[0]?.message ?? '',
          },
          { report },
        );
      }
      return report;
    },
  });
}

/**
 * Catalog import. Registered in its own plugin scope so its body is never parsed or buffered by fastify:
 * the handler gets the raw request stream.
 */
export function registerImportRoutes(
  app: FastifyInstance,
  routes: RouteRegistry,
  maxBytes = DEFAULT_IMPORT_LIMIT_BYTES,
): void {
  const hub = routes.hub;
  void app.register(async (scope) => {
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser('*', (_request, payload, done) => done(null, payload));
    addStreamedImportRoute(scope, routes, maxBytes, {
      url: '/api/catalog/import',
      summary:
        'Import categories, products, SKUs, tax rates and prices from a streamed CSV or JSON upload: all rows or none, ' +
        'with a report of every problem by line (400 when any row is wrong). CSV columns: ' +
        CSV_COLUMNS.join(', ') +
        '. JSON: an array (or newline-delimited objects) of records with "type": category | product | sku | tax_rate | price.',
      tag: 'catalog',
      name: 'catalog import',
      nothingDone: 'nothingImported',
    });
  });
  routes.add(app, {
    method: 'GET',
    url: '/api/catalog/imports',
    summary: 'Recent imports with their progress and reports',
    tag: 'catalog',
    access: { kind: 'hq', role: 'viewer' },
    query: z.object({ limit: z.coerce.number().int().min(1).max(100).default(20) }),
    response: z.array(ImportReportSchema),
    handler: ({ query }) => listImports(hub.storage.db, query.limit),
  });
  routes.add(app, {
    method: 'GET',
    url: '/api/catalog/imports/:importId',
    summary: 'One import: rows read so far while running, then its report',
    tag: 'catalog',
    access: { kind: 'hq', role: 'viewer' },
    params: z.object({ importId: z.string().min(1).max(100) }),
    response: ImportReportSchema,
    handler: ({ params }) => getImport(hub.storage.db, params.importId),
  });
  routes.add(app, {
    method: 'GET',
    url: '/api/catalog/imports/:importId/errors.csv',
    summary: 'The rows an import rejected as CSV: line, column, reason (the first 1,000, by line)',
    tag: 'catalog',
    access: { kind: 'hq', role: 'viewer' },
    params: z.object({ importId: z.string().min(1).max(100) }),
    errors: [404],
    response: z.string(),
    rawResponse: { contentType: 'text/csv' },
    handler: async ({ params, reply }) => {
      const report = await getImport(hub.storage.db, params.importId);
      void reply.header('content-disposition', `attachment; filename="import-${report.importId}-errors.csv"`);
      return importErrorsCsv(report);
    },
  });
}
