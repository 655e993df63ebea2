import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DomainError } from '@retail/domain';
import { verifyProjections } from '../inventory/ledger-reads';
import { readInventoryLevel } from '../inventory/stock-levels';
import { updateNode } from '../nodes/nodes';
import { backendKinds } from '../test-support/backends';
import { addWarehouse, createBopisWorld, type BopisWorld } from '../test-support/bopis-world';
import { movement } from '../test-support/fixtures';
import { recordNodeStep } from './node-steps';
import { cancelOrder } from './order-lifecycle';

const shipTo = {
  name: 'Ada Lovelace',
  line1: '12 Rue de Rivoli',
  city: 'Paris',
  postalCode: '75001',
  country: 'FR',
  location: { lat: 48.85, lon: 2.35 },
};

describe.each(backendKinds())('orders/ship orders on %s', (kind) => {
  let world: BopisWorld;

  beforeAll(async () => {
    world = await createBopisWorld(kind, { skus: ['A', 'B'] });
    // s1 (closest) does pickup only; s2 ships from store, one ship pick at a time; wh1 is a far warehouse.
    await updateNode(world.hub, 's2', { shipEnabled: true, shipPickCapacity: 1, expectedVersion: 1 });
    await addWarehouse(world, { A: 50, B: 50 });
    for (const nodeId of ['s1', 's2']) await world.stock(nodeId, 'A', 10);
    await world.stock('s2', 'B', 10);
  });

  afterAll(async () => {
    await world?.dispose();
  });

  function shipBody(
    lines = [
      { lineId: 'l1', sku: 'A', qty: 2, amount: 3000 },
      { lineId: 'l2', sku: 'B', qty: 1, amount: 1000 },
    ],
  ) {
    const { pickup: _pickup, ...body } = world.orderBody({
      lines,
      fulfilment: { type: 'ship', shipTo },
      payment: { authorisationRef: `pi_${lines.length}_${Date.now()}`, amount: 4599, currency: 'USD' },
    });
    return body;
  }

  async function pushStep(
    nodeId: string,
    type: Parameters<BopisWorld['push']>[1][number]['type'],
    payload: Record<string, unknown>,
  ) {
    const ack = await world.push(nodeId, [{ type, payload }]);
    return ack.results[0]!;
  }

  it('routes a ship order to the nearest ship-enabled node, and its ship capacity apart from pickup', async () => {
    const first = await world.place(shipBody());
    expect(first.fulfilment).toBe('ship');
    expect(first.nodeId).toBe('s2');
    const s1 = first.routing?.candidates.find((candidate) => candidate.nodeId === 's1');
    expect(s1?.reasons.map((reason) => reason.code)).toContain('PICKUP_DISABLED');

    // s2's one ship pick is taken: the next ship order goes to the warehouse …
    const second = await world.place(shipBody());
    expect(second.nodeId).toBe('wh1');
    // … while pickup orders still reach s2 (its pickup capacity is counted apart).
    const pickup = await world.place({ pickup: { type: 'store', storeId: 's2' } });
    expect(pickup.nodeId).toBe('s2');
    expect(pickup.fulfilment).toBe('pickup');
    for (const cancelled of [second, pickup]) {
      await cancelOrder(world.hub, cancelled.orderId, {}, { actor: 'user:hq', customer: false });
    }
  });

  it('a store picks, packs and ships through its till events: ledger, capture and a shipped notification', async () => {
    const order = await world.view(
      (
        await world.hub.storage.db
          .selectFrom('bopis_orders')
          .select('order_id')
          .where('node_id', '=', 's2')
          .where('fulfilment', '=', 'ship')
          .executeTakeFirstOrThrow()
      ).order_id,
    );
    const orderId = order.orderId;
    const before = await readInventoryLevel(world.storage.db, 's2', 'A');
    // Only the node the part is routed to may claim it: another store's till is refused, nothing moves.
    const claimed = await pushStep('s1', 'bopis.accepted', await world.step(orderId));
    expect(claimed.status).toBe('rejected');
    expect(JSON.stringify(claimed)).toMatch(/never sent to store s1, so this store cannot have acted on it/);
    expect((await world.view(orderId)).status).toBe('ROUTED');
    expect((await pushStep('s2', 'bopis.accepted', await world.step(orderId))).status).toBe('accepted');
    expect((await pushStep('s2', 'bopis.picking_started', await world.step(orderId))).status).toBe(
      'accepted',
    );
    for (const line of order.order.lines) {
      const result = await pushStep(
        's2',
        'bopis.picked',
        await world.step(orderId, { lineId: line.lineId, scannedSku: line.sku, qty: line.qty }),
      );
      expect(result.status).toBe('accepted');
    }
    const packMovements = order.order.lines.flatMap((line) => [
      movement(line.sku, -line.qty, 'PICK', 'sellable'),
      movement(line.sku, line.qty, 'PICK', 'staged'),
    ]);
    // Movements that do not match the lines are refused and write nothing.
    const wrong = await pushStep(
      's2',
      'bopis.packed',
      await world.step(orderId, {
        parcels: [{ parcelId: 'p1', weightGrams: 900 }],
        movements: [movement('A', -1, 'PICK', 'sellable'), movement('A', 1, 'PICK', 'staged')],
      }),
    );
    expect(wrong.status).toBe('rejected');
    expect((await world.view(orderId)).status).toBe('PICKING');

    const packed = await pushStep(
      's2',
      'bopis.packed',
      await world.step(orderId, {
        parcels: [{ parcelId: 'p1', weightGrams: 900 }],
        movements: packMovements,
      }),
    );
    expect(packed.status).toBe('accepted');
    expect(await readInventoryLevel(world.storage.db, 's2', 'A')).toMatchObject({
      staged: 2,
      committed: before.committed - 2,
    });

    const lines = order.order.lines.map((line) => ({ lineId: line.lineId, qty: line.qty }));
    const shipped = await pushStep(
      's2',
      'bopis.shipped',
      await world.step(orderId, {
        carrier: 'UPS',
        trackingNumber: '1Z999AA10123456784',
        lines,
        movements: order.order.lines.map((line) => movement(line.sku, -line.qty, 'SHIPMENT', 'staged')),
      }),
    );
    expect(shipped.status).toBe('accepted');
    const view = await world.view(orderId);
    expect(view.status).toBe('SHIPPED');
    expect(view.paymentStatus).toBe('captured');
    expect(view.shipment).toMatchObject({ carrier: 'UPS', trackingNumber: '1Z999AA10123456784' });
    expect(view.notifications.map((notification) => notification.kind)).toEqual(['shipped']);
    expect(view.notifications[0]?.payload).toMatchObject({
      order: { fulfilment: 'ship', shipment: { carrier: 'UPS', trackingNumber: '1Z999AA10123456784' } },
    });
    expect(view.timeline.map((entry) => entry.kind)).toContain('payment');
    expect(await readInventoryLevel(world.storage.db, 's2', 'A')).toMatchObject({
      staged: 0,
      onHand: before.onHand - 2,
    });
    expect(view.reservations.every((reservation) => reservation.status === 'CONSUMED')).toBe(true);
    expect(await verifyProjections(world.storage.db)).toEqual([]);
  });

  it('a warehouse reports its steps through the API; a short line ships the rest and captures only that', async () => {
    const order = await world.place(shipBody());
    expect(order.nodeId).toBe('s2');
    // s2's ship slot is free again; make it busy so the order below goes to the warehouse.
    const whOrder = await world.place(shipBody());
    expect(whOrder.nodeId).toBe('wh1');
    const step = (body: Parameters<typeof recordNodeStep>[2]['step']) =>
      recordNodeStep(world.hub, whOrder.orderId, { nodeId: 'wh1', step: body }, 'api-key:wms');
    await step({ action: 'accept' });
    await step({ action: 'start_picking' });
    await expect(step({ action: 'pick', lineId: 'l1', scannedSku: 'B', qty: 1 })).rejects.toThrow(
      /Wrong item/,
    );
    await step({ action: 'pick', lineId: 'l1', scannedSku: 'A', qty: 2 });
    await step({ action: 'short_line', lineId: 'l2', foundQty: 0 });
    const packed = await step({ action: 'pack', parcels: [{ parcelId: 'box-1', weightGrams: 1500 }] });
    expect(packed.status).toBe('PACKED');
    expect(packed.shipment?.captureAmount).toBe(3599);
    expect(await readInventoryLevel(world.storage.db, 'wh1', 'A')).toMatchObject({ staged: 2 });
    const shipped = await step({ action: 'ship', carrier: 'DHL', trackingNumber: 'JD0146000031' });
    expect(shipped.status).toBe('SHIPPED');
    const capture = shipped.timeline.find((entry) => entry.kind === 'payment');
    expect(capture?.data).toMatchObject({ action: 'capture', amount: 3599 });
    expect(shipped.timeline.some((entry) => entry.kind === 'pick_shortage')).toBe(true);
    expect(await readInventoryLevel(world.storage.db, 'wh1', 'A')).toMatchObject({ staged: 0, onHand: 48 });
    expect(await readInventoryLevel(world.storage.db, 'wh1', 'B')).toMatchObject({
      committed: 0,
      onHand: 50,
    });
    expect(await verifyProjections(world.storage.db)).toEqual([]);

    // A store records its steps at its till, never through this API.
    const error = await recordNodeStep(
      world.hub,
      order.orderId,
      { nodeId: 's2', step: { action: 'accept' } },
      'api-key:wms',
    ).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(DomainError);
    expect((error as DomainError).code).toBe('FORBIDDEN');
  });
});
