import { z } from 'zod';
import { csvField } from '../integration/journal';
import type { Executor } from '../storage/storage';
import { salesAnalytics, type SalesReportQuery } from './sales-analytics';

/**
 * Sales by store and day for HQ: sales, voids and returns per store, per calendar day in the store's own
 * timezone (the day its books close on), per currency, amounts in minor units. Read from the hub's sale
 * and return records, so it covers what the tills have pushed so far.
 */

export { MAX_REPORT_DAYS, SalesReportQuerySchema, type SalesReportQuery } from './sales-analytics';

export const SalesReportRowSchema = z.object({
  nodeId: z.string(),
  nodeCode: z.string(),
  date: z.string(),
  currency: z.string(),
  sales: z.number().int(),
  salesTotal: z.number().int(),
  voids: z.number().int(),
  voidsTotal: z.number().int(),
  returns: z.number().int(),
  refundsTotal: z.number().int(),
  netTotal: z.number().int(),
});
export type SalesReportRow = z.infer<typeof SalesReportRowSchema>;

/**
 * The store-day table of the sales analysis in its original shape. Sale totals are what was paid for
 * items: gift card loads sold on a sale are a liability, not revenue, and stay out (sales-analytics.ts).
 */
export async function salesReport(executor: Executor, query: SalesReportQuery): Promise<SalesReportRow[]> {
  const { byDay } = await salesAnalytics(executor, query);
  return byDay.map((row) => ({
    nodeId: row.nodeId,
    nodeCode: row.nodeCode,
    date: row.date,
    currency: row.currency,
    sales: row.sales,
    salesTotal: row.revenue + row.voidsTotal,
    voids: row.voids,
    voidsTotal: row.voidsTotal,
    returns: row.returns,
    refundsTotal: row.refundsTotal,
    netTotal: row.net,
  }));
}

const CSV_COLUMNS = [
  'date',
  'node_code',
  'currency',
  'sales',
  'sales_minor',
  'voids',
  'voids_minor',
  'returns',
  'refunds_minor',
  'net_minor',
] as const;

export function salesReportCsv(rows: readonly SalesReportRow[]): string {
  const lines = [CSV_COLUMNS.join(',')];
  for (const row of rows) {
    lines.push(
      [
        row.date,
        row.nodeCode,
        row.currency,
        row.sales,
        row.salesTotal,
        row.voids,
        row.voidsTotal,
        row.returns,
        row.refundsTotal,
        row.netTotal,
      ]
        .map(csvField)
        .join(','),
    );
  }
  return `${lines.join('\r\n')}\r\n`;
}
