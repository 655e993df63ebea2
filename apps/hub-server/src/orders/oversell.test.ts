import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getException, listExceptions } from '../exceptions/exception-queue';
import { verifyProjections } from '../inventory/ledger-reads';
import { readInventoryLevel } from '../inventory/stock-levels';
import { backendKinds } from '../test-support/backends';
import { TEST_SETTINGS, createBopisWorld, type BopisWorld } from '../test-support/bopis-world';
import { saleOf } from '../test-support/fixtures';
import { updateNode } from '../nodes/nodes';
import { startBopisRuntime } from './bopis-runtime';
import { resolveOpenOversells } from './oversell';

describe.each(backendKinds())('orders/oversell on %s', (kind) => {
  let world: BopisWorld;

  beforeAll(async () => {
    world = await createBopisWorld(kind, { skus: ['OV1', 'OV2', 'OV3', 'OV4'] });
  });

  afterAll(async () => {
    await world?.dispose();
  });

  async function sell(nodeId: string, sku: string, qty: number): Promise<void> {
    const ack = await world.push(nodeId, [
      { type: 'sale.completed', payload: saleOf([{ sku, qty }], { staffId: `staff-${nodeId}` }) },
    ]);
    expect(ack.results[0]?.status).toBe('accepted');
  }

  async function openOversell(nodeId: string, sku: string) {
    const open = await listExceptions(world.storage.db, { type: 'OVERSELL', nodeId, sku, limit: 5 });
    return open;
  }

  describe('resolveOpenOversells', () => {
    it('re-routes the order whose unit an offline sale took to another store, telling both stores', async () => {
      await world.stock('s1', 'OV1', 1);
      await world.stock('s3', 'OV1', 2);
      const order = await world.place({ lines: [{ lineId: 'l1', sku: 'OV1', qty: 1 }] });
      expect(order.nodeId).toBe('s1');
      await sell('s1', 'OV1', 1);
      const [raised] = await openOversell('s1', 'OV1');
      expect(raised).toMatchObject({ status: 'open', severity: 'critical' });

      const results = await resolveOpenOversells(world.hub, TEST_SETTINGS);
      expect(results).toMatchObject([{ exceptionId: raised!.exceptionId, outcome: 'resolved' }]);
      const view = await world.view(order.orderId);
      expect(view).toMatchObject({ status: 'ROUTED', nodeId: 's3', excludedNodeIds: ['s1'] });
      const old = view.reservations.find((r) => r.nodeId === 's1');
      const fresh = view.reservations.find((r) => r.nodeId === 's3');
      expect(old).toMatchObject({ status: 'REASSIGNED', replacedBy: fresh?.reservationId });
      expect(fresh).toMatchObject({ status: 'ACTIVE', qty: 1 });
      expect(view.notifications.map((n) => n.kind)).toEqual(['rerouted']);
      const steps = view.timeline
        .filter((entry) => entry.kind === 'oversell')
        .map((entry) => entry.data.step);
      expect(steps).toEqual(['OVERSELL_VICTIM', 'REROUTED']);

      const exception = await getException(world.storage.db, raised!.exceptionId);
      expect(exception).toMatchObject({ status: 'resolved', resolvedBy: 'hub' });
      const resolution = exception.details.resolution as {
        victims: { orderId: string; outcome: string; toNodeId: string }[];
        steps: { kind: string }[];
      };
      expect(resolution.victims).toEqual([
        expect.objectContaining({ orderId: order.orderId, outcome: 'rerouted', toNodeId: 's3' }),
      ]);
      expect(resolution.steps.map((step) => step.kind)).toEqual(['OVERSELL_VICTIM', 'REROUTED']);
      expect(await readInventoryLevel(world.storage.db, 's1', 'OV1')).toMatchObject({
        sellable: 0,
        committed: 0,
      });
      expect(await readInventoryLevel(world.storage.db, 's3', 'OV1')).toMatchObject({
        sellable: 2,
        committed: 1,
      });
      const feed = await world.storage.db
        .selectFrom('feed_changes')
        .select(['scope', 'data'])
        .where('entity', '=', 'bopis_order')
        .where('entity_key', '=', order.orderId)
        .orderBy('scope')
        .execute();
      expect(feed.map((row) => [row.scope, JSON.parse(row.data!).nodeId])).toEqual([
        ['s1', 's3'],
        ['s3', 's3'],
      ]);
      // Handled once: a second pass finds nothing new.
      expect(await resolveOpenOversells(world.hub, TEST_SETTINGS)).toEqual([]);
      expect(await verifyProjections(world.storage.db)).toEqual([]);
    });

    it('takes the lowest priority, newest order first, and cancels with a refund record when nothing else has stock', async () => {
      await world.stock('s2', 'OV2', 2);
      const important = await world.place({
        lines: [{ lineId: 'l1', sku: 'OV2', qty: 1 }],
        pickup: { type: 'store', storeId: 's2' },
        priority: 5,
      });
      const ordinary = await world.place({
        lines: [{ lineId: 'l1', sku: 'OV2', qty: 1 }],
        pickup: { type: 'store', storeId: 's2' },
      });
      await sell('s2', 'OV2', 1);
      const results = await resolveOpenOversells(world.hub, TEST_SETTINGS);
      expect(results).toHaveLength(1);
      expect(results[0]?.outcome).toBe('resolved');
      expect((await world.view(important.orderId)).status).toBe('ROUTED');
      const victim = await world.view(ordinary.orderId);
      expect(victim).toMatchObject({
        status: 'CANCELLED',
        cancelReason: 'oversell_short',
        paymentStatus: 'voided',
      });
      expect(victim.refunds).toMatchObject([
        { reason: 'oversell_short', status: 'pending', exceptionId: results[0]?.exceptionId },
      ]);
      expect(victim.notifications.map((n) => n.kind)).toEqual(['cancelled']);
      expect(
        victim.timeline.filter((entry) => entry.kind === 'oversell').map((entry) => entry.data.step),
      ).toEqual(['OVERSELL_VICTIM', 'MARKED_SHORT', 'CANCELLED_WITH_REFUND']);
      expect(await readInventoryLevel(world.storage.db, 's2', 'OV2')).toMatchObject({
        sellable: 1,
        committed: 1,
      });
    });

    it('closes an oversell that stock arriving covered before the hub got to it', async () => {
      await world.stock('s1', 'OV3', 1);
      await world.place({ lines: [{ lineId: 'l1', sku: 'OV3', qty: 1 }] });
      await sell('s1', 'OV3', 1);
      await world.stock('s1', 'OV3', 5);
      const [raised] = await openOversell('s1', 'OV3');
      const results = await resolveOpenOversells(world.hub, TEST_SETTINGS);
      expect(results).toEqual([{ exceptionId: raised!.exceptionId, outcome: 'no_longer_short' }]);
      expect((await getException(world.storage.db, raised!.exceptionId)).resolutionNote).toMatch(
        /covers its reservations again/,
      );
    });
  });

  describe('startBopisRuntime', () => {
    it('resolves an oversell raised by a push without being asked, once the push has committed', async () => {
      await world.stock('s1', 'OV4', 1);
      await world.stock('s2', 'OV4', 1);
      const order = await world.place({ lines: [{ lineId: 'l1', sku: 'OV4', qty: 1 }] });
      const runtime = startBopisRuntime(world.hub, { settings: TEST_SETTINGS, intervalMs: 60_000 });
      try {
        await runtime.idle();
        await sell('s1', 'OV4', 1);
        await runtime.idle();
        expect(await world.view(order.orderId)).toMatchObject({ status: 'ROUTED', nodeId: 's2' });
      } finally {
        await runtime.stop();
      }
      expect(world.hub.hooks.followUp).toBeUndefined();
    });
  });

  it('moves an oversold ship order to another node that ships, never to a pickup-only store', async () => {
    await updateNode(world.hub, 's1', { shipEnabled: true, expectedVersion: 1 });
    await updateNode(world.hub, 's3', { shipEnabled: true, expectedVersion: 1 });
    await world.stock('s1', 'OV4', 1);
    await world.stock('s2', 'OV4', 5);
    await world.stock('s3', 'OV4', 5);
    const { pickup: _pickup, ...body } = world.orderBody({
      lines: [{ lineId: 'l1', sku: 'OV4', qty: 1, amount: 1999 }],
      fulfilment: {
        type: 'ship',
        shipTo: {
          name: 'Ada Lovelace',
          line1: '12 Rue de Rivoli',
          city: 'Paris',
          postalCode: '75001',
          country: 'FR',
          location: { lat: 48.85, lon: 2.35 },
        },
      },
    });
    const order = await world.place(body);
    expect(order.nodeId).toBe('s1');
    await sell('s1', 'OV4', 1);
    await resolveOpenOversells(world.hub, TEST_SETTINGS);
    const view = await world.view(order.orderId);
    // s2 is nearer and has the units, but does not ship.
    expect(view).toMatchObject({ status: 'ROUTED', nodeId: 's3' });
    const s2 = view.routing?.candidates.find((candidate) => candidate.nodeId === 's2');
    expect(s2?.reasons.map((reason) => reason.code)).toContain('PICKUP_DISABLED');
  });
});
