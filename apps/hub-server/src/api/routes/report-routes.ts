import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import {
  SalesReportQuerySchema,
  SalesReportRowSchema,
  salesReport,
  salesReportCsv,
} from '../../reports/sales-report';
import {
  ANALYTICS_TABLES,
  SalesAnalyticsQuerySchema,
  SalesAnalyticsSchema,
  analyticsCsv,
  salesAnalytics,
} from '../../reports/sales-analytics';
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
  routes.add(app, {
    method: 'GET',
    url: '/api/reports/analytics',
    summary:
      'Sales by store and day, hour and cashier; returns, discounts, tenders and each shift with over/short (revenue without gift card loads)',
    tag: 'reports',
    access: { kind: 'hq', role: 'viewer' },
    query: SalesAnalyticsQuerySchema,
    errors: [404],
    response: SalesAnalyticsSchema,
    handler: ({ query }) => salesAnalytics(hub.storage.db, query),
  });
  routes.add(app, {
    method: 'GET',
    url: '/api/reports/analytics/:table/csv',
    summary: 'One table of the sales analysis as CSV',
    tag: 'reports',
    access: { kind: 'hq', role: 'viewer' },
    params: z.object({ table: z.enum(ANALYTICS_TABLES) }),
    query: SalesAnalyticsQuerySchema,
    errors: [404],
    response: z.string(),
    rawResponse: { contentType: 'text/csv' },
    handler: async ({ params, query, reply }) => {
      const analytics = await salesAnalytics(hub.storage.db, query);
      void reply.header(
        'content-disposition',
        `attachment; filename="${params.table}-${query.from}-${query.to}.csv"`,
      );
      return analyticsCsv(analytics, params.table);
    },
  });
}
