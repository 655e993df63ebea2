import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DomainError } from '@retail/domain';
import { listExceptions } from '../exceptions/exception-queue';
import { createHubContext, type HubContext } from '../hub-context';
import { pushEvents } from '../ingest/hub-ingest';
import type { Storage } from '../storage/storage';
import { backendKinds, createTestDatabase, type TestDatabase } from '../test-support/backends';
import {
  adjustment,
  enrollTestDevice,
  EventFactory,
  movement,
  saleOf,
  seedWorld,
} from '../test-support/fixtures';
import { verifyProjections } from './ledger-reads';
import {
  createReservation,
  listReservations,
  moveReservation,
  reassignReservation,
  releaseExpiredHolds,
  setSafetyStock,
} from './reservations';
import { readInventoryLevel, readNetworkAtp } from './stock-levels';
import { adjustStock } from './stock-operations';

describe.each(backendKinds())('inventory/reservations on %s', (kind) => {
  let database: TestDatabase;
  let storage: Storage;
  let hub: HubContext;
  let clock = 1_800_000_000_000;
  let stock: (nodeId: string, sku: string, delta: number) => Promise<void>;

  beforeAll(async () => {
    database = await createTestDatabase(kind);
    // Enough connections that 50 concurrent requests really contend on PostgreSQL.
    storage = await database.open({ poolSize: 12 });
    hub = createHubContext(storage, () => clock);
    await seedWorld(hub, { nodes: ['s1', 's2', 's3'], skus: ['LAST', 'R1', 'R2', 'R3', 'R4', 'OV'] });
    const devices = new Map<string, { push: (events: EventFactory) => void; factory: EventFactory }>();
    stock = async (nodeId, sku, delta) => {
      let entry = devices.get(nodeId);
      if (entry === undefined) {
        const device = await enrollTestDevice(hub, nodeId);
        entry = {
          push: () => undefined,
          factory: new EventFactory({ deviceId: device.deviceId, storeId: nodeId }),
        };
        devices.set(nodeId, entry);
      }
      const principal = entry.factory.device;
      const ack = await pushEvents(hub, principal, {
        ...principal,
        events: [entry.factory.next('stock.adjusted', adjustment(movement(sku, delta)))],
      });
      expect(ack.results[0]!.status).toBe('accepted');
    };
  });

  afterAll(async () => {
    await storage?.close();
    await database?.dispose();
  });

  describe('createReservation', () => {
    it('lets exactly the available units be promised under 50 concurrent requests for the last units', async () => {
      await stock('s1', 'LAST', 10);
      const attempts = Array.from({ length: 50 }, (_, index) =>
        createReservation(
          hub,
          { nodeId: 's1', sku: 'LAST', qty: 1, orderRef: `order-${index}` },
          'test',
        ).then(
          () => 'ok' as const,
          (error: unknown) => {
            if (error instanceof DomainError && error.code === 'INSUFFICIENT_STOCK')
              return 'refused' as const;
            throw error;
          },
        ),
      );
      const outcomes = await Promise.all(attempts);
      expect(outcomes.filter((o) => o === 'ok')).toHaveLength(10);
      const level = await readInventoryLevel(storage.db, 's1', 'LAST');
      expect(level).toMatchObject({ sellable: 10, committed: 10, atp: 0 });
      const active = await listReservations(storage.db, {
        nodeId: 's1',
        sku: 'LAST',
        status: 'ACTIVE',
        limit: 100,
      });
      expect(active.reduce((total, r) => total + r.qty, 0)).toBe(10);
      expect(await verifyProjections(storage.db)).toEqual([]);
    });

    it('never promises more than ATP with mixed quantities and safety stock racing', async () => {
      await stock('s2', 'R1', 30);
      await setSafetyStock(hub, 's2', 'R1', 5);
      const outcomes = await Promise.all(
        Array.from({ length: 50 }, (_, index) =>
          createReservation(
            hub,
            { nodeId: 's2', sku: 'R1', qty: 1 + (index % 3), orderRef: `mix-${index}` },
            'test',
          ).then(
            (r) => r.qty,
            () => 0,
          ),
        ),
      );
      const promised = outcomes.reduce((total, qty) => total + qty, 0);
      expect(promised).toBeLessThanOrEqual(25);
      expect(promised).toBeGreaterThanOrEqual(23);
      expect(await readInventoryLevel(storage.db, 's2', 'R1')).toMatchObject({
        committed: promised,
        safetyStock: 5,
      });
    });

    it('refuses more than ATP with INSUFFICIENT_STOCK, but accepts an explicit backorder', async () => {
      await stock('s3', 'R2', 2);
      await expect(
        createReservation(hub, { nodeId: 's3', sku: 'R2', qty: 3, orderRef: 'too-many' }, 'test'),
      ).rejects.toMatchObject({ code: 'INSUFFICIENT_STOCK', details: { available: 2, requested: 3 } });
      const backorder = await createReservation(
        hub,
        { nodeId: 's3', sku: 'R2', qty: 3, orderRef: 'backorder', backorder: true },
        'test',
      );
      expect(backorder.backorder).toBe(true);
    });

    it('returns the first reservation again for a repeated idempotency key', async () => {
      await stock('s1', 'R3', 5);
      const request = { nodeId: 's1', sku: 'R3', qty: 2, orderRef: 'idem', idempotencyKey: 'key-1' };
      const [a, b] = await Promise.all([
        createReservation(hub, request, 'test'),
        createReservation(hub, request, 'test'),
      ]);
      expect(a.reservationId).toBe(b.reservationId);
      expect((await readInventoryLevel(storage.db, 's1', 'R3')).committed).toBe(2);
      await expect(createReservation(hub, { ...request, qty: 3 }, 'test')).rejects.toMatchObject({
        code: 'CONFLICT',
      });
    });

    it('releases lapsed holds before judging availability', async () => {
      await stock('s2', 'R4', 1);
      await createReservation(
        hub,
        { nodeId: 's2', sku: 'R4', qty: 1, orderRef: 'cart', status: 'HELD', holdTtlMs: 60_000 },
        'test',
      );
      await expect(
        createReservation(hub, { nodeId: 's2', sku: 'R4', qty: 1, orderRef: 'other' }, 'test'),
      ).rejects.toMatchObject({ code: 'INSUFFICIENT_STOCK' });
      clock += 60_000;
      const taken = await createReservation(
        hub,
        { nodeId: 's2', sku: 'R4', qty: 1, orderRef: 'other' },
        'test',
      );
      expect(taken.status).toBe('ACTIVE');
      const held = await listReservations(storage.db, {
        nodeId: 's2',
        sku: 'R4',
        orderRef: 'cart',
        limit: 5,
      });
      expect(held[0]!.status).toBe('RELEASED');
    });
  });

  describe('moveReservation', () => {
    it('stages units into the staged bucket and hands them over exactly once', async () => {
      await stock('s3', 'R3', 4);
      const reservation = await createReservation(
        hub,
        { nodeId: 's3', sku: 'R3', qty: 3, orderRef: 'bopis-1' },
        'test',
      );
      const staged = await moveReservation(hub, reservation.reservationId, { action: 'stage' }, 'picker');
      expect(staged.status).toBe('STAGED');
      expect(await readInventoryLevel(storage.db, 's3', 'R3')).toMatchObject({
        sellable: 1,
        staged: 3,
        committed: 0,
      });
      await moveReservation(hub, reservation.reservationId, { action: 'consume' }, 'cashier');
      expect(await readInventoryLevel(storage.db, 's3', 'R3')).toMatchObject({
        sellable: 1,
        staged: 0,
        onHand: 1,
      });
      await expect(
        moveReservation(hub, reservation.reservationId, { action: 'consume' }, 'cashier'),
      ).rejects.toMatchObject({
        code: 'NOT_ALLOWED',
      });
      expect(await verifyProjections(storage.db)).toEqual([]);
    });

    it('refuses a stale expected version with CONFLICT', async () => {
      await stock('s1', 'R4', 3);
      const reservation = await createReservation(
        hub,
        { nodeId: 's1', sku: 'R4', qty: 1, orderRef: 'v' },
        'test',
      );
      await moveReservation(hub, reservation.reservationId, { action: 'mark_short' }, 'test');
      await expect(
        moveReservation(hub, reservation.reservationId, { action: 'release', expectedVersion: 1 }, 'test'),
      ).rejects.toMatchObject({ code: 'CONFLICT' });
    });
  });

  describe('reassignReservation', () => {
    it('moves the promise to a node with ATP and links the old reservation to the new one', async () => {
      await stock('s1', 'R2', 1);
      await stock('s2', 'R2', 4);
      const reservation = await createReservation(
        hub,
        { nodeId: 's1', sku: 'R2', qty: 1, orderRef: 'move-me' },
        'test',
      );
      const { previous, next } = await reassignReservation(
        hub,
        reservation.reservationId,
        { toNodeId: 's2' },
        'ops',
      );
      expect(previous).toMatchObject({ status: 'REASSIGNED', replacedBy: next.reservationId });
      expect(next).toMatchObject({ nodeId: 's2', status: 'ACTIVE', qty: 1 });
      expect((await readInventoryLevel(storage.db, 's1', 'R2')).committed).toBe(0);
      await expect(
        reassignReservation(hub, next.reservationId, { toNodeId: 's3' }, 'ops'),
      ).rejects.toMatchObject({ code: 'INSUFFICIENT_STOCK' });
    });
  });

  describe('releaseExpiredHolds', () => {
    it('sweeps lapsed holds and frees their units', async () => {
      await stock('s3', 'LAST', 2);
      await createReservation(
        hub,
        { nodeId: 's3', sku: 'LAST', qty: 2, orderRef: 'sweep', status: 'HELD', holdTtlMs: 1000 },
        'test',
      );
      expect((await readInventoryLevel(storage.db, 's3', 'LAST')).atp).toBe(0);
      clock += 1000;
      expect(await releaseExpiredHolds(hub)).toBeGreaterThanOrEqual(1);
      expect((await readInventoryLevel(storage.db, 's3', 'LAST')).atp).toBe(2);
    });
  });

  describe('oversell detection', () => {
    it('raises one oversell exception naming the causing sales and the reservations to re-route', async () => {
      await stock('s2', 'OV', 3);
      const low = await createReservation(
        hub,
        { nodeId: 's2', sku: 'OV', qty: 1, orderRef: 'low', priority: 1 },
        'test',
      );
      const high = await createReservation(
        hub,
        { nodeId: 's2', sku: 'OV', qty: 2, orderRef: 'high', priority: 9 },
        'test',
      );
      const device = await enrollTestDevice(hub, 's2');
      const principal = { deviceId: device.deviceId, storeId: 's2' };
      const events = new EventFactory(principal);
      const sale = events.next('sale.completed', saleOf([{ sku: 'OV', qty: 2 }]));
      await pushEvents(hub, principal, { ...principal, events: [sale] });
      const [oversell] = await listExceptions(storage.db, {
        type: 'OVERSELL',
        nodeId: 's2',
        sku: 'OV',
        limit: 5,
      });
      expect(oversell).toMatchObject({
        severity: 'critical',
        causeEventIds: [sale.eventId],
        details: { shortBy: 2, sellable: 1, committed: 3 },
      });
      expect(oversell!.details.affectedReservations).toEqual([
        { reservationId: low.reservationId, qty: 1, orderRef: 'low', priority: 1 },
        { reservationId: high.reservationId, qty: 2, orderRef: 'high', priority: 9 },
      ]);
      const again = events.next('sale.completed', saleOf([{ sku: 'OV', qty: 1 }]));
      await pushEvents(hub, principal, { ...principal, events: [again] });
      const open = await listExceptions(storage.db, {
        type: 'OVERSELL',
        nodeId: 's2',
        sku: 'OV',
        status: 'open',
        limit: 5,
      });
      expect(open).toHaveLength(1);
      expect(open[0]!.causeEventIds).toEqual([sale.eventId, again.eventId]);
    });
  });

  describe('oversell detection after a hub adjustment', () => {
    it('raises an oversell when HQ writes off units promised to a reservation', async () => {
      await stock('s3', 'OV', 2);
      await createReservation(hub, { nodeId: 's3', sku: 'OV', qty: 2, orderRef: 'web-9' }, 'test');
      await adjustStock(
        hub,
        { nodeId: 's3', reason: 'broken', lines: [{ sku: 'OV', bucket: 'sellable', delta: -1 }] },
        'user:ops',
      );
      const [oversell] = await listExceptions(storage.db, {
        type: 'OVERSELL',
        nodeId: 's3',
        sku: 'OV',
        limit: 5,
      });
      expect(oversell).toMatchObject({
        causeEventIds: [],
        details: { shortBy: 1, sellable: 1, committed: 2 },
      });
    });
  });

  describe('readNetworkAtp', () => {
    it('sums node ATP over active pickup nodes', async () => {
      const network = await readNetworkAtp(storage.db, 'R2', 'pickup');
      const byNode = Object.fromEntries(network.byNode.map((n) => [n.nodeId, n.atp]));
      expect(network.total).toBe(Object.values(byNode).reduce((a, b) => a + b, 0));
      expect(byNode.s2).toBe((await readInventoryLevel(storage.db, 's2', 'R2')).atp);
    });
  });
});
