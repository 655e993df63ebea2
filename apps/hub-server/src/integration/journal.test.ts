import { randomUUID } from 'node:crypto';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EventPayloads, PushRequest } from '@retail/sync';
import { createHubContext, type HubContext } from '../hub-context';
import { inHubTransaction } from '../hub-tx';
import { pushEvents } from '../ingest/hub-ingest';
import { issueStoredCredit } from '../loyalty/loyalty-service';
import type { Storage } from '../storage/storage';
import { backendKinds, createTestDatabase, type TestDatabase } from '../test-support/backends';
import {
  EventFactory,
  enrollTestDevice,
  movement,
  pricedSaleOf,
  seedPricing,
  seedWorld,
  type TillPricing,
} from '../test-support/fixtures';
import { JOURNAL_SOURCE_TYPES, type IntegrationEvent } from './event-catalog';
import {
  DEFAULT_JOURNAL_POLICY,
  journalCsv,
  journalView,
  publishDueJournals,
  summariseJournal,
  type Journal,
} from './journal';
import { readIntegrationEvents } from './outbound-log';

const TAX = { rateId: 'ny', name: 'NY', jurisdictionId: 'US-NY', taxCategory: 'standard', percent: 8.875 };
const DAY = '2026-11-23';
const at = (time: string) => Date.parse(`${DAY}T${time}Z`);

/** Every event of the log (small logs in these tests). */
async function allEvents(storage: Storage): Promise<IntegrationEvent[]> {
  return (await readIntegrationEvents(storage.db, { after: 0, limit: 100_000 })).events;
}

/**
 * What an ERP would book from the events of one store day, summed here independently of journal.ts:
 * the figures the journal must equal to the cent.
 */
function bookFromEvents(events: readonly IntegrationEvent[], nodeId: string) {
  const mine = events.filter(
    (event) =>
      (JOURNAL_SOURCE_TYPES as readonly string[]).includes(event.type) &&
      event.nodeId === nodeId &&
      (event.data as { businessDate?: string }).businessDate === DAY,
  );
  const data = <T>(type: string) => mine.filter((event) => event.type === type).map((e) => e.data as T);
  const sales = data<EventPayloads['sale.completed'] & { taxes: { rateId: string; tax: number }[] }>(
    'sale.completed',
  );
  const returns = data<{ refundTotal: number; refunds: { type: string; amount: number }[] }>(
    'return.completed',
  );
  const shifts = data<{ overShort: number }>('shift.closed');
  const credits = data<{ kind: string; amount: number }>('stored_value.entry_recorded');
  const sum = (values: number[]) => values.reduce((total, value) => total + value, 0);
  const tenderSales = (type: string) =>
    sum(sales.flatMap((sale) => sale.tenders.filter((t) => t.type === type).map((t) => t.amount)));
  const tenderRefunds = (type: string) =>
    sum(returns.flatMap((ret) => ret.refunds.filter((t) => t.type === type).map((t) => t.amount)));
  return {
    eventIds: mine.map((event) => event.eventId).sort(),
    salesCount: sales.length,
    gross: sum(sales.map((sale) => sale.totals.subtotal)),
    discounts: sum(sales.map((sale) => sale.totals.discount)),
    tax: sum(sales.map((sale) => sale.totals.tax)),
    paid: sum(sales.map((sale) => sale.totals.paid)),
    salesTaxByRate: sum(sales.flatMap((sale) => sale.taxes.map((tax) => tax.tax))),
    returnsCount: returns.length,
    returned: sum(returns.map((ret) => ret.refundTotal)),
    cash: { sales: tenderSales('cash'), refunds: tenderRefunds('cash') },
    card: { sales: tenderSales('card'), refunds: tenderRefunds('card') },
    overShort: sum(shifts.map((shift) => shift.overShort)),
    shifts: shifts.length,
    storeCredit: sum(credits.filter((c) => c.kind === 'store_credit').map((c) => c.amount)),
  };
}

function expectReconciled(journal: Journal, book: ReturnType<typeof bookFromEvents>) {
  const tender = (type: string) => journal.tenders.find((t) => t.type === type) ?? { sales: 0, refunds: 0 };
  expect([...journal.coveredEventIds].sort()).toEqual(book.eventIds);
  expect(journal.sales).toMatchObject({
    count: book.salesCount,
    gross: book.gross,
    discounts: book.discounts,
    tax: book.tax,
    paid: book.paid,
  });
  expect(journal.sales.byTaxRate.reduce((total, rate) => total + rate.tax, 0)).toBe(book.salesTaxByRate);
  expect(journal.sales.byTaxRate.reduce((total, rate) => total + rate.tax, 0)).toBe(book.tax);
  expect(journal.returns).toMatchObject({ count: book.returnsCount, amount: book.returned });
  expect(tender('cash')).toMatchObject(book.cash);
  expect(tender('card')).toMatchObject(book.card);
  expect(journal.tenders.reduce((total, t) => total + t.net, 0)).toBe(
    book.paid - book.returned - journal.voids.amount,
  );
  expect(journal.cash).toEqual({ shiftsClosed: book.shifts, overShort: book.overShort });
  const credit = journal.liabilities.find((l) => l.kind === 'store_credit');
  expect(credit?.net ?? 0).toBe(book.storeCredit);
}

describe.each(backendKinds())('integration/journal on %s', (kind) => {
  let database: TestDatabase;
  let storage: Storage;
  let hub: HubContext;
  let pricing: TillPricing;
  let now = at('12:00:00');

  beforeAll(async () => {
    database = await createTestDatabase(kind);
    storage = await database.open();
    hub = createHubContext(storage, () => now);
    await seedWorld(hub, { nodes: ['s1', 's2'], skus: ['A', 'B', 'C'] });
    pricing = await seedPricing(hub, {
      skus: ['A', 'B', 'C'],
      taxRate: TAX,
      unitPrice: (_sku, index) => [1999, 349, 12_345][index]!,
    });
  });

  afterAll(async () => {
    await storage?.close();
    await database?.dispose();
  });

  async function till(nodeId: string) {
    const enrolled = await enrollTestDevice(hub, nodeId);
    const principal = { deviceId: enrolled.deviceId, storeId: enrolled.storeId };
    const events = new EventFactory(principal);
    const push = async (batch: PushRequest['events']) => {
      const ack = await pushEvents(hub, principal, { ...principal, events: batch });
      expect(ack.results.filter((result) => result.status !== 'accepted')).toEqual([]);
    };
    return { events, push };
  }

  /** A priced sale at `time`, paid partly in cash (`cash` of it) and the rest by card. */
  function sale(
    nodeId: string,
    lines: { sku: string; qty: number }[],
    time: string,
    cash: number,
    shiftId = `shift-${nodeId}`,
  ) {
    const priced = pricedSaleOf(pricing, lines, { storeId: nodeId, at: at(time) });
    priced.shiftId = shiftId;
    const total = priced.totals.paid;
    const inCash = Math.min(cash, total);
    const card = priced.tenders[0]!;
    priced.tenders = [
      ...(inCash > 0
        ? [{ tenderId: randomUUID(), type: 'cash' as const, amount: inCash, tendered: inCash }]
        : []),
      ...(total - inCash > 0 ? [{ ...card, amount: total - inCash, tendered: total - inCash }] : []),
    ];
    return priced;
  }

  function refundOf(original: EventPayloads['sale.completed'], lineIndex: number, time: string) {
    const line = original.lines[lineIndex]!;
    const refund = Math.round(line.paid / line.qty);
    return {
      returnId: randomUUID(),
      receiptNumber: `RET-${randomUUID().slice(0, 6)}`,
      originalSaleId: original.saleId,
      shiftId: 'shift-s1',
      staffId: 'staff-1',
      currency: 'USD',
      lines: [
        {
          returnLineId: randomUUID(),
          originalLineId: line.lineId,
          sku: line.sku,
          qty: 1,
          refund,
          disposition: 'sellable' as const,
        },
      ],
      refunds: [{ tenderId: randomUUID(), type: 'cash' as const, amount: refund }],
      movements: [movement(line.sku, 1, 'RETURN_RESTOCK')],
      completedAt: new Date(at(time)).toISOString(),
    } satisfies EventPayloads['return.completed'];
  }

  it('publishes each store day once it is over, reconciling to the cent with the events it covers', async () => {
    const s1 = await till('s1');
    const s2 = await till('s2');
    const sales = [
      sale('s1', [{ sku: 'A', qty: 3 }], '09:15:00', 1000),
      sale(
        's1',
        [
          { sku: 'B', qty: 7 },
          { sku: 'C', qty: 1 },
        ],
        '11:40:00',
        0,
      ),
      sale('s1', [{ sku: 'C', qty: 2 }], '17:05:00', 99_999),
      // The next day: another journal.
      sale('s1', [{ sku: 'A', qty: 1 }], '23:59:59', 500),
    ];
    sales[3]!.completedAt = '2026-11-24T00:00:01.000Z';
    await s1.push([
      ...sales.map((payload) => s1.events.next('sale.completed', payload)),
      s1.events.next('return.completed', refundOf(sales[1]!, 0, '15:00:00')),
      s1.events.next('shift.closed', {
        shiftId: 'shift-s1',
        staffId: 'staff-1',
        currency: 'USD',
        float: 10_000,
        expectedCash: 50_000,
        countedCash: 49_987,
        overShort: -13,
        denominations: [],
        totals: { sales: 0, returns: 0, cashIn: 0, cashOut: 0, byTender: {} },
        closedAt: new Date(at('21:00:00')).toISOString(),
      }),
    ]);
    await s2.push([s2.events.next('sale.completed', sale('s2', [{ sku: 'B', qty: 1 }], '10:00:00', 0))]);
    await inHubTransaction(hub, (tx) =>
      issueStoredCredit(tx, {
        number: 'CREDIT-7',
        issueId: 'issue-7',
        amount: 2_500,
        currency: 'USD',
        nodeId: 's1',
        sourceDoc: 'goodwill',
      }),
    );

    // The day is not over (nor within the grace after midnight): nothing is published, the view is live.
    now = at('23:00:00');
    expect(await publishDueJournals(hub)).toBe(0);
    const live = await journalView(storage.db, { nodeId: 's1', businessDate: DAY });
    expect(live).toMatchObject({ publishedRevision: 0, pending: true, journals: [{ revision: 1 }] });
    now = Date.parse('2026-11-24T01:59:00Z');
    expect(await publishDueJournals(hub)).toBe(0);

    now = Date.parse('2026-11-24T02:01:00Z');
    expect(await publishDueJournals(hub)).toBe(2);
    expect(await publishDueJournals(hub)).toBe(0);
    const events = await allEvents(storage);
    const journals = events.filter((event) => event.type === 'journal.daily_summary');
    expect(journals.map((event) => event.aggregate.id).sort()).toEqual([`s1:${DAY}`, `s2:${DAY}`]);
    const s1Journal = journals.find((event) => event.nodeId === 's1')!.data as Journal;
    expectReconciled(s1Journal, bookFromEvents(events, 's1'));
    expect(s1Journal).toMatchObject({ nodeCode: 'S1', revision: 1 });
    expect(s1Journal.sales.count).toBe(3);
    expect(s1Journal.cash.overShort).toBe(-13);
    expect(s1Journal.liabilities).toEqual([{ kind: 'store_credit', issued: 2_500, redeemed: 0, net: 2_500 }]);
    expectReconciled(
      journals.find((event) => event.nodeId === 's2')!.data as Journal,
      bookFromEvents(events, 's2'),
    );
    // The view says it was published and nothing waits.
    expect(await journalView(storage.db, { nodeId: 's1', businessDate: DAY })).toMatchObject({
      publishedRevision: 1,
      pending: false,
      journals: [s1Journal],
    });

    // The CSV carries the same figures.
    const csv = journalCsv([s1Journal]).trim().split('\r\n');
    expect(csv[0]).toBe(
      'store,business_date,currency,revision,section,item,tax_rate_percent,count,taxable_minor,tax_minor,amount_minor',
    );
    const figure = (section: string, item: string) =>
      csv.find((line) => line.split(',')[4] === section && line.split(',')[5] === item)?.split(',');
    expect(Number(figure('sales', 'paid')![10])).toBe(s1Journal.sales.paid);
    expect(Number(figure('tender_net', 'cash')![10])).toBe(
      s1Journal.tenders.find((t) => t.type === 'cash')!.net,
    );
    expect(Number(figure('sales_tax', 'ny')![9])).toBe(s1Journal.sales.tax);
    expect(Number(figure('cash', 'over_short')![10])).toBe(-13);
  });

  it('publishes a new revision when a till syncs a sale of a journaled day late, and none when nothing changed', async () => {
    const late = await till('s2');
    const envelope = late.events.next(
      'sale.completed',
      sale('s2', [{ sku: 'C', qty: 1 }], '18:30:00', 5_000, 'shift-s2-late'),
    );
    await late.push([envelope]);
    expect(await journalView(storage.db, { nodeId: 's2', businessDate: DAY })).toMatchObject({
      publishedRevision: 1,
      pending: true,
    });
    // A late revision waits for the till's catch-up to settle (journal-settle.test.ts), then goes out.
    expect(await publishDueJournals(hub)).toBe(0);
    now += DEFAULT_JOURNAL_POLICY.settleMs;
    expect(await publishDueJournals(hub)).toBe(1);
    const events = await allEvents(storage);
    const revisions = events
      .filter((event) => event.type === 'journal.daily_summary' && event.nodeId === 's2')
      .map((event) => event.data as Journal);
    expect(revisions.map((journal) => journal.revision)).toEqual([1, 2]);
    expect(revisions[1]!.sales.count).toBe(2);
    expectReconciled(revisions[1]!, bookFromEvents(events, 's2'));

    // The same sale pushed again (a till retrying) is a duplicate: no new event, no new revision.
    const principal = { deviceId: late.events.device.deviceId, storeId: 's2' };
    const again = await pushEvents(hub, principal, { ...principal, events: [envelope] });
    expect(again.results.map((result) => result.status)).not.toContain('rejected');
    expect(await publishDueJournals(hub)).toBe(0);
    expect((await allEvents(storage)).filter((event) => event.type === 'journal.daily_summary')).toHaveLength(
      3,
    );
  });

  it('books a store credit issued offline in the day of its return, not the day the till synced', async () => {
    const offline = await till('s1');
    const original = sale('s1', [{ sku: 'A', qty: 2 }], '10:30:00', 0, 'shift-s1-offline');
    const cashRefund = refundOf(original, 0, '16:45:00');
    const slip = `SC-${randomUUID()}`;
    const amount = cashRefund.refunds[0]!.amount;
    const credited = {
      ...cashRefund,
      shiftId: 'shift-s1-offline',
      refunds: [
        {
          tenderId: randomUUID(),
          type: 'store_credit' as const,
          amount,
          reference: slip,
        },
      ],
    } satisfies EventPayloads['return.completed'];
    // The till was offline all day and syncs the next morning.
    now = Date.parse('2026-11-24T09:30:00Z');
    await offline.push([
      offline.events.next('sale.completed', original),
      offline.events.next('return.completed', credited),
    ]);
    const entries = (await allEvents(storage))
      .filter((event) => event.type === 'stored_value.entry_recorded')
      .map((event) => event.data as { sourceDocument: string | null; businessDate: string; amount: number })
      .filter((entry) => entry.sourceDocument === credited.returnId);
    expect(entries).toEqual([expect.objectContaining({ businessDate: DAY, amount })]);
    now += DEFAULT_JOURNAL_POLICY.settleMs;
    expect(await publishDueJournals(hub)).toBeGreaterThan(0);
    const journals = (await allEvents(storage))
      .filter((event) => event.type === 'journal.daily_summary' && event.nodeId === 's1')
      .map((event) => event.data as Journal);
    const latest = journals.filter((journal) => journal.businessDate === DAY).at(-1)!;
    expectReconciled(latest, bookFromEvents(await allEvents(storage), 's1'));
    expect(latest.liabilities).toEqual([
      {
        kind: 'store_credit',
        issued: 2_500 + amount,
        redeemed: 0,
        net: 2_500 + amount,
      },
    ]);
  });

  it('answers 404 for a node it does not know', async () => {
    await expect(journalView(storage.db, { nodeId: 'nowhere', businessDate: DAY })).rejects.toMatchObject({
      code: 'NOT_FOUND',
    });
  });
});

describe('summariseJournal (property)', () => {
  const tender = fc.record({
    type: fc.constantFrom('cash', 'card', 'gift_card', 'store_credit'),
    amount: fc.integer({ min: 0, max: 1_000_000 }),
  });
  const taxes = fc.array(
    fc.record({
      rateId: fc.constantFrom('a', 'b', 'c'),
      taxable: fc.integer({ min: 0, max: 1_000_000 }),
      tax: fc.integer({ min: 0, max: 100_000 }),
    }),
    { maxLength: 3 },
  );
  const item = fc.oneof(
    fc.record({ kind: fc.constant('sale' as const), tenders: fc.array(tender, { maxLength: 3 }), taxes }),
    fc.record({ kind: fc.constant('void' as const), tenders: fc.array(tender, { maxLength: 2 }) }),
    fc.record({ kind: fc.constant('return' as const), tenders: fc.array(tender, { maxLength: 2 }), taxes }),
    fc.record({ kind: fc.constant('shift' as const), overShort: fc.integer({ min: -10_000, max: 10_000 }) }),
    fc.record({
      kind: fc.constant('credit' as const),
      amount: fc.integer({ min: -100_000, max: 100_000 }),
    }),
  );

  function toEvent(entry: Record<string, unknown>, index: number): IntegrationEvent {
    const base = { nodeId: 's1', currency: 'USD', businessDate: DAY };
    const rates = (list: { rateId: string; taxable: number; tax: number }[]) =>
      list.map((rate) => ({ ...rate, name: rate.rateId, percent: 10 }));
    const tenders = (list: { type: string; amount: number }[]) =>
      list.map((t, n) => ({ tenderId: `t${index}-${n}`, reference: null, points: null, ...t }));
    const paid = (list: { amount: number }[]) => list.reduce((total, t) => total + t.amount, 0);
    const envelope = (type: string, data: Record<string, unknown>): IntegrationEvent => ({
      eventId: `e${index}`,
      type,
      schemaVersion: 1,
      seq: index + 1,
      aggregate: { type: 'x', id: `${index}` },
      nodeId: 's1',
      sourceEventId: null,
      occurredAt: `${DAY}T10:00:00.000Z`,
      recordedAt: `${DAY}T10:00:00.000Z`,
      data,
    });
    const e = entry as never as {
      kind: string;
      tenders: { type: string; amount: number }[];
      taxes: { rateId: string; taxable: number; tax: number }[];
      overShort: number;
      amount: number;
    };
    switch (e.kind) {
      case 'sale': {
        const tax = e.taxes.reduce((total, rate) => total + rate.tax, 0);
        return envelope('sale.completed', {
          ...base,
          saleId: `s${index}`,
          receiptNumber: 'R',
          deviceId: 'd',
          shiftId: 'sh',
          staffId: 'st',
          customerId: null,
          completedAt: `${DAY}T10:00:00.000Z`,
          lines: [],
          totals: {
            subtotal: paid(e.tenders),
            discount: 0,
            tax,
            total: paid(e.tenders),
            cashRounding: 0,
            paid: paid(e.tenders),
          },
          taxes: rates(e.taxes),
          tenders: tenders(e.tenders),
          promotionIds: [],
          priceBookVersion: 'v',
          loyaltyAccountId: null,
        });
      }
      case 'void':
        return envelope('sale.voided', {
          ...base,
          saleId: `s${index}`,
          receiptNumber: 'R',
          deviceId: 'd',
          voidedAt: `${DAY}T10:00:00.000Z`,
          reason: 'r',
          managerId: 'm',
          refunds: tenders(e.tenders),
          saleKnown: true,
        });
      case 'return':
        return envelope('return.completed', {
          ...base,
          returnId: `r${index}`,
          receiptNumber: 'R',
          deviceId: 'd',
          shiftId: 'sh',
          staffId: 'st',
          customerId: null,
          originalSaleId: null,
          originalReceiptNumber: null,
          completedAt: `${DAY}T10:00:00.000Z`,
          lines: [],
          refundTotal: paid(e.tenders),
          taxes: rates(e.taxes),
          refunds: tenders(e.tenders).map((t) => ({ ...t, originalTenderId: null })),
        });
      case 'shift':
        return envelope('shift.closed', {
          ...base,
          shiftId: `sh${index}`,
          deviceId: 'd',
          staffId: 'st',
          closedAt: `${DAY}T10:00:00.000Z`,
          float: 0,
          expectedCash: 0,
          countedCash: e.overShort,
          overShort: e.overShort,
          totals: { sales: 0, returns: 0, cashIn: 0, cashOut: 0, byTender: {} },
        });
      default:
        return envelope('stored_value.entry_recorded', {
          entryId: `c${index}`,
          accountId: 'acc',
          kind: 'store_credit',
          type: e.amount >= 0 ? 'issue' : 'redeem',
          amount: e.amount,
          currency: 'USD',
          occurredAt: `${DAY}T10:00:00.000Z`,
          nodeId: 's1',
          businessDate: DAY,
          sourceDocument: null,
        });
    }
  }

  it('balances: net tenders = paid − voids − returns, tax by rate sums, order and duplicates do not matter', () => {
    fc.assert(
      fc.property(fc.array(item, { maxLength: 40 }), fc.nat(), (items, shift) => {
        const events = items.map((entry, index) => toEvent(entry as never, index));
        const day = { nodeId: 's1', nodeCode: 'S1', businessDate: DAY, revision: 1 };
        const [journal] = summariseJournal(events, day);
        if (events.length === 0) {
          expect(journal).toBeUndefined();
          return;
        }
        const sum = (values: number[]) => values.reduce((total, value) => total + value, 0);
        const net = sum(journal!.tenders.map((t) => t.net));
        expect(net).toBe(journal!.sales.paid! - journal!.voids.amount - journal!.returns.amount);
        expect(sum(journal!.sales.byTaxRate.map((rate) => rate.tax))).toBe(journal!.sales.tax);
        expect(sum(journal!.liabilities.map((l) => l.net))).toBe(
          sum(items.filter((i) => i.kind === 'credit').map((i) => (i as { amount: number }).amount)),
        );
        expect(journal!.coveredEventIds).toHaveLength(events.length);
        // Rotated and with duplicates (a replayed event), the journal is the same.
        const rotated = [...events.slice(shift % events.length), ...events.slice(0, shift % events.length)];
        expect(summariseJournal([...rotated, ...events.slice(0, 3)], day)).toEqual([journal]);
      }),
      { numRuns: 200 },
    );
  });
});
