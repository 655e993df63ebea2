import { randomUUID } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EventEnvelope, EventPayloads, PushAck } from '@retail/sync';
import { buildApp } from '../src/api/app';
import { listExceptions } from '../src/exceptions/exception-queue';
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
  receiptOf,
  saleOf,
  seedWorld,
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
    await seedWorld(hub, { nodes: ['s1', 's2'], skus: ['A', 'B', 'C'] });
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

  function store2Sale(lines: { sku: string; qty: number }[]) {
    return { ...saleOf(lines, { staffId: 'staff-s2' }), shiftId: 'shift-s2' };
  }

  describe('store scope', () => {
    it("refuses a void of another store's sale, read from the hub by receipt number", async () => {
      const sale = store2Sale([{ sku: 'A', qty: 1 }]);
      expect((await pushOne(store2, 'sale.completed', sale)).result.status).toBe('accepted');
      await expectRejectedAlone(
        store1,
        'sale.voided',
        {
          saleId: sale.saleId,
          receiptNumber: sale.receiptNumber,
          reason: 'customer changed mind',
          override: { managerId: 'staff-s1', reason: 'void', at: ISO },
          currency: 'USD',
          refunds: [],
          movements: [movement('A', 1, 'POS_VOID')],
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
