import { createHash } from 'node:crypto';
import { z } from 'zod';
import { DomainError } from '@retail/domain';
import { CONFIG_KEYS } from '@retail/sync';
import type { HubContext } from '../hub-context';
import { inHubTransaction } from '../hub-tx';
import { settingsInForce } from '../settings/hq-settings';
import type { Executor } from '../storage/storage';
import { localDate } from './business-date';
import {
  JOURNAL_SOURCE_TYPES,
  JournalData,
  ReturnCompletedData,
  SaleCompletedData,
  SaleVoidedData,
  ShiftClosedData,
  StoredValueEntryData,
  TENDER_TYPES,
  type IntegrationEvent,
} from './event-catalog';
import { integrationHead, readIntegrationEvents, toIntegrationEvent } from './outbound-log';

/**
 * The ERP journal (docs/integration.md): a store's financial day summed from the canonical events the
 * hub published for it (sales, voids, returns, closed shifts, gift card and store credit entries), so an
 * ERP that applies those events arrives at exactly the journal's figures. It goes out as a
 * `journal.daily_summary` event once the store's day is over (plus a grace period for tills that sync a
 * little late), again as a new revision when events of that day arrive later, and is readable at any time
 * (JSON or CSV) for a day in progress.
 */

export type Journal = z.output<typeof JournalData>;
type TaxByRate = Journal['sales']['byTaxRate'][number];

export const JournalQuerySchema = z.object({
  nodeId: z.string().min(1).max(100),
  businessDate: z.iso.date({ error: 'Give the business date as YYYY-MM-DD.' }),
});

export const JournalViewSchema = z.object({
  nodeId: z.string(),
  nodeCode: z.string(),
  businessDate: z.string(),
  /** One per currency the store took that day (normally one). */
  journals: z.array(JournalData),
  /** The revision last published as an event (0: none yet; the figures above are as of now). */
  publishedRevision: z.number().int(),
  /** Whether events of the day arrived after the last published revision (a new one will follow). */
  pending: z.boolean(),
});
export type JournalView = z.output<typeof JournalViewSchema>;

function addTax(into: Map<string, TaxByRate>, taxes: readonly TaxByRate[], sign = 1): void {
  for (const tax of taxes) {
    const seen = into.get(tax.rateId) ?? { ...tax, taxable: 0, tax: 0 };
    seen.taxable += sign * tax.taxable;
    seen.tax += sign * tax.tax;
    into.set(tax.rateId, seen);
  }
}

function byRate(map: Map<string, TaxByRate>): TaxByRate[] {
  return [...map.values()].sort((a, b) => (a.rateId < b.rateId ? -1 : a.rateId > b.rateId ? 1 : 0));
}

/**
 * The journals of one store's day from its events (any order; duplicates by event id count once), one per
 * currency. Pure: the reconciliation tests run it against events they sum themselves.
 */
export function summariseJournal(
  events: readonly IntegrationEvent[],
  day: { nodeId: string; nodeCode: string; businessDate: string; revision: number },
): Journal[] {
  const seen = new Set<string>();
  const byCurrency = new Map<
    string,
    {
      journal: Journal;
      salesTax: Map<string, TaxByRate>;
      returnTax: Map<string, TaxByRate>;
      tenders: Map<string, { sales: number; refunds: number }>;
      liabilities: Map<'gift_card' | 'store_credit', { issued: number; redeemed: number }>;
    }
  >();
  const of = (currency: string) => {
    let entry = byCurrency.get(currency);
    if (entry === undefined) {
      entry = {
        journal: {
          nodeId: day.nodeId,
          nodeCode: day.nodeCode,
          businessDate: day.businessDate,
          currency,
          revision: day.revision,
          sales: { count: 0, gross: 0, discounts: 0, tax: 0, cashRounding: 0, paid: 0, byTaxRate: [] },
          voids: { count: 0, amount: 0 },
          returns: { count: 0, amount: 0, byTaxRate: [] },
          tenders: [],
          cash: { shiftsClosed: 0, overShort: 0 },
          liabilities: [],
          coveredEventIds: [],
        },
        salesTax: new Map(),
        returnTax: new Map(),
        tenders: new Map(),
        liabilities: new Map(),
      };
      byCurrency.set(currency, entry);
    }
    return entry;
  };
  const tender = (entry: ReturnType<typeof of>, type: string) => {
    const found = entry.tenders.get(type) ?? { sales: 0, refunds: 0 };
    entry.tenders.set(type, found);
    return found;
  };
  const sorted = [...events].sort((a, b) => a.seq - b.seq);
  for (const event of sorted) {
    if (seen.has(event.eventId)) continue;
    seen.add(event.eventId);
    switch (event.type) {
      case 'sale.completed': {
        const sale = SaleCompletedData.parse(event.data);
        const entry = of(sale.currency);
        const sales = entry.journal.sales;
        sales.count += 1;
        sales.gross += sale.totals.subtotal;
        sales.discounts += sale.totals.discount;
        sales.tax! += sale.totals.tax;
        sales.cashRounding! += sale.totals.cashRounding;
        addTax(entry.salesTax, sale.taxes);
        for (const paid of sale.tenders) {
          tender(entry, paid.type).sales += paid.amount;
          sales.paid! += paid.amount;
        }
        entry.journal.coveredEventIds.push(event.eventId);
        break;
      }
      case 'sale.voided': {
        const voided = SaleVoidedData.parse(event.data);
        const entry = of(voided.currency);
        entry.journal.voids.count += 1;
        for (const refund of voided.refunds) {
          entry.journal.voids.amount += refund.amount;
          tender(entry, refund.type).refunds += refund.amount;
        }
        entry.journal.coveredEventIds.push(event.eventId);
        break;
      }
      case 'return.completed': {
        const ret = ReturnCompletedData.parse(event.data);
        const entry = of(ret.currency);
        entry.journal.returns.count += 1;
        entry.journal.returns.amount += ret.refundTotal;
        addTax(entry.returnTax, ret.taxes);
        for (const refund of ret.refunds) tender(entry, refund.type).refunds += refund.amount;
        entry.journal.coveredEventIds.push(event.eventId);
        break;
      }
      case 'shift.closed': {
        const shift = ShiftClosedData.parse(event.data);
        const entry = of(shift.currency);
        entry.journal.cash.shiftsClosed += 1;
        entry.journal.cash.overShort += shift.overShort;
        entry.journal.coveredEventIds.push(event.eventId);
        break;
      }
      case 'stored_value.entry_recorded': {
        const ledger = StoredValueEntryData.parse(event.data);
        const entry = of(ledger.currency);
        const found = entry.liabilities.get(ledger.kind) ?? { issued: 0, redeemed: 0 };
        if (ledger.amount >= 0) found.issued += ledger.amount;
        else found.redeemed -= ledger.amount;
        entry.liabilities.set(ledger.kind, found);
        entry.journal.coveredEventIds.push(event.eventId);
        break;
      }
      default:
        break;
    }
  }
  const order = (type: string) => {
    const index = (TENDER_TYPES as readonly string[]).indexOf(type);
    return index === -1 ? TENDER_TYPES.length : index;
  };
  return [...byCurrency.entries()]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([, entry]) => ({
      ...entry.journal,
      sales: { ...entry.journal.sales, byTaxRate: byRate(entry.salesTax) },
      returns: { ...entry.journal.returns, byTaxRate: byRate(entry.returnTax) },
      tenders: [...entry.tenders.entries()]
        .sort(([a], [b]) => order(a) - order(b) || (a < b ? -1 : 1))
        .map(([type, amounts]) => ({ type, ...amounts, net: amounts.sales - amounts.refunds })),
      liabilities: (['gift_card', 'store_credit'] as const)
        .filter((kind) => entry.liabilities.has(kind))
        .map((kind) => {
          const amounts = entry.liabilities.get(kind)!;
          return { kind, ...amounts, net: amounts.issued - amounts.redeemed };
        }),
    }));
}

function digest(ids: readonly string[]): string {
  return createHash('sha256')
    .update([...ids].sort().join('\n'))
    .digest('hex');
}

/** The financial events of a store's day up to `upTo` (a position every lower one of is visible). */
export async function readJournalEvents(
  executor: Executor,
  nodeId: string,
  businessDate: string,
  upTo: number,
): Promise<IntegrationEvent[]> {
  const rows = await executor
    .selectFrom('integration_events')
    .selectAll()
    .where('node_id', '=', nodeId)
    .where('business_date', '=', businessDate)
    .where('seq', '<=', upTo)
    .where('type', 'in', [...JOURNAL_SOURCE_TYPES])
    .orderBy('seq')
    .execute();
  return rows.map(toIntegrationEvent);
}

async function nodeOf(executor: Executor, nodeId: string) {
  const node = await executor
    .selectFrom('nodes')
    .select(['node_id', 'code', 'timezone'])
    .where('node_id', '=', nodeId)
    .executeTakeFirst();
  if (node === undefined) {
    throw new DomainError('NOT_FOUND', 'hub.integration.noStoreWarehouse', { nodeId }, { nodeId });
  }
  return node;
}

/** A store's journal as of now (GET /api/integration/journal), with what was published of it. */
export async function journalView(
  executor: Executor,
  query: z.output<typeof JournalQuerySchema>,
): Promise<JournalView> {
  const node = await nodeOf(executor, query.nodeId);
  const day = await executor
    .selectFrom('integration_journal_days')
    .selectAll()
    .where('node_id', '=', query.nodeId)
    .where('business_date', '=', query.businessDate)
    .executeTakeFirst();
  const head = await integrationHead(executor);
  const events = await readJournalEvents(executor, query.nodeId, query.businessDate, head);
  const published = day === undefined ? 0 : Number(day.revision);
  // Compared with what the last revision covered, not the pass's bookkeeping, so it is true at once.
  const pending =
    published === 0
      ? events.length > 0
      : digest(events.map((event) => event.eventId)) !== day!.covered_digest;
  return {
    nodeId: node.node_id,
    nodeCode: node.code,
    businessDate: query.businessDate,
    journals: summariseJournal(events, {
      nodeId: node.node_id,
      nodeCode: node.code,
      businessDate: query.businessDate,
      revision: pending || published === 0 ? published + 1 : published,
    }),
    publishedRevision: published,
    pending,
  };
}

const CSV_HEADER = [
  'store',
  'business_date',
  'currency',
  'revision',
  'section',
  'item',
  'tax_rate_percent',
  'count',
  'taxable_minor',
  'tax_minor',
  'amount_minor',
];

export function csvField(value: string | number | null): string {
  if (value === null) return '';
  const text = String(value);
  // Quotes around anything a spreadsheet could split or run as a formula.
  return /[",\r\n]/.test(text) || (/^[=+\-@\t]/.test(text) && typeof value === 'string')
    ? `"${text.replace(/"/g, '""')}"`
    : text;
}

/**
 * The journal as CSV for an ERP import: one line per figure, amounts in minor units (cents) so nothing
 * is rounded on the way. Per currency: sales (count, gross, discounts, tax, cash rounding, paid), sales
 * tax per rate, voids, returns, return tax per rate, tenders (sales, refunds, net), cash over/short and
 * gift card / store credit liability (issued, redeemed, net).
 */
export function journalCsv(journals: readonly Journal[]): string {
  const lines = [CSV_HEADER.join(',')];
  for (const journal of journals) {
    const row = (
      section: string,
      item: string,
      figures: { percent?: number; count?: number; taxable?: number; tax?: number; amount?: number },
    ) =>
      lines.push(
        [
          journal.nodeCode,
          journal.businessDate,
          journal.currency,
          journal.revision,
          section,
          item,
          figures.percent ?? null,
          figures.count ?? null,
          figures.taxable ?? null,
          figures.tax ?? null,
          figures.amount ?? null,
        ]
          .map(csvField)
          .join(','),
      );
    const { sales, voids, returns, cash } = journal;
    row('sales', 'count', { count: sales.count });
    row('sales', 'gross', { amount: sales.gross });
    row('sales', 'discounts', { amount: sales.discounts });
    row('sales', 'tax', { amount: sales.tax ?? 0 });
    row('sales', 'cash_rounding', { amount: sales.cashRounding ?? 0 });
    row('sales', 'paid', { amount: sales.paid ?? 0 });
    for (const rate of sales.byTaxRate) {
      row('sales_tax', rate.rateId, { percent: rate.percent, taxable: rate.taxable, tax: rate.tax });
    }
    row('voids', 'refunded', { count: voids.count, amount: voids.amount });
    row('returns', 'refunded', { count: returns.count, amount: returns.amount });
    for (const rate of returns.byTaxRate) {
      row('returns_tax', rate.rateId, { percent: rate.percent, taxable: rate.taxable, tax: rate.tax });
    }
    for (const tender of journal.tenders) {
      row('tender_sales', tender.type, { amount: tender.sales });
      row('tender_refunds', tender.type, { amount: tender.refunds });
      row('tender_net', tender.type, { amount: tender.net });
    }
    row('cash', 'over_short', { count: cash.shiftsClosed, amount: cash.overShort });
    for (const liability of journal.liabilities) {
      row('liability_issued', liability.kind, { amount: liability.issued });
      row('liability_redeemed', liability.kind, { amount: liability.redeemed });
      row('liability_net', liability.kind, { amount: liability.net });
    }
  }
  return `${lines.join('\r\n')}\r\n`;
}

export interface JournalPolicy {
  /** How long after a store's local midnight its day's journal goes out (tills syncing late). */
  readonly graceMs: number;
  /**
   * A late revision (events that arrived after the day closed) goes out once none arrived for this long
   * (a till's catch-up is many pushes: one revision, not one per push)... HQ's
   * `hub.integration.journalSettleSeconds` store setting overrides it.
   */
  readonly settleMs: number;
  /** ...or at the latest this long after the first (`hub.integration.journalMaxDelaySeconds`). */
  readonly maxDelayMs: number;
}

export const DEFAULT_JOURNAL_POLICY: JournalPolicy = {
  graceMs: 2 * 3600_000,
  settleMs: 60_000,
  maxDelayMs: 5 * 60_000,
};

const SETTLE_KEYS = [CONFIG_KEYS.journalSettleSeconds, CONFIG_KEYS.journalMaxDelaySeconds] as const;

/** A store's settle period: HQ's settings where set (validated when HQ set them), else the policy's. */
function settleOf(policy: JournalPolicy, values: ReadonlyMap<string, unknown>) {
  const seconds = (key: string, fallbackMs: number) => {
    const value = values.get(key);
    return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0 ? value * 1000 : fallbackMs;
  };
  return {
    settleMs: seconds(CONFIG_KEYS.journalSettleSeconds, policy.settleMs),
    maxDelayMs: seconds(CONFIG_KEYS.journalMaxDelaySeconds, policy.maxDelayMs),
  };
}

/**
 * When a pending store day's journal may go out (docs/integration.md "When a revision goes out"): the
 * first journal of events that arrived in time as soon as the day is over (plus the grace), unchanged; a
 * revision of events that arrived after that (a till syncing a closed day late) once no such event
 * arrived for `settleMs`, or `maxDelayMs` after the first at the latest. Pure, so the rule is tested alone.
 */
export function journalDueAt(
  day: {
    businessDate: string;
    timezone: string;
    revision: number;
    pendingSince: number | null;
    lastArrivalAt: number | null;
  },
  policy: Pick<JournalPolicy, 'graceMs' | 'settleMs' | 'maxDelayMs'>,
  now: number,
): { due: boolean; late: boolean; dueAt: number | null } {
  const closedAt = (at: number) => localDate(at - policy.graceMs, day.timezone) > day.businessDate;
  if (!closedAt(now)) return { due: false, late: false, dueAt: null };
  const late = day.revision > 0 || (day.pendingSince !== null && closedAt(day.pendingSince));
  // A row from before the settle period (no arrival times) goes out as it did then: at once.
  if (!late || day.pendingSince === null || day.lastArrivalAt === null) {
    return { due: true, late, dueAt: now };
  }
  const dueAt = Math.min(day.lastArrivalAt + policy.settleMs, day.pendingSince + policy.maxDelayMs);
  return { due: now >= dueAt, late, dueAt };
}

const SCAN_COUNTER = 'journal_scan_seq';

/**
 * Reads the log for financial events past the pass's watermark and marks their store days pending (the
 * log's reading rule never passes an event that commits late, so none is missed). The watermark moves in
 * the same transaction, and only from where this read started.
 */
export async function scanJournalDays(hub: HubContext, pageSize = 1000, maxPages = 50): Promise<number> {
  let marked = 0;
  for (let page = 0; page < maxPages; page += 1) {
    const counter = await hub.storage.db
      .selectFrom('hub_counters')
      .select('value')
      .where('name', '=', SCAN_COUNTER)
      .executeTakeFirstOrThrow();
    const after = Number(counter.value);
    const read = await readIntegrationEvents(hub.storage.db, {
      after,
      limit: pageSize,
      types: JOURNAL_SOURCE_TYPES,
    });
    if (read.position === after) return marked;
    const days = new Map<
      string,
      { nodeId: string; businessDate: string; seq: number; firstArrival: number; lastArrival: number }
    >();
    for (const event of read.events) {
      const businessDate = (event.data as { businessDate?: unknown }).businessDate;
      if (event.nodeId === null || typeof businessDate !== 'string') continue;
      const key = `${event.nodeId}\u0000${businessDate}`;
      const arrival = Date.parse(event.recordedAt);
      const seen = days.get(key);
      days.set(key, {
        nodeId: event.nodeId,
        businessDate,
        seq: event.seq,
        firstArrival: Math.min(seen?.firstArrival ?? arrival, arrival),
        lastArrival: Math.max(seen?.lastArrival ?? arrival, arrival),
      });
    }
    const moved = await hub.storage.transaction(async (trx) => {
      const updated = await trx
        .updateTable('hub_counters')
        .set({ value: read.position })
        .where('name', '=', SCAN_COUNTER)
        .where('value', '=', after)
        .executeTakeFirst();
      if (Number(updated.numUpdatedRows) === 0) return false;
      for (const day of days.values()) {
        await trx
          .insertInto('integration_journal_days')
          .values({
            node_id: day.nodeId,
            business_date: day.businessDate,
            last_event_seq: day.seq,
            journaled_seq: 0,
            pending: 1,
            revision: 0,
            covered_digest: null,
            published_at: null,
            pending_since: day.firstArrival,
            last_arrival_at: day.lastArrival,
          })
          .onConflict((conflict) =>
            conflict.columns(['node_id', 'business_date']).doUpdateSet((eb) => ({
              last_event_seq: day.seq,
              pending: 1,
              // The first uncovered arrival stays (null once a revision covered everything).
              pending_since: eb.fn.coalesce(
                'integration_journal_days.pending_since',
                eb.val(day.firstArrival),
              ),
              last_arrival_at: day.lastArrival,
            })),
          )
          .execute();
      }
      return true;
    });
    if (!moved) return marked;
    marked += days.size;
    if (read.upToDate) return marked;
  }
  return marked;
}

/**
 * Publishes the journal of every store day that is over (in the store's timezone, plus the grace) and
 * has events no published journal covers: revision 1, or the next one when events came late. A day whose
 * covered events did not change (an event derived again) is marked done without a new revision.
 */
export async function publishDueJournals(
  hub: HubContext,
  policy: JournalPolicy = DEFAULT_JOURNAL_POLICY,
  limit = 100,
): Promise<number> {
  await scanJournalDays(hub);
  const now = hub.now();
  const candidates = await hub.storage.db
    .selectFrom('integration_journal_days as d')
    .innerJoin('nodes as n', 'n.node_id', 'd.node_id')
    .select([
      'd.node_id',
      'd.business_date',
      'd.revision',
      'd.pending_since',
      'd.last_arrival_at',
      'n.timezone',
      'n.region',
    ])
    .where('d.pending', '=', 1)
    .orderBy('d.business_date')
    .orderBy('d.node_id')
    .limit(limit * 10)
    .execute();
  let settings: Awaited<ReturnType<typeof settingsInForce>> | undefined;
  let published = 0;
  for (const candidate of candidates) {
    if (published >= limit) break;
    const day = {
      businessDate: candidate.business_date,
      timezone: candidate.timezone,
      revision: Number(candidate.revision),
      pendingSince: candidate.pending_since === null ? null : Number(candidate.pending_since),
      lastArrivalAt: candidate.last_arrival_at === null ? null : Number(candidate.last_arrival_at),
    };
    let when = journalDueAt(day, policy, now);
    if (when.late && day.pendingSince !== null && day.lastArrivalAt !== null) {
      // HQ's settle settings are read once a pass, and only when a late revision waits to settle.
      settings ??= await settingsInForce(hub.storage.db, SETTLE_KEYS);
      const store = settings({ nodeId: candidate.node_id, region: candidate.region });
      when = journalDueAt(day, { ...policy, ...settleOf(policy, store) }, now);
    }
    if (!when.due) continue;
    const emitted = await inHubTransaction(hub, async (tx) => {
      const day = await tx.trx
        .selectFrom('integration_journal_days as d')
        .innerJoin('nodes as n', 'n.node_id', 'd.node_id')
        .select(['d.revision', 'd.covered_digest', 'd.pending', 'n.code'])
        .where('d.node_id', '=', candidate.node_id)
        .where('d.business_date', '=', candidate.business_date)
        .executeTakeFirst();
      if (day === undefined || Number(day.pending) !== 1) return false;
      const head = await integrationHead(tx.trx);
      const events = await readJournalEvents(tx.trx, candidate.node_id, candidate.business_date, head);
      const covered = events.length === 0 ? 0 : events[events.length - 1]!.seq;
      const ids = events.map((event) => event.eventId);
      const changed = digest(ids) !== day.covered_digest;
      const revision = Number(day.revision) + (changed ? 1 : 0);
      if (changed) {
        const journals = summariseJournal(events, {
          nodeId: candidate.node_id,
          nodeCode: day.code,
          businessDate: candidate.business_date,
          revision,
        });
        for (const journal of journals) {
          tx.events.emit({
            type: 'journal.daily_summary',
            key: `${candidate.node_id}:${candidate.business_date}:${journal.currency}:${revision}`,
            aggregateId: `${candidate.node_id}:${candidate.business_date}`,
            nodeId: candidate.node_id,
            businessDate: candidate.business_date,
            occurredAt: tx.at,
            data: journal,
          });
        }
      }
      // Still pending if an event of the day committed after the read above.
      await tx.trx
        .updateTable('integration_journal_days')
        .set((eb) => {
          // An event the read above missed settles from its own arrival (at most the last one's).
          const missedArrival = eb
            .case()
            .when('last_event_seq', '>', covered)
            .then(eb.ref('last_arrival_at'))
            .else(null)
            .end();
          return {
            journaled_seq: covered,
            revision,
            covered_digest: digest(ids),
            published_at: changed ? tx.at : eb.ref('published_at'),
            pending: eb.case().when('last_event_seq', '>', covered).then(1).else(0).end(),
            pending_since: missedArrival,
            last_arrival_at: missedArrival,
          };
        })
        .where('node_id', '=', candidate.node_id)
        .where('business_date', '=', candidate.business_date)
        .execute();
      return changed;
    });
    if (emitted) published += 1;
  }
  return published;
}
