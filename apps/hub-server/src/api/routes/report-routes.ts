import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import {
  SalesReportQuerySchema,
  SalesReportRowSchema,
  salesReport,
  salesReportCsv,
} from '../../reports/sales-report';
import type { RouteRegistry } from '../route';

/** Reports HQ reads across the chain (JSON for the dashboard, CSV for a spreadsheet). */
export function registerReportRoutes(app: FastifyInstance, routes: RouteRegistry): void {
  const hub = routes.hub;
  routes.add(app, {
    method: 'GET',
    url: '/api/reports/sales',
    summary: 'Sales, voids and returns per store and local day, per currency (minor units)',
    tag: 'reports',
    access: { kind: 'hq', role: 'viewer' },
    query: SalesReportQuerySchema,
    errors: [404],
    response: z.array(SalesReportRowSchema),
    handler: ({ query }) => salesReport(hub.storage.db, query),
  });
  routes.add(app, {
    method: 'GET',
    url: '/api/reports/sales/csv',
    summary: 'The sales report as CSV',
    tag: 'reports',
    access: { kind: 'hq', role: 'viewer' },
    query: SalesReportQuerySchema,
    errors: [404],
    response: z.string(),
    rawResponse: { contentType: 'text/csv' },
    handler: async ({ query, reply }) => {
      const rows = await salesReport(hub.storage.db, query);
      void reply.header('content-disposition', `attachment; filename="sales-${query.from}-${query.to}.csv"`);
      return salesReportCsv(rows);
    },
  });
}
