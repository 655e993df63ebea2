import { z } from 'zod';
import { DomainError } from '@retail/domain';
import { checkPayload, type EventEnvelope, type EventPayloads } from '@retail/sync';
import { localDate } from '../integration/business-date';
import { csvField } from '../integration/journal';
import type { Executor } from '../storage/storage';

/**
 * HQ's sales analysis over a range of local days: sales by store and day, by hour of the store's day and
 * by cashier; returns; discounts; tenders; gift card loads; and each shift's Z figures with over/short.
 * Read from the sales and returns as the tills pushed them (the hub's logged events), so the figures are
 * what the tills recorded. Revenue is what was paid for items (Σ line paid): a gift card load is money
 * taken for a liability, not a sale, and is reported on its own.
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

export const SalesAnalyticsQuerySchema = SalesReportQuerySchema;
export type SalesAnalyticsQuery = SalesReportQuery;

const count = z.number().int();
const amount = z.number().int();

export const SalesAnalyticsSchema = z.object({
  byDay: z.array(
    z.object({
      nodeId: z.string(),
      nodeCode: z.string(),
      date: z.string(),
      currency: z.string(),
      sales: count,
      /** Σ item lines paid on completed sales (no gift card loads, no voided sales). */
      revenue: amount,
      voids: count,
      voidsTotal: amount,
      returns: count,
      refundsTotal: amount,
      net: amount,
      giftCardLoads: amount,
    }),
  ),
  byHour: z.array(
    z.object({ hour: z.number().int().min(0).max(23), currency: z.string(), sales: count, revenue: amount }),
  ),
  byCashier: z.array(
    z.object({
      nodeId: z.string(),
      nodeCode: z.string(),
      staffId: z.string(),
      currency: z.string(),
      sales: count,
      revenue: amount,
      returns: count,
      refundsTotal: amount,
    }),
  ),
  discounts: z.array(
    z.object({
      nodeId: z.string(),
      nodeCode: z.string(),
      date: z.string(),
      currency: z.string(),
      discountedSales: count,
      discountTotal: amount,
    }),
  ),
  tenders: z.array(
    z.object({
      nodeId: z.string(),
      nodeCode: z.string(),
      currency: z.string(),
      tender: z.string(),
      taken: amount,
      refunded: amount,
    }),
  ),
  shifts: z.array(
    z.object({
      shiftId: z.string(),
      nodeId: z.string(),
      nodeCode: z.string(),
      staffId: z.string(),
      currency: z.string(),
      status: z.string(),
      openedAt: z.string().nullable(),
      closedAt: z.string().nullable(),
      float: amount,
      expectedCash: amount.nullable(),
      countedCash: amount.nullable(),
      overShort: amount.nullable(),
    }),
  ),
});
export type SalesAnalytics = z.infer<typeof SalesAnalyticsSchema>;

function payloadOf<T extends 'sale.completed' | 'return.completed' | 'sale.voided'>(
  type: T,
  envelope: string | undefined,
): EventPayloads[T] | undefined {
  if (envelope === undefined) return undefined;
  try {
    const logged = JSON.parse(envelope) as Partial<EventEnvelope>;
    const checked = checkPayload(type, logged.schemaVersion ?? 1, logged.payload);
    return checked.ok ? (checked.payload as EventPayloads[T]) : undefined;
  } catch {
    return undefined;
  }
}

function localHour(at: number, timeZone: string): number {
  try {
    return Number(
      new Intl.DateTimeFormat('en-GB', { timeZone, hour: '2-digit', hourCycle: 'h23' }).format(at),
    );
  } catch {
    return new Date(at).getUTCHours();
  }
}

function bump<V>(map: Map<string, V>, key: string, make: () => V): V {
  let value = map.get(key);
  if (value === undefined) {
    value = make();
    map.set(key, value);
  }
  return value;
}

async function envelopes(executor: Executor, eventIds: readonly string[]): Promise<Map<string, string>> {
  const found = new Map<string, string>();
  for (let start = 0; start < eventIds.length; start += 500) {
    const rows = await executor
      .selectFrom('ingested_events')
      .select(['event_id', 'envelope'])
      .where('event_id', 'in', eventIds.slice(start, start + 500))
      .execute();
    for (const row of rows) found.set(row.event_id, row.envelope);
  }
  return found;
}

export async function salesAnalytics(
  executor: Executor,
  query: SalesAnalyticsQuery,
): Promise<SalesAnalytics> {
  const nodes = await executor
    .selectFrom('nodes')
    .select(['node_id', 'code', 'timezone'])
    .$if(query.nodeId !== undefined, (select) => select.where('node_id', '=', query.nodeId!))
    .execute();
  if (query.nodeId !== undefined && nodes.length === 0)
    throw new DomainError('NOT_FOUND', 'hub.auth.noNode', { nodeId: query.nodeId }, { nodeId: query.nodeId });
  const byNode = new Map(nodes.map((node) => [node.node_id, node]));
  // Local days of any timezone fall within a day either side of the same UTC dates.
  const fromIso = new Date(Date.parse(query.from) - DAY_MS).toISOString();
  const toIso = new Date(Date.parse(query.to) + 2 * DAY_MS).toISOString();
  const inRange = (nodeId: string, at: string) => {
    const node = byNode.get(nodeId);
    if (node === undefined) return undefined;
    const date = localDate(Date.parse(at), node.timezone);
    return date < query.from || date > query.to ? undefined : { node, date };
  };

  const sales = await executor
    .selectFrom('sales')
    .select(['node_id', 'currency', 'total', 'status', 'completed_at', 'event_id'])
    .where('completed_at', '>=', fromIso)
    .where('completed_at', '<', toIso)
    .$if(query.nodeId !== undefined, (select) => select.where('node_id', '=', query.nodeId!))
    .execute();
  const returns = await executor
    .selectFrom('returns')
    .select(['node_id', 'currency', 'refund_total', 'completed_at', 'event_id'])
    .where('completed_at', '>=', fromIso)
    .where('completed_at', '<', toIso)
    .$if(query.nodeId !== undefined, (select) => select.where('node_id', '=', query.nodeId!))
    .execute();
  const logged = await envelopes(executor, [
    ...sales.map((sale) => sale.event_id),
    ...returns.map((ret) => ret.event_id),
  ]);

  const byDay = new Map<string, SalesAnalytics['byDay'][number]>();
  const byHour = new Map<string, SalesAnalytics['byHour'][number]>();
  const byCashier = new Map<string, SalesAnalytics['byCashier'][number]>();
  const discounts = new Map<string, SalesAnalytics['discounts'][number]>();
  const tenders = new Map<string, SalesAnalytics['tenders'][number]>();
  const dayRow = (nodeId: string, nodeCode: string, date: string, currency: string) =>
    bump(byDay, `${nodeId}\u0000${date}\u0000${currency}`, () => ({
      nodeId,
      nodeCode,
      date,
      currency,
      sales: 0,
      revenue: 0,
      voids: 0,
      voidsTotal: 0,
      returns: 0,
      refundsTotal: 0,
      net: 0,
      giftCardLoads: 0,
    }));
  const cashierRow = (nodeId: string, nodeCode: string, staffId: string, currency: string) =>
    bump(byCashier, `${nodeId}\u0000${staffId}\u0000${currency}`, () => ({
      nodeId,
      nodeCode,
      staffId,
      currency,
      sales: 0,
      revenue: 0,
      returns: 0,
      refundsTotal: 0,
    }));
  const tenderRow = (nodeId: string, nodeCode: string, currency: string, tender: string) =>
    bump(tenders, `${nodeId}\u0000${currency}\u0000${tender}`, () => ({
      nodeId,
      nodeCode,
      currency,
      tender,
      taken: 0,
      refunded: 0,
    }));

  for (const sale of sales) {
    const where = inRange(sale.node_id, sale.completed_at);
    if (where === undefined) continue;
    const { node, date } = where;
    const payload = payloadOf('sale.completed', logged.get(sale.event_id));
    const giftCardLoads = (payload?.giftCards ?? []).reduce((sum, load) => sum + load.amount, 0);
    // Without its logged payload (never expected), the recorded total less nothing is the best figure.
    const revenue =
      payload === undefined ? Number(sale.total) : payload.lines.reduce((sum, line) => sum + line.paid, 0);
    const day = dayRow(node.node_id, node.code, date, sale.currency);
    day.sales += 1;
    day.giftCardLoads += giftCardLoads;
    if (sale.status === 'voided') {
      day.voids += 1;
      day.voidsTotal += revenue;
      continue;
    }
    day.revenue += revenue;
    const hour = bump(
      byHour,
      `${localHour(Date.parse(sale.completed_at), node.timezone)}\u0000${sale.currency}`,
      () => ({
        hour: localHour(Date.parse(sale.completed_at), node.timezone),
        currency: sale.currency,
        sales: 0,
        revenue: 0,
      }),
    );
    hour.sales += 1;
    hour.revenue += revenue;
    if (payload === undefined) continue;
    const cashier = cashierRow(node.node_id, node.code, payload.staffId, sale.currency);
    cashier.sales += 1;
    cashier.revenue += revenue;
    if (payload.totals.discount !== 0) {
      const discount = bump(discounts, `${node.node_id}\u0000${date}\u0000${sale.currency}`, () => ({
        nodeId: node.node_id,
        nodeCode: node.code,
        date,
        currency: sale.currency,
        discountedSales: 0,
        discountTotal: 0,
      }));
      discount.discountedSales += 1;
      discount.discountTotal += Math.abs(payload.totals.discount);
    }
    for (const tender of payload.tenders)
      tenderRow(node.node_id, node.code, sale.currency, tender.type).taken += tender.amount;
  }

  for (const ret of returns) {
    const where = inRange(ret.node_id, ret.completed_at);
    if (where === undefined) continue;
    const { node, date } = where;
    const day = dayRow(node.node_id, node.code, date, ret.currency);
    day.returns += 1;
    day.refundsTotal += Number(ret.refund_total);
    const payload = payloadOf('return.completed', logged.get(ret.event_id));
    if (payload === undefined) continue;
    const cashier = cashierRow(node.node_id, node.code, payload.staffId, ret.currency);
    cashier.returns += 1;
    cashier.refundsTotal += Number(ret.refund_total);
    for (const refund of payload.refunds)
      tenderRow(node.node_id, node.code, ret.currency, refund.type).refunded += refund.amount;
  }
  for (const day of byDay.values()) day.net = day.revenue - day.refundsTotal;

  const shiftRows = await executor
    .selectFrom('shifts')
    .selectAll()
    .where((eb) =>
      eb.or([
        eb.and([eb('closed_at', '>=', fromIso), eb('closed_at', '<', toIso)]),
        eb.and([eb('closed_at', 'is', null), eb('opened_at', '>=', fromIso), eb('opened_at', '<', toIso)]),
      ]),
    )
    .$if(query.nodeId !== undefined, (select) => select.where('node_id', '=', query.nodeId!))
    .execute();
  const shifts = shiftRows.flatMap((shift) => {
    const at = shift.closed_at ?? shift.opened_at;
    const where = at === null ? undefined : inRange(shift.node_id, at);
    if (where === undefined) return [];
    return [
      {
        shiftId: shift.shift_id,
        nodeId: shift.node_id,
        nodeCode: where.node.code,
        staffId: shift.staff_id,
        currency: shift.currency,
        status: shift.status,
        openedAt: shift.opened_at,
        closedAt: shift.closed_at,
        float: Number(shift.float),
        expectedCash: shift.expected_cash === null ? null : Number(shift.expected_cash),
        countedCash: shift.counted_cash === null ? null : Number(shift.counted_cash),
        overShort: shift.over_short === null ? null : Number(shift.over_short),
      },
    ];
  });

  const text = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
  return {
    byDay: [...byDay.values()].sort(
      (a, b) => text(a.date, b.date) || text(a.nodeCode, b.nodeCode) || text(a.currency, b.currency),
    ),
    byHour: [...byHour.values()].sort((a, b) => a.hour - b.hour || text(a.currency, b.currency)),
    byCashier: [...byCashier.values()].sort(
      (a, b) => text(a.nodeCode, b.nodeCode) || text(a.staffId, b.staffId) || text(a.currency, b.currency),
    ),
    discounts: [...discounts.values()].sort(
      (a, b) => text(a.date, b.date) || text(a.nodeCode, b.nodeCode) || text(a.currency, b.currency),
    ),
    tenders: [...tenders.values()].sort(
      (a, b) => text(a.nodeCode, b.nodeCode) || text(a.currency, b.currency) || text(a.tender, b.tender),
    ),
    shifts: shifts.sort((a, b) => text(a.closedAt ?? a.openedAt ?? '', b.closedAt ?? b.openedAt ?? '')),
  };
}

export const ANALYTICS_TABLES = ['byDay', 'byHour', 'byCashier', 'discounts', 'tenders', 'shifts'] as const;
export type AnalyticsTable = (typeof ANALYTICS_TABLES)[number];

/** One table of the analysis as CSV, columns in the order of its JSON fields (snake case). */
export function analyticsCsv(analytics: SalesAnalytics, table: AnalyticsTable): string {
  const rows = analytics[table] as readonly Record<string, string | number | null>[];
  const shape = SalesAnalyticsSchema.shape[table].element.shape as Record<string, unknown>;
  const columns = Object.keys(shape);
  const header = columns.map((column) => column.replace(/[A-Z]/g, (letter) => `_${letter.toLowerCase()}`));
  const lines = [header.join(',')];
  for (const row of rows) lines.push(columns.map((column) => csvField(row[column] ?? null)).join(','));
  return `${lines.join('\r\n')}\r\n`;
}
