import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../api/app';
import { createUser, login } from '../auth/users';
import { createHubContext, type HubContext } from '../hub-context';
import { pushEvents } from '../ingest/hub-ingest';
import type { Storage } from '../storage/storage';
import { backendKinds, createTestDatabase, type TestDatabase } from '../test-support/backends';
import { EventFactory, enrollTestDevice, movement, saleOf, seedWorld } from '../test-support/fixtures';
import type { SalesAnalytics } from './sales-analytics';

const DAY = '2026-11-23';

describe.each(backendKinds())('reports/sales-analytics on %s', (kind) => {
  let database: TestDatabase;
  let storage: Storage;
  let hub: HubContext;
  let app: FastifyInstance;
  let viewer: string;

  beforeAll(async () => {
    database = await createTestDatabase(kind);
    storage = await database.open();
    hub = createHubContext(storage);
    await seedWorld(hub, { nodes: ['s1'], skus: ['A'] });
    await createUser(hub, { username: 'viewer-user', password: 'correct horse battery', role: 'viewer' });
    viewer = (await login(hub, { username: 'viewer-user', password: 'correct horse battery' })).token;
    ({ app } = await buildApp({ hub, sync: { socket: false } }));

    const device = await enrollTestDevice(hub, 's1');
    const principal = { deviceId: device.deviceId, storeId: device.storeId };
    const events = new EventFactory(principal);
    // Cashier ana at 09:xx: two widgets, one discounted, paid by card, plus a 50.00 gift card load.
    const first = saleOf([{ sku: 'A', qty: 2 }], { staffId: 'ana' });
    const withLoad = {
      ...first,
      completedAt: `${DAY}T09:15:00.000Z`,
      totals: { ...first.totals, discount: 20, total: 180 + 5000 },
      lines: first.lines.map((line) => ({ ...line, paid: 180 })),
      giftCards: [
        {
          lineId: randomUUID(),
          kind: 'activate' as const,
          numberDigest: 'a'.repeat(64),
          maskedNumber: '****1234',
          amount: 5000,
        },
      ],
      tenders: [{ tenderId: randomUUID(), type: 'card' as const, amount: 5180, reference: 'AUTH-1' }],
    };
    // Cashier ben at 15:xx: one widget in cash, then a no-receipt refund of 80 in store credit.
    const second = {
      ...saleOf([{ sku: 'A', qty: 1 }], { staffId: 'ben' }),
      completedAt: `${DAY}T15:40:00.000Z`,
    };
    const ack = await pushEvents(hub, principal, {
      ...principal,
      events: [
        events.next('shift.opened', {
          shiftId: 'shift-1',
          staffId: 'ana',
          currency: 'USD',
          float: 10_000,
          openedAt: `${DAY}T08:00:00.000Z`,
        }),
        events.next('sale.completed', withLoad),
        events.next('sale.completed', second),
        events.next('return.completed', {
          returnId: randomUUID(),
          receiptNumber: 'R-9',
          shiftId: 'shift-1',
          staffId: 'ben',
          currency: 'USD',
          lines: [{ returnLineId: randomUUID(), sku: 'A', qty: 1, refund: 80, disposition: 'sellable' }],
          refunds: [{ tenderId: randomUUID(), type: 'store_credit', amount: 80 }],
          override: { managerId: 'ana', reason: 'no receipt', at: `${DAY}T16:00:00.000Z` },
          movements: [movement('A', 1, 'RETURN_RESTOCK')],
          completedAt: `${DAY}T16:00:00.000Z`,
        }),
        events.next('shift.closed', {
          shiftId: 'shift-1',
          staffId: 'ana',
          currency: 'USD',
          float: 10_000,
          expectedCash: 10_020,
          countedCash: 10_000,
          overShort: -20,
          denominations: [{ value: 10_000, count: 1 }],
          totals: { sales: 5280, returns: 80, cashIn: 0, cashOut: 0, byTender: { card: 5180, cash: 100 } },
          closedAt: `${DAY}T18:00:00.000Z`,
        }),
      ],
    });
    expect(ack.results.map((result) => result.status)).toEqual(Array(5).fill('accepted'));
  });

  afterAll(async () => {
    await app?.close();
    await storage?.close();
    await database?.dispose();
  });

  const get = (url: string) =>
    app.inject({ method: 'GET', url, headers: { authorization: `Bearer ${viewer}` } });

  it('reports by day, hour and cashier with revenue that leaves gift card loads out', async () => {
    const response = await get(`/api/reports/analytics?from=${DAY}&to=${DAY}`);
    expect(response.statusCode).toBe(200);
    const report = (response.json() as { value: SalesAnalytics }).value;
    expect(report.byDay).toEqual([
      expect.objectContaining({
        nodeId: 's1',
        date: DAY,
        sales: 2,
        revenue: 280,
        giftCardLoads: 5000,
        returns: 1,
        refundsTotal: 80,
        net: 200,
      }),
    ]);
    // seedWorld's stores run on UTC.
    expect(report.byHour).toEqual([
      { hour: 9, currency: 'USD', sales: 1, revenue: 180 },
      { hour: 15, currency: 'USD', sales: 1, revenue: 100 },
    ]);
    expect(
      report.byCashier.map((row) => [row.staffId, row.sales, row.revenue, row.returns, row.refundsTotal]),
    ).toEqual([
      ['ana', 1, 180, 0, 0],
      ['ben', 1, 100, 1, 80],
    ]);
    expect(report.discounts).toEqual([expect.objectContaining({ discountedSales: 1, discountTotal: 20 })]);
    expect(report.tenders.map((row) => [row.tender, row.taken, row.refunded])).toEqual([
      ['card', 5180, 0],
      ['cash', 100, 0],
      ['store_credit', 0, 80],
    ]);
    expect(report.shifts).toEqual([
      expect.objectContaining({
        shiftId: 'shift-1',
        staffId: 'ana',
        status: 'closed',
        countedCash: 10_000,
        overShort: -20,
      }),
    ]);
  });

  it('keeps gift card loads out of the store-day sales report too', async () => {
    const response = await get(`/api/reports/sales?from=${DAY}&to=${DAY}`);
    expect((response.json() as { value: unknown[] }).value).toEqual([
      expect.objectContaining({ sales: 2, salesTotal: 280, refundsTotal: 80, netTotal: 200 }),
    ]);
  });

  it('exports every table as CSV', async () => {
    const shifts = await get(`/api/reports/analytics/shifts/csv?from=${DAY}&to=${DAY}`);
    expect(shifts.headers['content-type']).toMatch(/text\/csv/);
    const [header, row] = shifts.body.split('\r\n');
    expect(header).toBe(
      'shift_id,node_id,node_code,staff_id,currency,status,opened_at,closed_at,float,expected_cash,counted_cash,over_short',
    );
    expect(row).toContain('shift-1');
    expect(row?.endsWith(',10000,-20')).toBe(true);
    for (const table of ['byDay', 'byHour', 'byCashier', 'discounts', 'tenders']) {
      const csv = await get(`/api/reports/analytics/${table}/csv?from=${DAY}&to=${DAY}`);
      expect(csv.statusCode, table).toBe(200);
      expect(csv.body.split('\r\n').filter((line) => line !== '').length, table).toBeGreaterThan(1);
    }
    expect((await get(`/api/reports/analytics/nothing/csv?from=${DAY}&to=${DAY}`)).statusCode).toBe(400);
  });
});
