import { createHash, randomUUID } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EventEnvelope, EventPayloads, PushAck } from '@retail/sync';
import { buildApp } from '../src/api/app';
import { LoyaltyProgrammeSchema, StoredValueSettingsSchema } from '@retail/domain';
import { createUser, login } from '../src/auth/users';
import { listExceptions } from '../src/exceptions/exception-queue';
import { inHubTransaction } from '../src/hub-tx';
import { customerAnswer, recordNewCustomer } from '../src/loyalty/customers';
import { saveProgramme, saveStoredValueSettings } from '../src/loyalty/loyalty-config';
import { adjustAccountPoints } from '../src/loyalty/loyalty-service';
import { placeOrder } from '../src/orders/intake';
import { readOrderView } from '../src/orders/order-records';
import { createHubContext, type HubContext } from '../src/hub-context';
import type { Storage } from '../src/storage/storage';
import { backendKinds, createTestDatabase, type TestDatabase } from '../src/test-support/backends';
import { readBooks } from '../src/test-support/books';
import {
  adjustment,
  enrollTestDevice,
  EventFactory,
  ISO,
  movement,
  pricedSaleOf,
  receiptOf,
  saleOf,
  seedPricing,
  seedWorld,
  type TillPricing,
} from '../src/test-support/fixtures';

/**
 * The attacks of issue 11 that a holder of one till's device credential can make, sent as that till
 * would send them (HTTP on 127.0.0.1 with the device's bearer credential) to a real hub: each is refused
 * or turned into an exception, and nothing of it is applied: balances, sales, returns, shifts, stock and
 * the loyalty and stored-value ledgers read the same before and after. The device's later events still
 * apply.
 */
describe.each(backendKinds())('forged device claims against the hub on %s', (kind) => {
  let database: TestDatabase;
  let storage: Storage;
  let hub: HubContext;
  let app: FastifyInstance;
  let baseUrl: string;

  interface Till {
    readonly credential: string;
    readonly events: EventFactory;
  }
  let store1: Till;
  let store2: Till;
  let pricing: TillPricing;
  let adminToken: string | undefined;

  async function signInAdmin(): Promise<string> {
    if (adminToken === undefined) {
      const credentials = { username: 'hq-admin', password: 'correct horse battery staple' };
      await createUser(hub, { ...credentials, role: 'admin' });
      adminToken = (await login(hub, credentials)).token;
    }
    return adminToken;
  }

  /** A sale at store 1 priced from the hub's published book (it passes the audit), paid by card. */
  function store1Sale() {
    return { ...pricedSaleOf(pricing, [{ sku: 'C', qty: 1 }], { storeId: 's1' }), shiftId: 'shift-s1' };
  }

  async function enroll(nodeId: string): Promise<Till> {
    const device = await enrollTestDevice(hub, nodeId);
    return {
      credential: device.credential,
      events: new EventFactory({ deviceId: device.deviceId, storeId: device.storeId }),
    };
  }

  async function push(till: Till, events: EventEnvelope[]): Promise<PushAck> {
    const response = await fetch(`${baseUrl}/sync/push`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${till.credential}` },
      body: JSON.stringify({ ...till.events.device, events }),
    });
    const body = (await response.json()) as { value?: PushAck; error?: unknown };
    expect(response.status, JSON.stringify(body)).toBe(200);
    return body.value!;
  }

  async function pushOne<T extends keyof EventPayloads>(till: Till, type: T, payload: EventPayloads[T]) {
    const event = till.events.next(type, payload);
    const ack = await push(till, [event]);
    return { event, result: ack.results[0]! };
  }

  const books = () => readBooks(storage.db);

  /** The exception the hub raised for `event` (and only one). */
  async function exceptionFor(event: EventEnvelope) {
    const all = await listExceptions(storage.db, { limit: 500 });
    const mine = all.filter((exception) => exception.causeEventIds.includes(event.eventId));
    expect(mine).toHaveLength(1);
    return mine[0]!;
  }

  /** The attack is rejected alone, with a reason, into the exception queue, and changes nothing. */
  async function expectRejectedAlone<T extends keyof EventPayloads>(
    till: Till,
    type: T,
    payload: EventPayloads[T],
    reason: RegExp,
  ): Promise<void> {
    const before = await books();
    const { event, result } = await pushOne(till, type, payload);
    expect(result).toMatchObject({ status: 'rejected' });
    expect(result.reason).toMatch(reason);
    expect(await books()).toEqual(before);
    const exception = await exceptionFor(event);
    expect(exception).toMatchObject({ type: 'REJECTED_EVENT', details: { reason: result.reason } });
    // The device is not blocked: its next event applies.
    const next = await pushOne(till, 'stock.adjusted', adjustment(movement('B', 1)));
    expect(next.result.status).toBe('accepted');
  }

  beforeAll(async () => {
    database = await createTestDatabase(kind);
    storage = await database.open();
    hub = createHubContext(storage);
    await seedWorld(hub, { nodes: ['s1', 's2'], warehouses: ['w1'], skus: ['A', 'B', 'C'] });
    pricing = await seedPricing(hub, { skus: ['C'], unitPrice: () => 1_262 });
    await saveProgramme(
      storage.db,
      LoyaltyProgrammeSchema.parse({
        programmeId: 'rewards',
        currency: 'USD',
        returnWindowDays: 30,
        pointsExpiryDays: 365,
        pointValue: { points: 100, value: { amount: 100, currency: 'USD' } },
        holdTtlMs: 300_000,
        offline: {
          maxSnapshotAgeMs: 86_400_000,
          perTransactionCapPoints: 1_000,
          perDeviceDayCapPoints: 3_000,
        },
        tiers: [{ tierId: 'base', name: 'Member', earnPoints: 1, earnPerMinor: 100, qualifyingPoints: 0 }],
      }),
      'test',
      Date.parse(ISO) - 86_400_000,
    );
    await saveStoredValueSettings(
      storage.db,
      StoredValueSettingsSchema.parse({
        currency: 'USD',
        holdTtlMs: 300_000,
        offline: {
          maxSnapshotAgeMs: 86_400_000,
          perTransactionCap: { amount: 2_000, currency: 'USD' },
          perDeviceDayCap: { amount: 5_000, currency: 'USD' },
        },
      }),
      'test',
      Date.parse(ISO),
    );
    ({ app } = await buildApp({ hub }));
    baseUrl = await app.listen({ host: '127.0.0.1', port: 0 });
    store1 = await enroll('s1');
    store2 = await enroll('s2');
    // Store 2's own business, which store 1's credential then tries to reach.
    const opened = await pushOne(store2, 'shift.opened', {
      shiftId: 'shift-s2',
      staffId: 'staff-s2',
      currency: 'USD',
      float: 10_000,
      openedAt: ISO,
    });
    expect(opened.result.status).toBe('accepted');
    expect((await pushOne(store1, 'stock.received', receiptOf([{ sku: 'A', qty: 50 }]))).result.status).toBe(
      'accepted',
    );
  });

  afterAll(async () => {
    await app?.close();
    await storage?.close();
    await database?.dispose();
  });

  async function member(phone: string, points: number) {
    const customerId = randomUUID();
    await inHubTransaction(hub, (tx) => recordNewCustomer(tx, { customerId, phone }, { createdAt: tx.at }));
    const answer = await customerAnswer(storage.db, customerId, hub.now());
    const accountId = answer!.account!.accountId;
    if (points > 0) {
      await adjustAccountPoints(hub, accountId, { adjustmentId: randomUUID(), points, reason: 'test' });
    }
    return { customerId, accountId };
  }

  /** GET as a till would, with its device credential. */
  async function getAs(till: Till, path: string) {
    const response = await fetch(`${baseUrl}${path}`, {
      headers: { authorization: `Bearer ${till.credential}` },
    });
    return { status: response.status, text: await response.text() };
  }

  function store2Sale(lines: { sku: string; qty: number }[]) {
    return { ...saleOf(lines, { staffId: 'staff-s2' }), shiftId: 'shift-s2' };
  }

  describe('store scope', () => {
    it("refuses a void of another store's sale, read from the hub by receipt number", async () => {
      const customer = await member('+15550002001', 0);
      const sale = {
        ...store2Sale([{ sku: 'C', qty: 1 }]),
        customerId: customer.customerId,
        loyalty: { accountId: customer.accountId, pointsEarned: 1, pointsRedeemed: 0 },
      };
      expect((await pushOne(store2, 'sale.completed', sale)).result.status).toBe('accepted');
      // What store 1's credential learns of it: what a return needs, not who bought, sold or on which shift.
      const lookup = await getAs(store1, `/sync/sales/${encodeURIComponent(sale.receiptNumber)}`);
      expect(lookup.status).toBe(200);
      const found = (JSON.parse(lookup.text) as { value: { saleId: string; storeId: string } }).value;
      expect(found).toMatchObject({ saleId: sale.saleId, storeId: 's2' });
      for (const secret of [
        customer.customerId,
        customer.accountId,
        'staff-s2',
        'shift-s2',
        store2.events.device.deviceId,
      ])
        expect(lookup.text).not.toContain(secret);
      await expectRejectedAlone(
        store1,
        'sale.voided',
        {
          saleId: found.saleId,
          receiptNumber: sale.receiptNumber,
          reason: 'customer changed mind',
          override: { managerId: 'staff-s1', reason: 'void', at: ISO },
          currency: 'USD',
          refunds: [],
          movements: [movement('C', 1, 'POS_VOID')],
          voidedAt: ISO,
        },
        /made at store s2; only that store can void it/,
      );
    });

    it("refuses to close another store's shift", async () => {
      await expectRejectedAlone(
        store1,
        'shift.closed',
        {
          shiftId: 'shift-s2',
          staffId: 'staff-s1',
          currency: 'USD',
          float: 10_000,
          expectedCash: 0,
          countedCash: 0,
          overShort: 0,
          denominations: [],
          totals: { sales: 0, returns: 0, cashIn: 0, cashOut: 0, byTender: {} },
          closedAt: ISO,
        },
        /Shift shift-s2 is a shift of store s2/,
      );
    });

    it("refuses a sale recorded on another store's shift or by another store's staff", async () => {
      await expectRejectedAlone(
        store1,
        'sale.completed',
        { ...saleOf([{ sku: 'A', qty: 1 }], { staffId: 'staff-s1' }), shiftId: 'shift-s2' },
        /Shift shift-s2 is a shift of store s2/,
      );
      await expectRejectedAlone(
        store1,
        'sale.completed',
        saleOf([{ sku: 'A', qty: 1 }], { staffId: 'staff-s2' }),
        /Staff member staff-s2 works at store s2/,
      );
    });

    it('refuses steps, even a late handover, of a BOPIS order routed to another store', async () => {
      expect((await pushOne(store2, 'stock.received', receiptOf([{ sku: 'B', qty: 5 }]))).result.status).toBe(
        'accepted',
      );
      const orderId = `web-${randomUUID()}`;
      const placed = await placeOrder(
        hub,
        {
          orderId,
          orderNumber: `W-${orderId.slice(-6)}`,
          channel: 'web',
          lines: [{ lineId: 'l1', sku: 'B', qty: 1 }],
          customer: { name: 'Ada Lovelace', email: 'ada@example.com' },
          pickup: { type: 'store', storeId: 's2' },
          splitConsent: false,
          payment: { authorisationRef: `auth-${orderId}`, amount: 1_999, currency: 'USD' },
          priority: 0,
        },
        randomUUID(),
        'api-key:test',
      );
      expect(placed.view).toMatchObject({ status: 'ROUTED' });
      const head = (await readOrderView(storage.db, orderId)).head;
      const step = () => ({ orderId, transitionId: randomUUID(), basedOn: head, at: ISO });
      await expectRejectedAlone(store1, 'bopis.accepted', step(), /was never sent to store s1/);
      await expectRejectedAlone(
        store1,
        'bopis.handed_over',
        {
          ...step(),
          verifiedBy: 'pickup_code',
          movements: [movement('B', -1, 'PICKUP_HANDOVER', 'staged')],
        },
        /was never sent to store s1/,
      );
    });

    it('refuses to receive or ship a transfer another store ships to someone else', async () => {
      const transferId = `TR-${randomUUID()}`;
      const shipped = await pushOne(store2, 'stock.transferred_out', {
        transferId,
        toNodeId: 'w1',
        lines: [{ sku: 'B', qty: 2 }],
        movements: [movement('B', -2, 'TRANSFER_OUT')],
        shippedAt: ISO,
      });
      expect(shipped.result.status).toBe('accepted');
      await expectRejectedAlone(
        store1,
        'stock.received',
        receiptOf([{ sku: 'B', qty: 2 }], { type: 'transfer', reference: transferId }),
        /addressed to another node/,
      );
      await expectRejectedAlone(
        store1,
        'stock.transferred_out',
        {
          transferId,
          toNodeId: 'w1',
          lines: [{ sku: 'B', qty: 2 }],
          movements: [movement('B', -2, 'TRANSFER_OUT')],
          shippedAt: ISO,
        },
        /already shipped/,
      );
    });

    it('accepts a return of a sale made at another store only up to what is still returnable chain-wide', async () => {
      const sale = store2Sale([{ sku: 'C', qty: 2 }]);
      expect((await pushOne(store2, 'sale.completed', sale)).result.status).toBe('accepted');
      const line = sale.lines[0]!;
      const returnOf = (qty: number, refund: number, store = 's1'): EventPayloads['return.completed'] => {
        const returnId = randomUUID();
        return {
          returnId,
          receiptNumber: `RT-${returnId.slice(0, 8)}`,
          originalSaleId: sale.saleId,
          originalReceiptNumber: sale.receiptNumber,
          shiftId: `shift-${store}`,
          staffId: `staff-${store}`,
          currency: 'USD',
          lines: [
            {
              returnLineId: randomUUID(),
              originalLineId: line.lineId,
              sku: 'C',
              qty,
              refund,
              disposition: 'sellable',
            },
          ],
          refunds: [{ tenderId: randomUUID(), type: 'cash', amount: refund }],
          movements: [movement('C', qty, 'RETURN_RESTOCK')],
          completedAt: ISO,
        };
      };
      // A return at store 1 of a store-2 sale (BORIS) is in scope.
      expect((await pushOne(store1, 'return.completed', returnOf(1, 100))).result.status).toBe('accepted');
      await expectRejectedAlone(
        store1,
        'return.completed',
        returnOf(1, 5_000),
        /refunds 5000 for 1 of C; sale .* paid 200 for 2 and 100 of it was already refunded/,
      );
      // The same sale's last unit, returned at its own store: still returnable.
      expect((await pushOne(store2, 'return.completed', returnOf(1, 100, 's2'))).result.status).toBe(
        'accepted',
      );
      await expectRejectedAlone(
        store1,
        'return.completed',
        returnOf(1, 100),
        /returns at every store counted.*already been returned: 2 sold, 2 already returned/,
      );
    });
  });

  describe('financial claims', () => {
    const ledgerOf = async (accountId: string) =>
      (
        await storage.db
          .selectFrom('loyalty_entries')
          .select('entry')
          .where('account_id', '=', accountId)
          .orderBy('entry_id')
          .execute()
      ).map((row) => JSON.parse(row.entry) as { type: string; points: number; sourceDoc?: string });

    /** Everything of the stored-value and loyalty books: what a forged money claim could create. */
    const moneyBooks = async () => {
      const all = await books();
      return { loyalty: all.loyalty, storedValue: all.storedValue, accounts: all.storedValueAccounts };
    };

    const exceptionsFor = async (event: EventEnvelope) =>
      (await listExceptions(storage.db, { limit: 500 })).filter((exception) =>
        exception.causeEventIds.includes(event.eventId),
      );

    async function lookUpCredit(till: Till, number: string) {
      return fetch(`${baseUrl}/sync/loyalty/stored-value/lookup`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${till.credential}` },
        body: JSON.stringify({ number }),
      });
    }

    function noReceiptReturn(
      amount: number,
      slip: string,
      override?: EventPayloads['return.completed']['override'],
    ) {
      const returnId = randomUUID();
      return {
        returnId,
        receiptNumber: `RT-${returnId.slice(0, 8)}`,
        shiftId: 'shift-s1',
        staffId: 'staff-s1',
        currency: 'USD',
        lines: [
          { returnLineId: randomUUID(), sku: 'B', qty: 1, refund: amount, disposition: 'sellable' as const },
        ],
        refunds: [{ tenderId: randomUUID(), type: 'store_credit' as const, amount, reference: slip }],
        ...(override === undefined ? {} : { override }),
        movements: [movement('B', 1, 'RETURN_RESTOCK')],
        completedAt: ISO,
      } satisfies EventPayloads['return.completed'];
    }

    it('freezes the store credit of a no-receipt return without its override: nothing to look up or spend', async () => {
      const slip = `SC-${randomUUID()}`;
      const before = await moneyBooks();
      const { event, result } = await pushOne(store1, 'return.completed', noReceiptReturn(100_000_000, slip));
      // The return is the store's testimony and is recorded; the money it claims is not.
      expect(result.status).toBe('accepted');
      expect(await moneyBooks()).toEqual(before);
      const [held] = await exceptionsFor(event);
      expect(held).toMatchObject({
        type: 'STORE_CREDIT_HELD',
        details: { amount: 100_000_000, reasons: [expect.stringMatching(/without the manager override/)] },
      });
      // Another store's till finds nothing under the slip's number.
      expect((await lookUpCredit(store2, slip)).status).toBe(404);
    });

    it('freezes store credit past the store’s daily limit until HQ releases it', async () => {
      const admin = await signInAdmin();
      const limit = await fetch(`${baseUrl}/api/loyalty/credit-limits/USD`, {
        method: 'PUT',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${admin}` },
        body: JSON.stringify({ perStoreDay: 5_000 }),
      });
      expect(limit.status).toBe(200);
      const override = { managerId: 'staff-s1', reason: 'no receipt', at: ISO, auditRef: 'ov-1' };
      const first = `SC-${randomUUID()}`;
      expect(
        (await pushOne(store1, 'return.completed', noReceiptReturn(3_000, first, override))).result.status,
      ).toBe('accepted');
      expect((await lookUpCredit(store2, first)).status).toBe(200);
      const second = `SC-${randomUUID()}`;
      const before = await moneyBooks();
      const { event } = await pushOne(store1, 'return.completed', noReceiptReturn(3_000, second, override));
      expect(await moneyBooks()).toEqual(before);
      const [held] = await exceptionsFor(event);
      // Amounts as HQ reads them, not minor units (issue 14, bug 5).
      expect(held!.details.reasons).toEqual([
        expect.stringMatching(
          /has issued 30\.00 USD of credit on .*; 30\.00 USD more would pass HQ's daily limit of 50\.00 USD\./,
        ),
      ]);
      expect(held!.details.message).toMatch(/^30\.00 USD of store credit for /);
      expect((await lookUpCredit(store2, second)).status).toBe(404);

      const released = await fetch(
        `${baseUrl}/api/loyalty/held-credits/${String(held!.details.heldCreditId)}/release`,
        {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: `Bearer ${admin}` },
          body: JSON.stringify({ note: 'Return checked with the store manager.' }),
        },
      );
      expect(released.status).toBe(200);
      expect((await lookUpCredit(store2, second)).status).toBe(200);
      expect(
        (await listExceptions(storage.db, { status: 'open', limit: 500 })).map((e) => e.exceptionId),
      ).not.toContain(held!.exceptionId);
    });

    it('holds the points of an unpriced €1,000,000 sale instead of earning them', async () => {
      const customer = await member('+15550001001', 0);
      const sale = saleOf([{ sku: 'A', qty: 1 }], { staffId: 'staff-s1' });
      const huge = 100_000_000;
      const forged = {
        ...sale,
        shiftId: 'shift-s1',
        customerId: customer.customerId,
        lines: [{ ...sale.lines[0]!, unitPrice: huge, extended: huge, net: huge, paid: huge }],
        totals: { subtotal: huge, discount: 0, tax: 0, total: huge, cashRounding: 0, paid: huge, change: 0 },
        tenders: [
          { tenderId: randomUUID(), type: 'card' as const, amount: huge, reference: `T-${randomUUID()}` },
        ],
        loyalty: { accountId: customer.accountId, pointsEarned: 1_000_000, pointsRedeemed: 0 },
      };
      const { event, result } = await pushOne(store1, 'sale.completed', forged);
      expect(result.status).toBe('accepted');
      expect(await ledgerOf(customer.accountId)).toEqual([]);
      const raised = await exceptionsFor(event);
      expect(raised.map((exception) => exception.type).sort()).toEqual(['POINTS_HELD', 'PRICING_AUDIT']);
      expect(raised.find((e) => e.type === 'POINTS_HELD')!.details).toMatchObject({ points: 1_000_000 });
    });

    it('earns the programme’s points on a priced sale, not the till’s claim, and says so with both figures', async () => {
      const customer = await member('+15550001004', 0);
      const sale = store1Sale();
      const forged = {
        ...sale,
        customerId: customer.customerId,
        loyalty: { accountId: customer.accountId, pointsEarned: 1_000_000, pointsRedeemed: 0 },
      };
      const { event, result } = await pushOne(store1, 'sale.completed', forged);
      expect(result.status).toBe('accepted');
      // 1 point per 100 paid: 12.62 earns 12.
      const earned = (await ledgerOf(customer.accountId)).filter((entry) => entry.type === 'EARN_PENDING');
      expect(earned.map((entry) => entry.points)).toEqual([12]);
      const raised = await exceptionsFor(event);
      expect(raised.map((exception) => exception.type)).toEqual(['POINTS_EARNED_MISMATCH']);
      expect(raised[0]!.details).toMatchObject({ till: { points: 1_000_000 }, hub: { points: 12 } });
    });

    it('flags a forged redemption with both figures and books no points on it', async () => {
      const customer = await member('+15550001002', 5_000);
      const sale = store1Sale();
      const forged = {
        ...sale,
        customerId: customer.customerId,
        tenders: [{ tenderId: randomUUID(), type: 'loyalty_points' as const, points: 1, amount: 1_262 }],
        loyalty: { accountId: customer.accountId, pointsEarned: 0, pointsRedeemed: 1 },
      };
      const { event, result } = await pushOne(store1, 'sale.completed', forged);
      expect(result.status).toBe('accepted');
      const [mismatch] = (await exceptionsFor(event)).filter((e) => e.type === 'LOYALTY_CLAIM_MISMATCH');
      expect(mismatch!.details).toMatchObject({ points: 1, till: { amount: 1_262 }, hub: { amount: 1 } });
      expect((await ledgerOf(customer.accountId)).filter((entry) => entry.type === 'EARN_PENDING')).toEqual(
        [],
      );
    });

    it('holds the points of a priced sale after a fake receipt when its card reference repeats or is a card number', async () => {
      const customer = await member('+15550001003', 0);
      expect(
        (await pushOne(store1, 'stock.received', receiptOf([{ sku: 'C', qty: 10 }]))).result.status,
      ).toBe('accepted');
      const real = store1Sale();
      const reference = real.tenders[0]!.reference!;
      expect((await pushOne(store1, 'sale.completed', real)).result.status).toBe('accepted');
      for (const forgedReference of [reference, '4111 1111 1111 1111']) {
        const sale = store1Sale();
        const fake = {
          ...sale,
          customerId: customer.customerId,
          tenders: [{ ...sale.tenders[0]!, reference: forgedReference }],
        };
        const { event, result } = await pushOne(store1, 'sale.completed', fake);
        expect(result.status).toBe('accepted');
        const raised = await exceptionsFor(event);
        expect(raised.map((exception) => exception.type).sort()).toEqual([
          'CARD_REFERENCE_SUSPECT',
          'POINTS_HELD',
        ]);
        // A card number is never kept, not in the exception nor in the event log.
        const logged = await storage.db
          .selectFrom('ingested_events')
          .select('envelope')
          .where('event_id', '=', event.eventId)
          .executeTakeFirstOrThrow();
        const published = await storage.db
          .selectFrom('integration_events')
          .select('data')
          .where('source_event_id', '=', event.eventId)
          .execute();
        expect(published.length).toBeGreaterThan(0);
        for (const kept of [JSON.stringify(raised), logged.envelope, ...published.map((row) => row.data)])
          expect(kept.replace(/[\s-]/g, '')).not.toContain('4111111111111111');
      }
      expect(await ledgerOf(customer.accountId)).toEqual([]);
    });
  });

  describe('gift card numbers', () => {
    it('gives a till nothing to rebuild a card number from, and answers a PIN card only with its PIN', async () => {
      const admin = await signInAdmin();
      const number = '6006491234567890';
      const issued = await fetch(`${baseUrl}/api/loyalty/gift-cards`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${admin}` },
        body: JSON.stringify({
          number,
          issueId: `gc-${randomUUID()}`,
          amount: 5_000,
          currency: 'USD',
          pin: '4826',
        }),
      });
      expect(issued.status).toBe(201);
      const lookUp = (body: Record<string, string>) =>
        fetch(`${baseUrl}/sync/loyalty/stored-value/lookup`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: `Bearer ${store2.credential}` },
          body: JSON.stringify(body),
        });
      const before = await books();
      const withoutPin = await lookUp({ number });
      expect(withoutPin.status).toBe(403);
      expect(await withoutPin.text()).not.toContain('sv-');
      const answer = await lookUp({ number, pin: '4826' });
      expect(answer.status).toBe(200);
      const text = await answer.text();
      const digest = createHash('sha256').update(number, 'utf8').digest('hex');
      // Neither the number, its digest (what the id used to be made of), nor more than its last 4 digits.
      expect(text).not.toContain(number);
      expect(text).not.toContain(digest.slice(0, 8));
      expect(text).not.toContain('34567890');
      expect(
        (JSON.parse(text) as { value: { account: { maskedNumber: string } } }).value.account.maskedNumber,
      ).toBe('****7890');
      // The hub's lookup column is an HMAC under its own key, not the number's plain digest.
      const stored = await storage.db
        .selectFrom('stored_value_accounts')
        .select('number_hash')
        .where('masked_number', '=', '****7890')
        .executeTakeFirstOrThrow();
      expect(stored.number_hash).not.toBe(digest);
      expect(await books()).toEqual(before);
    });
  });

  describe('one bad event never blocks a device', () => {
    it('rejects a quantity the hub cannot count alone, applies the rest of the batch, and moves on', async () => {
      const before = await books();
      const huge = store1.events.next('stock.received', receiptOf([{ sku: 'A', qty: 9007199254740991 }]));
      const good = store1.events.next('stock.adjusted', adjustment(movement('A', 3)));
      const ack = await push(store1, [huge, good]);
      expect(ack.results.map((result) => result.status)).toEqual(['rejected', 'accepted']);
      // Refused by the shared bounds when the payload is read (or, past them, when applied).
      expect(ack.results[0]!.reason).toMatch(/qty|beyond what the hub can count/);
      expect(ack.lastSeq).toBe(good.deviceSeq);
      type Balances = { balances: { node_id: string; sku: string; sellable: number }[] };
      const sellable = (state: Record<string, unknown>) =>
        (state as Balances).balances.find((row) => row.node_id === 's1' && row.sku === 'A')?.sellable;
      expect(sellable(await books())).toBe(sellable(before)! + 3);
      expect((await exceptionFor(huge)).type).toBe('REJECTED_EVENT');
    });
  });
});
