import { randomUUID } from 'node:crypto';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import { DomainError } from '@retail/domain';
import { StockLevelSchema, type PushRequest } from '@retail/sync';
import { listExceptions } from '../exceptions/exception-queue';
import { readFeed } from '../feed/feed-store';
import { createHubContext, type HubContext } from '../hub-context';
import { verifyProjections } from '../inventory/ledger-reads';
import { readInventoryLevel } from '../inventory/stock-levels';
import { compiledQueryStats } from '../storage/compiled-query';
import type { Storage } from '../storage/storage';
import { backendKinds, createTestDatabase, type TestDatabase } from '../test-support/backends';
import {
  adjustment,
  enrollTestDevice,
  EventFactory,
  ISO,
  movement,
  receiptOf,
  saleOf,
  seedWorld,
} from '../test-support/fixtures';
import { pushEvents } from './hub-ingest';

describe.each(backendKinds())('ingest/hub-ingest on %s', (kind) => {
  let database: TestDatabase;
  let storage: Storage;
  let hub: HubContext;

  beforeAll(async () => {
    database = await createTestDatabase(kind);
    storage = await database.open();
    hub = createHubContext(storage);
    await seedWorld(hub, { nodes: ['s1', 's2'], warehouses: ['wh'], skus: ['A', 'B', 'C', 'D', 'E'] });
  });

  afterAll(async () => {
    await storage?.close();
    await database?.dispose();
  });

  async function newDevice(nodeId = 's1') {
    const device = await enrollTestDevice(hub, nodeId);
    const principal = { deviceId: device.deviceId, storeId: device.storeId };
    const events = new EventFactory(principal);
    const push = (batch: PushRequest['events'], outbox?: PushRequest['outbox']) =>
      pushEvents(hub, principal, { ...principal, events: batch, ...(outbox ? { outbox } : {}) });
    return { device, principal, events, push };
  }

  describe('pushEvents', () => {
    it('applies a batch once and acknowledges the same batch again as duplicates', async () => {
      const { events, push } = await newDevice();
      const batch = [
        events.next('stock.received', receiptOf([{ sku: 'A', qty: 10 }])),
        events.next('sale.completed', saleOf([{ sku: 'A', qty: 3 }])),
      ];
      const first = await push(batch);
      expect(first).toMatchObject({ lastSeq: 2 });
      expect(first.results.map((r) => r.status)).toEqual(['accepted', 'accepted']);
      const again = await push(batch);
      expect(again.results.map((r) => r.status)).toEqual(['duplicate', 'duplicate']);
      expect(again.lastSeq).toBe(2);
      expect((await readInventoryLevel(storage.db, 's1', 'A')).sellable).toBe(7);
    });

    it('refuses everything after a gap, applies nothing from it, and names the resume point', async () => {
      const { events, push } = await newDevice();
      const one = events.next('stock.adjusted', adjustment(movement('B', 5)));
      events.next('stock.adjusted', adjustment(movement('B', 100)));
      const three = events.next('stock.adjusted', adjustment(movement('B', 1000)));
      const ack = await push([one, three]);
      expect(ack).toMatchObject({ lastSeq: 1, resumeFrom: 2 });
      expect(ack.results.map((r) => r.status)).toEqual(['accepted', 'refused']);
      expect((await readInventoryLevel(storage.db, 's1', 'B')).sellable).toBe(5);
    });

    it('records a permanently invalid event as an exception and advances lastSeq past it', async () => {
      const { events, push, device } = await newDevice();
      const bad = events.next('stock.adjusted', {
        adjustmentId: 'x',
        reason: 'r',
        movements: [],
        adjustedAt: ISO,
      });
      const unknownSku = events.next('stock.adjusted', adjustment(movement('NOPE', -1)));
      const good = events.next('stock.adjusted', adjustment(movement('C', 4)));
      const ack = await push([bad, unknownSku, good]);
      expect(ack.lastSeq).toBe(3);
      expect(ack.results.map((r) => r.status)).toEqual(['rejected', 'rejected', 'accepted']);
      expect(ack.results[0]!.reason).toMatch(/Invalid stock.adjusted v1 payload at movements/);
      expect(ack.results[1]!.reason).toMatch(/SKU NOPE is not in the hub catalog/);
      const rejected = await listExceptions(storage.db, { type: 'REJECTED_EVENT', limit: 100 });
      const mine = rejected.filter((e) => e.details.deviceId === device.deviceId);
      expect(mine.map((e) => e.causeEventIds)).toEqual(
        expect.arrayContaining([[bad.eventId], [unknownSku.eventId]]),
      );
      const log = await storage.db
        .selectFrom('ingested_events')
        .select(['device_seq', 'status'])
        .where('device_id', '=', device.deviceId)
        .orderBy('device_seq')
        .execute();
      expect(log.map((row) => [Number(row.device_seq), row.status])).toEqual([
        [1, 'rejected'],
        [2, 'rejected'],
        [3, 'applied'],
      ]);
      // The rejection is final: pushing the same events again (a lost ack) applies nothing and raises
      // nothing new, but tells the till again which were rejected and why, so staff still learn of it.
      const again = await push([bad, unknownSku, good]);
      expect(again.results.map((r) => [r.status, r.reason])).toEqual([
        ['rejected', ack.results[0]!.reason],
        ['rejected', ack.results[1]!.reason],
        ['duplicate', undefined],
      ]);
      expect(again.lastSeq).toBe(3);
      const after = await listExceptions(storage.db, { type: 'REJECTED_EVENT', limit: 100 });
      expect(after.filter((e) => e.details.deviceId === device.deviceId)).toHaveLength(mine.length);
    });

    it('rejects alone an event that fails while it is applied, keeping none of its writes', async () => {
      const { events, push, device } = await newDevice();
      // A balance a bounded quantity can still take past what the hub counts (one restored from elsewhere).
      const near = Number.MAX_SAFE_INTEGER - 2;
      await push([events.next('stock.adjusted', adjustment(movement('E', 1)))]);
      const setSellable = (sellable: number) =>
        storage.db
          .updateTable('stock_balances')
          .set({ sellable })
          .where('node_id', '=', 's1')
          .where('sku', '=', 'E')
          .execute();
      const actual = (await readInventoryLevel(storage.db, 's1', 'E')).sellable;
      await setSellable(near);
      onTestFinished(() => setSellable(actual).then(() => undefined));
      const first = adjustment(movement('C', 7));
      const overflowing = receiptOf([{ sku: 'E', qty: 5 }]);
      const last = adjustment(movement('C', 1));
      const batch = [
        events.next('stock.adjusted', first),
        events.next('stock.received', overflowing),
        events.next('stock.adjusted', last),
      ];
      const before = (await readInventoryLevel(storage.db, 's1', 'C')).sellable;
      const ack = await push(batch);
      expect(ack.results.map((r) => r.status)).toEqual(['accepted', 'rejected', 'accepted']);
      expect(ack.results[1]!.reason).toMatch(/beyond what the hub can count/);
      expect(ack.lastSeq).toBe(batch[2]!.deviceSeq);
      expect((await readInventoryLevel(storage.db, 's1', 'C')).sellable).toBe(before + 8);
      expect((await readInventoryLevel(storage.db, 's1', 'E')).sellable).toBe(near);
      const kept = await storage.db
        .selectFrom('inventory_movements')
        .select('movement_id')
        .where('movement_id', '=', overflowing.movements[0]!.movementId)
        .execute();
      expect(kept).toEqual([]);
      const rejected = await listExceptions(storage.db, { type: 'REJECTED_EVENT', limit: 500 });
      expect(
        rejected.filter(
          (e) => e.details.deviceId === device.deviceId && e.causeEventIds.includes(batch[1]!.eventId),
        ),
      ).toHaveLength(1);
    });

    it('never refuses an offline sale and keeps one open exception per negative-stock condition', async () => {
      const { events, push } = await newDevice('s2');
      const first = events.next('sale.completed', saleOf([{ sku: 'D', qty: 2 }], { staffId: 'staff-s2' }));
      const ack = await push([first]);
      expect(ack.results[0]!.status).toBe('accepted');
      expect((await readInventoryLevel(storage.db, 's2', 'D')).sellable).toBe(-2);
      const second = events.next('sale.completed', saleOf([{ sku: 'D', qty: 1 }], { staffId: 'staff-s2' }));
      await push([second]);
      const open = await listExceptions(storage.db, {
        type: 'NEGATIVE_SELLABLE',
        nodeId: 's2',
        sku: 'D',
        limit: 10,
      });
      expect(open).toHaveLength(1);
      expect(open[0]).toMatchObject({
        status: 'open',
        occurrences: 2,
        details: { sellable: -3, shortBy: 3 },
      });
      expect(open[0]!.causeEventIds).toEqual([first.eventId, second.eventId]);
    });

    it('refuses a push for another store or device', async () => {
      const { events, principal } = await newDevice('s1');
      const event = { ...events.next('stock.adjusted', adjustment(movement('A', 1))), storeId: 's2' };
      await expect(pushEvents(hub, principal, { ...principal, events: [event] })).rejects.toMatchObject({
        code: 'FORBIDDEN',
      });
      await expect(
        pushEvents(hub, principal, { deviceId: principal.deviceId, storeId: 's2', events: [] }),
      ).rejects.toBeInstanceOf(DomainError);
    });

    it('rejects an event id received before under another sequence number', async () => {
      const { events, push } = await newDevice();
      const original = events.next('stock.adjusted', adjustment(movement('A', 1)));
      await push([original]);
      const copy = {
        ...events.next('stock.adjusted', adjustment(movement('A', 1))),
        eventId: original.eventId,
      };
      const ack = await push([copy]);
      expect(ack.results[0]).toMatchObject({
        status: 'rejected',
        reason: expect.stringMatching(/already received/),
      });
      expect(ack.lastSeq).toBe(2);
    });

    it('counts a movement id sent again in a new event once, and rejects one reused for another change', async () => {
      const { events, push } = await newDevice('s2');
      const move = movement('E', 5);
      await push([events.next('stock.adjusted', adjustment(move))]);
      const replay = await push([events.next('stock.adjusted', adjustment(move))]);
      expect(replay.results[0]!.status).toBe('accepted');
      expect((await readInventoryLevel(storage.db, 's2', 'E')).sellable).toBe(5);
      const reused = await push([events.next('stock.adjusted', adjustment({ ...move, delta: 7 }))]);
      expect(reused.results[0]).toMatchObject({
        status: 'rejected',
        reason: expect.stringMatching(/already used/),
      });
      expect((await readInventoryLevel(storage.db, 's2', 'E')).sellable).toBe(5);
    });

    it('applies two racing deliveries of one batch exactly once', async () => {
      const { events, push } = await newDevice('s2');
      const batch = Array.from({ length: 20 }, () =>
        events.next('stock.adjusted', adjustment(movement('C', 1))),
      );
      const before = (await readInventoryLevel(storage.db, 's2', 'C')).sellable;
      const acks = await Promise.all([push(batch), push(batch), push(batch)]);
      for (const ack of acks) expect(ack.lastSeq).toBe(20);
      const accepted = acks.flatMap((ack) => ack.results).filter((r) => r.status === 'accepted');
      expect(accepted).toHaveLength(20);
      expect((await readInventoryLevel(storage.db, 's2', 'C')).sellable).toBe(before + 20);
    });

    it('moves a transfer through in-transit at the destination and flags a short arrival', async () => {
      const sender = await newDevice('s1');
      const receiver = await newDevice('s2');
      const transferId = randomUUID();
      await sender.push([sender.events.next('stock.received', receiptOf([{ sku: 'B', qty: 20 }]))]);
      const beforeS1 = await readInventoryLevel(storage.db, 's1', 'B');
      const beforeS2 = await readInventoryLevel(storage.db, 's2', 'B');
      const shipped = sender.events.next('stock.transferred_out', {
        transferId,
        toNodeId: 's2',
        lines: [{ sku: 'B', qty: 6 }],
        movements: [movement('B', -6, 'TRANSFER_OUT')],
        shippedAt: ISO,
      });
      expect((await sender.push([shipped])).results[0]!.status).toBe('accepted');
      expect((await readInventoryLevel(storage.db, 's1', 'B')).sellable).toBe(beforeS1.sellable - 6);
      expect((await readInventoryLevel(storage.db, 's1', 'B')).incoming).toBe(beforeS1.incoming);
      expect((await readInventoryLevel(storage.db, 's2', 'B')).incoming).toBe(beforeS2.incoming + 6);

      const arrived = receiver.events.next(
        'stock.received',
        receiptOf([{ sku: 'B', qty: 5 }], { type: 'transfer', reference: transferId }),
      );
      expect((await receiver.push([arrived])).results[0]!.status).toBe('accepted');
      const after = await readInventoryLevel(storage.db, 's2', 'B');
      expect(after.incoming).toBe(beforeS2.incoming);
      expect(after.sellable).toBe(beforeS2.sellable + 5);
      const variance = await listExceptions(storage.db, { type: 'TRANSFER_VARIANCE', limit: 10 });
      expect(variance.find((e) => e.details.transferId === transferId)?.details.lines).toEqual([
        { sku: 'B', shipped: 6, received: 5 },
      ]);
      const transfer = await storage.db
        .selectFrom('transfers')
        .selectAll()
        .where('transfer_id', '=', transferId)
        .executeTakeFirstOrThrow();
      expect(transfer.status).toBe('received_with_variance');
    });

    it('settles a transfer whose arrival reached the hub before its shipment', async () => {
      const sender = await newDevice('s1');
      const receiver = await newDevice('s2');
      const transferId = randomUUID();
      const beforeS2 = await readInventoryLevel(storage.db, 's2', 'A');
      await receiver.push([
        receiver.events.next(
          'stock.received',
          receiptOf([{ sku: 'A', qty: 3 }], { type: 'transfer', reference: transferId }),
        ),
      ]);
      await sender.push([
        sender.events.next('stock.transferred_out', {
          transferId,
          toNodeId: 's2',
          lines: [{ sku: 'A', qty: 3 }],
          movements: [movement('A', -3, 'TRANSFER_OUT')],
          shippedAt: ISO,
        }),
      ]);
      const after = await readInventoryLevel(storage.db, 's2', 'A');
      expect(after.incoming).toBe(beforeS2.incoming);
      expect(after.sellable).toBe(beforeS2.sellable + 3);
      const transfer = await storage.db
        .selectFrom('transfers')
        .select(['status', 'from_node_id'])
        .where('transfer_id', '=', transferId)
        .executeTakeFirstOrThrow();
      expect(transfer).toEqual({ status: 'received', from_node_id: 's1' });
    });

    it('publishes stock levels scoped to the node with the device sequence numbers they reflect', async () => {
      const { events, push, device } = await newDevice('s1');
      await push([events.next('stock.adjusted', adjustment(movement('E', 2)))]);
      const page = await readFeed(storage.db, 's1', 0, 1000);
      const level = page.changes.find((c) => c.entity === 'stock_level' && c.key === 's1:E');
      const parsed = StockLevelSchema.parse(level?.data);
      expect(parsed.deviceSeqs[device.deviceId]).toBe(1);
      expect(parsed.sellable).toBe((await readInventoryLevel(storage.db, 's1', 'E')).sellable);
      const otherStore = await readFeed(storage.db, 's2', 0, 1000);
      expect(otherStore.changes.some((c) => c.key === 's1:E')).toBe(false);
    });

    it('records the outbox lag the device reports', async () => {
      const { events, push, device } = await newDevice('s1');
      await push([events.next('stock.adjusted', adjustment(movement('A', 1)))], {
        pending: 42,
        oldestPendingAt: ISO,
      });
      const row = await storage.db
        .selectFrom('devices')
        .select(['outbox_pending', 'outbox_oldest_at', 'last_seq'])
        .where('device_id', '=', device.deviceId)
        .executeTakeFirstOrThrow();
      expect({ ...row, outbox_pending: Number(row.outbox_pending), last_seq: Number(row.last_seq) }).toEqual({
        outbox_pending: 42,
        outbox_oldest_at: ISO,
        last_seq: 1,
      });
    });

    it('keeps every balance equal to a re-fold of the ledger under random workloads', async () => {
      const devices = [await newDevice('s1'), await newDevice('s2')];
      await fc.assert(
        fc.asyncProperty(
          fc.array(
            fc.record({
              device: fc.nat(1),
              kind: fc.constantFrom('sale', 'receipt', 'adjust', 'dupe'),
              sku: fc.constantFrom('A', 'B', 'C'),
              qty: fc.integer({ min: 1, max: 9 }),
            }),
            { minLength: 1, maxLength: 12 },
          ),
          async (steps) => {
            for (const step of steps) {
              const d = devices[step.device]!;
              if (step.kind === 'dupe') {
                const replay = d.events.lastSeq;
                if (replay > 0) {
                  const ack = await d.push([]);
                  expect(ack.lastSeq).toBe(replay);
                }
                continue;
              }
              const event =
                step.kind === 'sale'
                  ? d.events.next('sale.completed', saleOf([{ sku: step.sku, qty: step.qty }]))
                  : step.kind === 'receipt'
                    ? d.events.next('stock.received', receiptOf([{ sku: step.sku, qty: step.qty }]))
                    : d.events.next('stock.adjusted', adjustment(movement(step.sku, -step.qty)));
              await d.push([event]);
              await d.push([event]);
            }
            expect(await verifyProjections(storage.db)).toEqual([]);
          },
        ),
        { numRuns: 8 },
      );
    });
  });
});

describe.each(backendKinds())('ingest/hub-ingest statements on %s', (kind) => {
  let database: TestDatabase;
  let storage: Storage;
  let hub: HubContext;

  beforeAll(async () => {
    database = await createTestDatabase(kind);
    storage = await database.open();
    hub = createHubContext(storage);
    await seedWorld(hub, { nodes: ['s1'], skus: ['B'] });
  });

  afterAll(async () => {
    await storage?.close();
    await database?.dispose();
  });

  it('builds the statements of a push once: a push of the same shape reuses every one', async () => {
    const pushSale = async () => {
      const device = await enrollTestDevice(hub, 's1');
      const principal = { deviceId: device.deviceId, storeId: device.storeId };
      const events = new EventFactory(principal);
      const before = { ...compiledQueryStats };
      const ack = await pushEvents(hub, principal, {
        ...principal,
        events: [events.next('sale.completed', saleOf([{ sku: 'B', qty: 1 }]))],
      });
      expect(ack.results.map((r) => r.status)).toEqual(['accepted']);
      return {
        built: compiledQueryStats.built - before.built,
        reused: compiledQueryStats.reused - before.reused,
      };
    };
    await pushSale();
    const second = await pushSale();
    expect(second.built).toBe(0);
    // The device's row (with its store's and the reference versions), the batch's reads (SKUs; the log,
    // sales, movements, shifts, staff, HQ staff and card references in one), the devices read and the
    // device update at least.
    expect(second.reused).toBeGreaterThanOrEqual(5);
  });
});
