import { z } from 'zod';
import { DomainError } from '@retail/domain';
import { localDate } from '../integration/business-date';
import { csvField } from '../integration/journal';
import type { Executor } from '../storage/storage';

/**
 * Sales by store and day for HQ: sales, voids and returns per store, per calendar day in the store's own
 * timezone (the day its books close on), per currency, amounts in minor units. Read from the hub's sale
 * and return records, so it covers what the tills have pushed so far.
 */

const DAY_MS = 86_400_000;
/** A report reads every sale of the range: a quarter keeps one request bounded. */
export const MAX_REPORT_DAYS = 92;

const isoDate = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'A date is YYYY-MM-DD.');

export const SalesReportQuerySchema = z
  .object({ from: isoDate, to: isoDate, nodeId: z.string().min(1).max(100).optional() })
  .superRefine((query, context) => {
    const days = (Date.parse(query.to) - Date.parse(query.from)) / DAY_MS;
    if (!(days >= 0))
      context.addIssue({ code: 'custom', path: ['to'], message: '`to` must not be before `from`.' });
    if (days >= MAX_REPORT_DAYS)
      context.addIssue({
        code: 'custom',
        path: ['to'],
        message: `A report covers at most ${MAX_REPORT_DAYS} days.`,
      });
  });
export type SalesReportQuery = z.infer<typeof SalesReportQuerySchema>;

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

export async function salesReport(executor: Executor, query: SalesReportQuery): Promise<SalesReportRow[]> {
  const nodes = await executor
    .selectFrom('nodes')
    .select(['node_id', 'code', 'timezone'])
    .$if(query.nodeId !== undefined, (select) => select.where('node_id', '=', query.nodeId!))
    .execute();
  if (query.nodeId !== undefined && nodes.length === 0)
    throw new DomainError('NOT_FOUND', `There is no node ${query.nodeId}.`, { nodeId: query.nodeId });
  const byNode = new Map(nodes.map((node) => [node.node_id, node]));
  // Local days of any timezone fall within a day either side of the same UTC dates.
  const fromIso = new Date(Date.parse(query.from) - DAY_MS).toISOString();
  const toIso = new Date(Date.parse(query.to) + 2 * DAY_MS).toISOString();
  const rows = new Map<string, SalesReportRow>();
  const rowFor = (nodeId: string, completedAt: string, currency: string): SalesReportRow | undefined => {
    const node = byNode.get(nodeId);
    if (node === undefined) return undefined;
    const date = localDate(Date.parse(completedAt), node.timezone);
    if (date < query.from || date > query.to) return undefined;
    const key = `${nodeId}\u0000${date}\u0000${currency}`;
    let row = rows.get(key);
    if (row === undefined) {
      row = {
        nodeId,
        nodeCode: node.code,
        date,
        currency,
        sales: 0,
        salesTotal: 0,
        voids: 0,
        voidsTotal: 0,
        returns: 0,
        refundsTotal: 0,
        netTotal: 0,
      };
      rows.set(key, row);
    }
    return row;
  };
  const sales = await executor
    .selectFrom('sales')
    .select(['node_id', 'currency', 'total', 'status', 'completed_at'])
    .where('completed_at', '>=', fromIso)
    .where('completed_at', '<', toIso)
    .$if(query.nodeId !== undefined, (select) => select.where('node_id', '=', query.nodeId!))
    .execute();
  for (const sale of sales) {
    const row = rowFor(sale.node_id, sale.completed_at, sale.currency);
    if (row === undefined) continue;
    const total = Number(sale.total);
    row.sales += 1;
    row.salesTotal += total;
    if (sale.status === 'voided') {
      row.voids += 1;
      row.voidsTotal += total;
    }
  }
  const returns = await executor
    .selectFrom('returns')
    .select(['node_id', 'currency', 'refund_total', 'completed_at'])
    .where('completed_at', '>=', fromIso)
    .where('completed_at', '<', toIso)
    .$if(query.nodeId !== undefined, (select) => select.where('node_id', '=', query.nodeId!))
    .execute();
  for (const ret of returns) {
    const row = rowFor(ret.node_id, ret.completed_at, ret.currency);
    if (row === undefined) continue;
    row.returns += 1;
    row.refundsTotal += Number(ret.refund_total);
  }
  const result = [...rows.values()];
  for (const row of result) row.netTotal = row.salesTotal - row.voidsTotal - row.refundsTotal;
  return result.sort(
    (a, b) =>
      a.date.localeCompare(b.date) ||
      a.nodeCode.localeCompare(b.nodeCode) ||
      a.currency.localeCompare(b.currency),
  );
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
