import { afterEach, describe, expect, it } from 'vitest';
import type { BopisOrderState } from '@retail/domain';
import { bopisNodeSteps, hubStep, routedOrder } from '../testing/bopis-orders';
import {
  TEST_SKUS,
  TEST_START,
  checkedOutbox,
  createTestNode,
  databaseSnapshot,
  expectError,
  expectOk,
  type TestNode,
} from '../testing/test-node';

let node: TestNode | undefined;
afterEach(() => {
  node?.close();
  node = undefined;
});

const { feed, run, hubApplies, stock } = bopisNodeSteps(() => node!, 5000);

/** A ship-to-home order routed to this store, with line amounts (a short shipment can be charged). */
function shipOrder(orderId: string, nodeId = 'store-1'): BopisOrderState {
  return routedOrder(orderId, nodeId, {
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
    lines: [
      { lineId: 'l1', sku: 'APPLE-1', qty: 2, amount: 120 },
      { lineId: 'l2', sku: 'MILK-1', qty: 1, amount: 99 },
    ],
  });
}

function pickApples(orderId: string): void {
  expectOk(run('bopis-accept', { orderId }));
  expectOk(run('bopis-start-picking', { orderId }));
  expectOk(run('bopis-pick-scan', { orderId, code: TEST_SKUS.apple.barcode }));
  expectOk(run('bopis-pick-scan', { orderId, code: TEST_SKUS.apple.barcode }));
}

describe('commands/bopis ship-from-store', () => {
  it('lists ship-to-home orders apart from pickups, with the address to ship to', () => {
    node = createTestNode();
    feed(routedOrder('p-1'));
    feed(shipOrder('s-1'));
    const ships = expectOk(run('bopis-list', { fulfilment: 'ship' }));
    expect(ships.orders.map((order) => [order.orderId, order.fulfilment, order.task])).toEqual([
      ['s-1', 'ship', 'accept'],
    ]);
    const pickups = expectOk(run('bopis-list', { fulfilment: 'pickup' }));
    expect(pickups.orders.map((order) => order.orderId)).toEqual(['p-1']);
    expect(expectOk(run('bopis-list', {})).orders).toHaveLength(2);
    expect(expectOk(run('bopis-get', { orderId: 's-1' }))).toMatchObject({
      shipTo: { name: 'Ada Lovelace', city: 'Paris', country: 'FR' },
      shipment: null,
      handover: { allowed: false },
    });
  });

  it('picks, packs and ships offline: units staged then gone, events the hub replays to SHIPPED', () => {
    node = createTestNode();
    const hub = shipOrder('s-2');
    feed(hub);
    const before = stock('APPLE-1');
    pickApples('s-2');
    expectOk(run('bopis-pick-scan', { orderId: 's-2', sku: TEST_SKUS.milk.sku }));
    expect(expectOk(run('bopis-get', { orderId: 's-2' }))).toMatchObject({ status: 'PICKING', task: 'pack' });
    expect(expectOk(run('bopis-list', {})).queue).toMatchObject({ toPack: 1, toShip: 0 });

    const packed = expectOk(
      run('bopis-pack', { orderId: 's-2', parcels: [{ weightGrams: 900 }, { weightGrams: 1200 }] }),
    );
    expect(packed).toMatchObject({
      status: 'PACKED',
      task: 'ship',
      pendingSync: true,
      shipment: {
        parcels: [
          { parcelId: '1', weightGrams: 900 },
          { parcelId: '2', weightGrams: 1200 },
        ],
        lines: [
          { lineId: 'l1', qty: 2 },
          { lineId: 'l2', qty: 1 },
        ],
        carrier: null,
      },
    });
    expect(stock('APPLE-1')).toMatchObject({ sellable: before.sellable - 2, staged: 2 });
    expect(expectOk(run('bopis-list', {})).queue).toMatchObject({ toPack: 0, toShip: 1, toPutBack: 0 });

    // Scanned off the label: spaces and lower case are the scanner's, not the carrier's.
    const shipped = expectOk(
      run('bopis-ship', { orderId: 's-2', carrier: 'UPS', trackingNumber: ' 1z999 aa1 0123456784 ' }),
    );
    expect(shipped).toMatchObject({
      status: 'SHIPPED',
      task: 'none',
      staged: [],
      shipment: { carrier: 'UPS', trackingNumber: '1Z999AA10123456784' },
    });
    expect(stock('APPLE-1')).toMatchObject({ sellable: before.sellable - 2, staged: 0 });

    const events = checkedOutbox(node.engine).filter((event) => event.type.startsWith('bopis.'));
    expect(events.map((event) => event.type)).toEqual([
      'bopis.accepted',
      'bopis.picking_started',
      'bopis.picked',
      'bopis.picked',
      'bopis.picked',
      'bopis.packed',
      'bopis.shipped',
    ]);
    const packedEvent = events[5]!.payload as {
      parcels: unknown[];
      movements: { sku: string; type: string; bucket: string; delta: number }[];
    };
    expect(packedEvent.parcels).toHaveLength(2);
    expect(packedEvent.movements.map((m) => [m.sku, m.type, m.bucket, m.delta])).toEqual([
      ['APPLE-1', 'PICK', 'sellable', -2],
      ['APPLE-1', 'PICK', 'staged', 2],
      ['MILK-1', 'PICK', 'sellable', -1],
      ['MILK-1', 'PICK', 'staged', 1],
    ]);
    expect(events[6]!.payload).toMatchObject({
      carrier: 'UPS',
      trackingNumber: '1Z999AA10123456784',
      lines: [
        { lineId: 'l1', qty: 2 },
        { lineId: 'l2', qty: 1 },
      ],
    });
    const shipMovements = (events[6]!.payload as { movements: { type: string; delta: number }[] }).movements;
    expect(shipMovements.map((m) => [m.type, m.delta])).toEqual([
      ['SHIPMENT', -2],
      ['SHIPMENT', -1],
    ]);

    // The hub replays the same steps to the same end; once its state comes back nothing is pending
    // and the order leaves the open list.
    const atHub = hubApplies(hub);
    expect(atHub.status).toBe('SHIPPED');
    feed(atHub);
    expect(expectOk(run('bopis-get', { orderId: 's-2' }))).toMatchObject({
      status: 'SHIPPED',
      pendingSync: false,
    });
    expect(
      expectOk(run('bopis-list', { fulfilment: 'ship' })).orders.filter((order) => order.task !== 'none'),
    ).toEqual([]);
  });

  it('ships what was found when a line is short, and the hub charges only that', () => {
    node = createTestNode();
    const hub = shipOrder('s-3');
    feed(hub);
    pickApples('s-3');
    const short = expectOk(run('bopis-short-line', { orderId: 's-3', lineId: 'l2', foundQty: 0 }));
    expect(short).toMatchObject({ status: 'PICKING', task: 'pack' });
    expect(short.lines[1]).toMatchObject({ lineId: 'l2', shortPicked: true });
    const packed = expectOk(run('bopis-pack', { orderId: 's-3', parcels: [{ weightGrams: 400 }] }));
    expect(packed.shipment?.lines).toEqual([{ lineId: 'l1', qty: 2 }]);
    expectOk(
      run('bopis-ship', { orderId: 's-3', carrier: 'DHL Express', trackingNumber: 'JD0146000012345' }),
    );
    const atHub = hubApplies(hub);
    expect(atHub.status).toBe('SHIPPED');
    // 219 authorised, the 99 milk line did not leave.
    expect(atHub.shipment?.captureAmount).toBe(120);
    const types = checkedOutbox(node.engine)
      .map((event) => event.type)
      .filter((type) => type.startsWith('bopis.'));
    expect(types).toContain('bopis.line_short');
  });

  it('refuses packing before every line is picked, shipping before packing, and bad input, writing nothing', () => {
    node = createTestNode();
    feed(shipOrder('s-4'));
    feed(routedOrder('p-4'));
    pickApples('s-4');
    const snapshot = databaseSnapshot(node.engine);
    const early = expectError(
      run('bopis-pack', { orderId: 's-4', parcels: [{ weightGrams: 500 }] }),
      'NOT_ALLOWED',
    );
    expect(early.message).toMatch(/not fully picked yet: line l2 still needs items/);
    const notPacked = expectError(
      run('bopis-ship', { orderId: 's-4', carrier: 'UPS', trackingNumber: '1Z999AA10123456784' }),
      'NOT_ALLOWED',
    );
    expect(notPacked.message).toMatch(/pack it before it is shipped/);
    expectError(run('bopis-pack', { orderId: 's-4', parcels: [] }), 'INVALID_INPUT');
    const heavy = expectError(
      run('bopis-pack', { orderId: 's-4', parcels: [{ weightGrams: 80_000 }] }),
      'INVALID_INPUT',
    );
    expect(heavy.message).toMatch(/at most 70 kg/);
    const tracking = expectError(
      run('bopis-ship', { orderId: 's-4', carrier: 'UPS', trackingNumber: '12-34' }),
      'INVALID_INPUT',
    );
    expect(tracking.message).toMatch(/tracking number is 8–40 letters and digits/);
    const readyShip = expectError(run('bopis-mark-ready', { orderId: 's-4' }), 'NOT_ALLOWED');
    expect(readyShip.message).toMatch(/ship-to-home order: pack it and ship it instead/);
    const { audit_log: _s, ...refusedAll } = databaseSnapshot(node.engine);
    const { audit_log: _t, ...expected } = snapshot;
    expect(refusedAll).toEqual(expected);
    expectOk(run('bopis-accept', { orderId: 'p-4' }));
    expectOk(run('bopis-start-picking', { orderId: 'p-4' }));
    const { audit_log: _a, ...afterPickup } = databaseSnapshot(node.engine);
    const packPickup = expectError(
      run('bopis-pack', { orderId: 'p-4', parcels: [{ weightGrams: 500 }] }),
      'NOT_ALLOWED',
    );
    expect(packPickup.message).toMatch(/collected in store/);
    const { audit_log: _b, ...after } = databaseSnapshot(node.engine);
    expect(after).toEqual(afterPickup);
  });

  it('refuses to ship another store’s part and puts back a packed order the hub moved away', () => {
    node = createTestNode();
    feed(shipOrder('s-5', 'store-2'));
    expectError(run('bopis-accept', { orderId: 's-5' }), 'FORBIDDEN');
    const hub = shipOrder('s-6');
    feed(hub);
    pickApples('s-6');
    expectOk(run('bopis-pick-scan', { orderId: 's-6', sku: TEST_SKUS.milk.sku }));
    expectOk(run('bopis-pack', { orderId: 's-6', parcels: [{ weightGrams: 900 }] }));
    // HQ cancelled it before the till shipped: the packed units must go back on the shelf.
    const packedAtHub = hubApplies(hub);
    feed(hubStep(packedAtHub, { action: 'cancel', reason: 'hq_request' }, TEST_START));
    const view = expectOk(run('bopis-get', { orderId: 's-6' }));
    expect(view).toMatchObject({ status: 'CANCELLED', task: 'put_back' });
    const refused = expectError(
      run('bopis-ship', { orderId: 's-6', carrier: 'UPS', trackingNumber: '1Z999AA10123456784' }),
      'NOT_ALLOWED',
    );
    expect(refused.message).toMatch(/cancelled; pack it before it is shipped/);
    expect(expectOk(run('bopis-unstage', { orderId: 's-6' })).movedBack).toEqual([
      { sku: 'APPLE-1', qty: 2 },
      { sku: 'MILK-1', qty: 1 },
    ]);
  });
});
