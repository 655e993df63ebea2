import { readFileSync, writeFileSync } from 'node:fs';
import { applyBopisTransition, orderHead, placeBopisOrder, type BopisTransitionInput } from '@retail/domain';

/** The order the BOPIS e2e test picks and hands over: two lines of demo SKUs with known barcodes. */
export const E2E_BOPIS_ORDER = {
  orderId: 'e2e-order-1',
  orderNumber: 'W-E2E-1',
  customerName: 'Alex Doe',
  pickupCode: 'K7Q2MX',
  lines: [
    { lineId: 'l1', sku: 'SKU0000001', barcode: '4000000000013', qty: 2 },
    { lineId: 'l2', sku: 'SKU0000002', barcode: '4000000000020', qty: 1 },
  ],
} as const;

/**
 * Adds to a demo fixture an online order placed and routed to the store by the same domain functions the
 * hub uses, as the `bopis_order` feed change the hub would send: the store receives it the real way.
 */
export function addBopisOrder(fixtureFile: string, storeId: string, now: number): void {
  const fixture = JSON.parse(readFileSync(fixtureFile, 'utf8')) as { changes: { hubSeq: number }[] };
  const placed = placeBopisOrder(
    {
      orderId: E2E_BOPIS_ORDER.orderId,
      orderNumber: E2E_BOPIS_ORDER.orderNumber,
      channel: 'web',
      lines: E2E_BOPIS_ORDER.lines.map(({ lineId, sku, qty }) => ({ lineId, sku, qty })),
      customer: { name: E2E_BOPIS_ORDER.customerName, email: 'alex@example.com' },
      pickup: { type: 'store', storeId },
      payment: { authorisationRef: 'auth-e2e-1', amount: 2000, currency: 'EUR' },
      placedAt: now - 600_000,
      pickupPolicy: { holdHours: 48, graceMinutes: 30 },
    },
    { transitionId: 'place-e2e-1', pickupCode: E2E_BOPIS_ORDER.pickupCode, heldAt: storeId },
  ).state;
  const routed = applyBopisTransition(placed, {
    transitionId: 'route-e2e-1',
    basedOn: orderHead(placed),
    at: now - 300_000,
    actor: { kind: 'hub' },
    action: 'route',
    nodeId: storeId,
  } as BopisTransitionInput).state;
  const hubSeq = Math.max(...fixture.changes.map((change) => change.hubSeq)) + 1;
  fixture.changes.push({
    hubSeq,
    entity: 'bopis_order',
    key: routed.order.orderId,
    op: 'upsert',
    data: routed,
  } as never);
  writeFileSync(fixtureFile, JSON.stringify(fixture));
}

/** The ship-to-home order the pack/ship e2e test works: picking started at the store, nothing picked yet. */
export const E2E_SHIP_ORDER = {
  orderId: 'e2e-ship-1',
  orderNumber: 'W-E2E-SHIP-1',
  customerName: 'Ada Lovelace',
  shipTo: {
    name: 'Ada Lovelace',
    line1: '12 Rue de Rivoli',
    city: 'Paris',
    postalCode: '75001',
    country: 'FR',
  },
  lines: [
    { lineId: 's1', sku: 'SKU0000001', barcode: '4000000000013', qty: 1 },
    { lineId: 's2', sku: 'SKU0000002', barcode: '4000000000020', qty: 1 },
  ],
} as const;

/**
 * Adds a ship-to-home order routed to the store and already accepted and being picked there (so it waits
 * for no one and leaves the pickup queue's counts as they were), as the `bopis_order` feed change.
 */
export function addShipOrder(fixtureFile: string, storeId: string, now: number): void {
  const fixture = JSON.parse(readFileSync(fixtureFile, 'utf8')) as { changes: { hubSeq: number }[] };
  let state = placeBopisOrder(
    {
      orderId: E2E_SHIP_ORDER.orderId,
      orderNumber: E2E_SHIP_ORDER.orderNumber,
      channel: 'web',
      fulfilment: { type: 'ship', shipTo: { ...E2E_SHIP_ORDER.shipTo, location: { lat: 48.86, lon: 2.35 } } },
      lines: E2E_SHIP_ORDER.lines.map(({ lineId, sku, qty }) => ({ lineId, sku, qty, amount: 1000 })),
      customer: { name: E2E_SHIP_ORDER.customerName, email: 'ada@example.com' },
      payment: { authorisationRef: 'auth-e2e-ship-1', amount: 2495, currency: 'EUR' },
      pickup: { type: 'location', location: { lat: 48.86, lon: 2.35 } },
      placedAt: now - 600_000,
      pickupPolicy: { holdHours: 48, graceMinutes: 30 },
    },
    { transitionId: 'place-e2e-ship-1', pickupCode: 'P4CK3D', heldAt: storeId },
  ).state;
  const steps = [
    { actor: { kind: 'hub' }, action: 'route', nodeId: storeId },
    { actor: { kind: 'store', nodeId: storeId }, action: 'accept' },
    { actor: { kind: 'store', nodeId: storeId }, action: 'start_picking' },
  ];
  for (const [index, step] of steps.entries()) {
    state = applyBopisTransition(state, {
      transitionId: `e2e-ship-1-${index}`,
      basedOn: orderHead(state),
      at: now - 300_000 + index,
      ...step,
    } as BopisTransitionInput).state;
  }
  const hubSeq = Math.max(...fixture.changes.map((change) => change.hubSeq)) + 1;
  fixture.changes.push({
    hubSeq,
    entity: 'bopis_order',
    key: state.order.orderId,
    op: 'upsert',
    data: state,
  } as never);
  writeFileSync(fixtureFile, JSON.stringify(fixture));
}
