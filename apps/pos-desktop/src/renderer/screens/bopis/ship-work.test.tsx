// @vitest-environment happy-dom
import { screen, waitFor, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { bopisOrder, bopisSummary, type BopisDetail } from '../../testing/builders';
import { failure, type FakeNode } from '../../testing/fake-node';
import { renderPos } from '../../testing/render-pos';
import { BopisScreen } from './bopis-screen';
import { parcelGrams } from './ship-work';

const SHIP_TO = {
  name: 'Ada Lovelace',
  line1: '12 Rue de Rivoli',
  city: 'Paris',
  postalCode: '75001',
  country: 'FR',
};

/** A picked ship order the fake node packs and ships the way the real one answers. */
function scriptShipOrder(node: FakeNode, start: BopisDetail) {
  let order = start;
  const pickup = bopisOrder({ orderId: 'order-p', orderNumber: 'W-20001', customerName: 'Sam Roe' });
  node.handle('bopis-list', () => ({
    orders: [bopisSummary(order), bopisSummary(pickup)],
    queue: { waiting: 1, picking: 0, ready: 0, toPutBack: 0, toPack: 1, toShip: 0, oldestWaitingSince: null },
  }));
  node.handle('bopis-get', () => order);
  node.handle('bopis-pack', (input) => {
    order = {
      ...order,
      status: 'PACKED',
      task: 'ship',
      shipment: {
        parcels: input.parcels.map((parcel, index) => ({ parcelId: `${index + 1}`, ...parcel })),
        lines: order.lines.map((line) => ({ lineId: line.lineId, qty: line.pickedQty })),
        carrier: null,
        trackingNumber: null,
        shippedAt: null,
      },
    };
    return order;
  });
  node.handle('bopis-ship', (input) => {
    if (input.trackingNumber === 'JD0000000000') {
      return failure('NOT_ALLOWED', 'Order W-30001 was cancelled by HQ; put its items back.');
    }
    order = {
      ...order,
      status: 'SHIPPED',
      task: 'none',
      shipment: { ...order.shipment!, carrier: input.carrier, trackingNumber: input.trackingNumber },
    };
    return order;
  });
}

function pickedShipOrder(): BopisDetail {
  const base = bopisOrder();
  return bopisOrder({
    orderId: 'order-s',
    orderNumber: 'W-30001',
    fulfilment: 'ship',
    status: 'PICKING',
    task: 'pack',
    pickupDeadline: null,
    shipTo: SHIP_TO,
    lines: base.lines.map((line) => ({ ...line, pickedQty: line.qty, remainingQty: 0 })),
  });
}

describe('ship-work', () => {
  it('reads a parcel weight in kg, with a comma or a point, within what a carrier takes', () => {
    expect(parcelGrams('1.25')).toBe(1250);
    expect(parcelGrams(' 0,9 ')).toBe(900);
    expect(parcelGrams('70')).toBe(70_000);
    expect(parcelGrams('70.001')).toBeNull();
    expect(parcelGrams('0')).toBeNull();
    expect(parcelGrams('1.2345')).toBeNull();
    expect(parcelGrams('abc')).toBeNull();
  });

  it('lists ship orders on their own tab, packs into weighed parcels and ships with the tracking scanned', async () => {
    const { user, node } = renderPos({
      signedInAs: 'cashier',
      ui: <BopisScreen />,
      setup: (n) => scriptShipOrder(n, pickedShipOrder()),
    });
    // The pickup queue does not show the ship order, and the ship tab does not show the pickup.
    const pickups = await screen.findByRole('list', { name: 'Orders' });
    await within(pickups).findByRole('listitem', { name: 'Order W-20001 for Sam Roe' });
    expect(within(pickups).queryByRole('listitem', { name: /W-30001/ })).toBeNull();
    await user.click(screen.getByRole('tab', { name: 'Ship to home' }));
    expect(await screen.findByText('1 to pack · 0 to hand to the carrier')).toBeTruthy();
    const ships = screen.getByRole('list', { name: 'Orders' });
    expect(within(ships).queryByRole('listitem', { name: /W-20001/ })).toBeNull();
    const entry = within(ships).getByRole('listitem', { name: 'Order W-30001 for Alex Doe' });
    await user.click(within(entry).getByRole('button', { name: 'Open' }));
    expect(await screen.findByText('Ship to Ada Lovelace, 12 Rue de Rivoli, 75001 Paris, FR')).toBeTruthy();

    // A weight that is not one is refused next to its field, nothing sent.
    const first = screen.getByLabelText('Parcel 1 weight (kg)');
    await user.type(first, '1,2.5{Enter}');
    const weightError = await screen.findByText(
      'Weigh parcel 1: enter its weight in kg, such as 1.25 (at most 70 kg).',
    );
    expect(first.getAttribute('aria-describedby')).toBe(weightError.id);
    expect(node.inputs('bopis-pack')).toEqual([]);
    await user.clear(first);
    await user.type(first, '1,25');
    await user.click(screen.getByRole('button', { name: 'Add a parcel' }));
    await user.type(screen.getByLabelText('Parcel 2 weight (kg)'), '0.8{Enter}');
    expect(await screen.findByText('Order W-30001 packed in 2 parcels.')).toBeTruthy();
    expect(node.inputs('bopis-pack')).toEqual([
      { orderId: 'order-s', parcels: [{ weightGrams: 1250 }, { weightGrams: 800 }] },
    ]);
    expect(screen.getByText('Packed in 2 parcels: 1.25 kg, 0.8 kg')).toBeTruthy();

    // Carrier then tracking number, keyboard only; a short tracking number is caught next to the field.
    const carrier = screen.getByLabelText('Carrier');
    expect(document.activeElement).toBe(carrier);
    await user.type(carrier, 'UPS{Tab}');
    const tracking = screen.getByLabelText('Tracking number (type or scan the label)');
    expect(document.activeElement).toBe(tracking);
    await user.type(tracking, '1Z99{Enter}');
    expect(
      await screen.findByText('A tracking number is 8–40 letters and digits; scan the label again.'),
    ).toBeTruthy();
    expect(node.inputs('bopis-ship')).toEqual([]);

    // The node's refusal shows under the Ship button.
    await user.clear(tracking);
    await user.type(tracking, 'jd00 0000 0000{Enter}');
    const refusal = await screen.findByText('Order W-30001 was cancelled by HQ; put its items back.');
    expect(screen.getByRole('button', { name: 'Ship' }).getAttribute('aria-describedby')).toBe(refusal.id);

    await user.clear(tracking);
    await user.type(tracking, '1z999 aa1 0123456784{Enter}');
    expect(
      await screen.findByText('Order W-30001 shipped with UPS, tracking 1Z999AA10123456784.'),
    ).toBeTruthy();
    await waitFor(() => expect(screen.queryByRole('button', { name: 'Ship' })).toBeNull());
    expect(node.inputs('bopis-ship').at(-1)).toEqual({
      orderId: 'order-s',
      carrier: 'UPS',
      trackingNumber: '1Z999AA10123456784',
    });
  });

  it('records a short line on a ship order instead of sending it back to the hub', async () => {
    const { user, node } = renderPos({
      signedInAs: 'cashier',
      ui: <BopisScreen />,
      setup: (n) => {
        let order = bopisOrder({
          orderId: 'order-s',
          orderNumber: 'W-30002',
          fulfilment: 'ship',
          status: 'PICKING',
          task: 'pick',
          shipTo: SHIP_TO,
        });
        n.handle('bopis-list', () => ({
          orders: [bopisSummary(order)],
          queue: {
            waiting: 0,
            picking: 1,
            ready: 0,
            toPutBack: 0,
            toPack: 0,
            toShip: 0,
            oldestWaitingSince: null,
          },
        }));
        n.handle('bopis-get', () => order);
        n.handle('bopis-short-line', (input) => {
          order = {
            ...order,
            lines: order.lines.map((line) =>
              line.lineId === input.lineId ? { ...line, pickedQty: input.foundQty, shortPicked: true } : line,
            ),
          };
          return order;
        });
      },
    });
    await user.click(await screen.findByRole('tab', { name: 'Ship to home' }));
    await user.click(await screen.findByRole('button', { name: 'Open' }));
    await user.click(await screen.findByRole('button', { name: 'Report items missing' }));
    const dialog = await screen.findByRole('dialog', { name: 'What could be found? The rest still ships.' });
    const bread = within(dialog).getByLabelText('Found of Smooth Bread family size (ordered 2)');
    await user.clear(bread);
    await user.type(bread, '1');
    await user.click(within(dialog).getByRole('button', { name: 'Report short' }));
    await waitFor(() => expect(screen.queryByRole('dialog')).toBeNull());
    expect(node.inputs('bopis-short-line')).toEqual([
      { orderId: 'order-s', lineId: 'ol-1', foundQty: 1 },
      { orderId: 'order-s', lineId: 'ol-2', foundQty: 0 },
    ]);
    expect(node.inputs('bopis-short-pick')).toEqual([]);
  });
});
