// @vitest-environment happy-dom
import { act, screen, waitFor, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { bopisOrder, bopisSummary, type BopisDetail } from '../../testing/builders';
import { failure, type FakeNode } from '../../testing/fake-node';
import { renderPos } from '../../testing/render-pos';
import { BopisScreen } from './bopis-screen';

const QUEUE = {
  waiting: 1,
  picking: 0,
  ready: 0,
  toPutBack: 0,
  toPack: 0,
  toShip: 0,
  oldestWaitingSince: '2026-11-23T09:30:00.000Z',
};

/** One order the fake node walks through its states the way the real one answers. */
function scriptOrder(node: FakeNode, start: BopisDetail) {
  let order = start;
  const update = (patch: Partial<BopisDetail>) => {
    order = { ...order, ...patch };
    return order;
  };
  node.handle('bopis-list', () => ({ orders: [bopisSummary(order)], queue: QUEUE }));
  node.handle('bopis-get', () => order);
  node.handle('bopis-accept', () => update({ status: 'ACCEPTED', task: 'pick' }));
  node.handle('bopis-start-picking', () => update({ status: 'PICKING', task: 'pick' }));
  node.handle('bopis-pick-scan', (input) => {
    const line = order.lines.find((candidate) =>
      input.code === '4000000000013'
        ? candidate.sku === 'SKU0000001'
        : input.code === '4000000000020' && candidate.sku === 'SKU0000002',
    );
    if (!line)
      return failure(
        'NOT_ALLOWED',
        `Item ${input.code} is not on order W-10042. Put it back and scan the next item.`,
      );
    if (line.remainingQty === 0)
      return failure('NOT_ALLOWED', `All ${line.qty} of ${line.name} are already picked.`);
    const picked = { ...line, pickedQty: line.pickedQty + 1, remainingQty: line.remainingQty - 1 };
    update({
      lines: order.lines.map((candidate) => (candidate.lineId === line.lineId ? picked : candidate)),
    });
    return {
      order,
      picked: {
        lineId: line.lineId,
        sku: line.sku,
        qty: 1,
        pickedQty: picked.pickedQty,
        remainingQty: picked.remainingQty,
        lineComplete: picked.remainingQty === 0,
      },
    };
  });
  node.handle('bopis-mark-ready', () =>
    update({ status: 'READY_FOR_PICKUP', task: 'hand_over', handover: { allowed: true, reason: null } }),
  );
  node.handle('bopis-short-pick', (input) =>
    update({
      status: 'SHORT_PICK',
      task: 'wait_for_hub',
      lines: order.lines.map((line) => {
        const short = input.lines.find((entry) => entry.lineId === line.lineId);
        return short ? { ...line, pickedQty: short.foundQty, shortPicked: true } : line;
      }),
    }),
  );
  return { current: () => order };
}

describe('bopis-screen', () => {
  describe('queue', () => {
    it('lists the orders routed here with what to do, and reloads when the queue changes', async () => {
      const { node } = renderPos({
        signedInAs: 'cashier',
        ui: <BopisScreen />,
        setup: (n) => scriptOrder(n, bopisOrder()),
      });
      const orders = await screen.findByRole('list', { name: 'Orders' });
      const entry = await within(orders).findByRole('listitem', { name: 'Order W-10042 for Alex Doe' });
      expect(within(entry).getByText('Accept')).toBeTruthy();
      expect(within(entry).getByText(/^2 lines · 3 units · waiting \d+ (min|h)$/)).toBeTruthy();
      expect(screen.getByText(/1 to accept · 0 being picked · 0 ready · 0 to put back/)).toBeTruthy();
      const before = node.inputs('bopis-list').length;
      act(() => node.notify('bopis-queue', { ...QUEUE, waiting: 2 }));
      await waitFor(() => expect(node.inputs('bopis-list').length).toBeGreaterThan(before));
      act(() =>
        node.notify('bopis-order-arrived', {
          orderId: 'order-2',
          orderNumber: 'W-10043',
          customerName: 'Sam Roe',
          lineCount: 1,
          units: 1,
          pickupDeadline: null,
        }),
      );
      expect(screen.getByText('New pickup order W-10043 for Sam Roe (1 unit).')).toBeTruthy();
    });
  });

  describe('navigation', () => {
    it('shows how many orders wait for this store on the navigation, and F5 opens them', async () => {
      const { user } = renderPos({
        signedInAs: 'cashier',
        setup: (n) => {
          scriptOrder(n, bopisOrder());
          n.handle('shift-current', () => ({ shift: null }));
          n.handle('sale-current', () => ({ sale: null }));
        },
      });
      const nav = await screen.findByRole('navigation', { name: 'Work areas' });
      expect((await within(nav).findByRole('button', { name: /Pickup orders 1/ })).textContent).toContain(
        'F5',
      );
      await user.keyboard('{F5}');
      expect(await screen.findByRole('heading', { name: 'Pickup orders' })).toBeTruthy();
    });
  });

  describe('picking', () => {
    it('accepts, picks by scanning with the wrong item refused, and marks the order ready', async () => {
      const { user, node } = renderPos({
        signedInAs: 'cashier',
        ui: <BopisScreen />,
        setup: (n) => scriptOrder(n, bopisOrder()),
      });
      await user.click(await screen.findByRole('button', { name: 'Open' }));
      await user.click(await screen.findByRole('button', { name: 'Accept order' }));
      await user.click(await screen.findByRole('button', { name: 'Start picking' }));
      const scanField = await screen.findByLabelText('Scan each item as you pick it');
      await user.type(scanField, '4000000000037{Enter}');
      expect((await screen.findByRole('alert')).textContent).toContain(
        'Item 4000000000037 is not on order W-10042.',
      );
      await user.type(scanField, '4000000000013{Enter}');
      expect(await screen.findByText('Smooth Bread family size: 1 of 2 picked')).toBeTruthy();
      expect(screen.getByRole('button', { name: 'Mark ready for pickup' }).hasAttribute('disabled')).toBe(
        true,
      );
      await user.type(scanField, '4000000000013{Enter}');
      expect(await screen.findByText('Smooth Bread family size: line complete')).toBeTruthy();
      await user.type(scanField, '4000000000020{Enter}');
      await waitFor(() =>
        expect(screen.getByRole('button', { name: 'Mark ready for pickup' }).hasAttribute('disabled')).toBe(
          false,
        ),
      );
      await user.click(screen.getByRole('button', { name: 'Mark ready for pickup' }));
      expect(await screen.findByText('Order W-10042 is ready; the customer is told.')).toBeTruthy();
      expect(node.inputs('bopis-pick-scan').map((input) => input.code)).toEqual([
        '4000000000037',
        '4000000000013',
        '4000000000013',
        '4000000000020',
      ]);
      expect(node.inputs('bopis-mark-ready')).toEqual([{ orderId: 'order-1' }]);
    });

    it('reports what could be found when items are missing', async () => {
      const { user, node } = renderPos({
        signedInAs: 'cashier',
        ui: <BopisScreen />,
        setup: (n) => scriptOrder(n, bopisOrder({ status: 'PICKING', task: 'pick' })),
      });
      await user.click(await screen.findByRole('button', { name: 'Open' }));
      await user.click(await screen.findByRole('button', { name: 'Report items missing' }));
      const dialog = await screen.findByRole('dialog', { name: 'What could be found?' });
      const bread = within(dialog).getByLabelText('Found of Smooth Bread family size (ordered 2)');
      await user.clear(bread);
      await user.type(bread, '1');
      await user.click(within(dialog).getByRole('button', { name: 'Report short' }));
      await waitFor(() => expect(screen.queryByRole('dialog')).toBeNull());
      expect(node.inputs('bopis-short-pick')).toEqual([
        {
          orderId: 'order-1',
          lines: [
            { lineId: 'ol-1', foundQty: 1 },
            { lineId: 'ol-2', foundQty: 0 },
          ],
        },
      ]);
      expect(screen.getAllByText('short')).toHaveLength(2);
    });

    it('records staged items put back on the shelf when the order will not be collected here', async () => {
      const { user, node } = renderPos({
        signedInAs: 'cashier',
        ui: <BopisScreen />,
        setup: (n) => {
          const order = scriptOrder(
            n,
            bopisOrder({
              status: 'CANCELLED',
              task: 'put_back',
              message: 'Cancelled by the customer: put the 3 items back.',
            }),
          );
          n.handle('bopis-unstage', () => ({
            order: { ...order.current(), task: 'none' as const },
            movedBack: [
              { sku: 'SKU0000001', qty: 2 },
              { sku: 'SKU0000002', qty: 1 },
            ],
          }));
        },
      });
      await user.click(await screen.findByRole('button', { name: 'Open' }));
      expect(screen.getAllByText('Cancelled by the customer: put the 3 items back.').length).toBeGreaterThan(
        0,
      );
      await user.click(screen.getByRole('button', { name: 'The items are back on the shelf' }));
      expect(await screen.findByText('Order W-10042: items recorded back on the shelf.')).toBeTruthy();
      expect(node.inputs('bopis-unstage')).toEqual([{ orderId: 'order-1' }]);
    });
  });

  describe('pickup', () => {
    it('finds the order by pickup code and hands it over', async () => {
      const ready = bopisOrder({
        status: 'READY_FOR_PICKUP',
        task: 'hand_over',
        handover: { allowed: true, reason: null },
      });
      const { user, node } = renderPos({
        signedInAs: 'cashier',
        ui: <BopisScreen />,
        setup: (n) => {
          scriptOrder(n, ready);
          n.handle('bopis-lookup', () => ready);
          n.handle('bopis-handover', () => ({
            order: { ...ready, status: 'PICKED_UP' as const, task: 'none' as const },
            verifiedBy: 'pickup_code' as const,
          }));
        },
      });
      await user.click(await screen.findByRole('tab', { name: 'Customer pickup' }));
      await user.type(screen.getByLabelText('Pickup code'), 'K7-4QP{Enter}');
      await user.click(await screen.findByRole('button', { name: 'Hand over' }));
      expect(await screen.findByText('Order W-10042 handed over (pickup code checked).')).toBeTruthy();
      expect(node.inputs('bopis-handover')).toEqual([{ attempt: { kind: 'pickup_code', code: 'K7-4QP' } }]);
    });

    it('after a handover says only that it was handed over, and drops "not confirmed" once the hub has it', async () => {
      const ready = bopisOrder({
        status: 'READY_FOR_PICKUP',
        task: 'hand_over',
        handover: { allowed: true, reason: null },
      });
      const handedOver = {
        ...ready,
        status: 'PICKED_UP' as const,
        task: 'none' as const,
        pendingSync: true,
        handover: { allowed: false, reason: 'Order W-10042 was already handed over.' },
      };
      let confirmed = false;
      const { user, node } = renderPos({
        signedInAs: 'cashier',
        ui: <BopisScreen />,
        setup: (n) => {
          scriptOrder(n, ready);
          n.handle('bopis-lookup', () => ready);
          n.handle('bopis-handover', () => ({ order: handedOver, verifiedBy: 'pickup_code' as const }));
          n.handle('bopis-get', () => (confirmed ? { ...handedOver, pendingSync: false } : handedOver));
        },
      });
      await user.click(await screen.findByRole('tab', { name: 'Customer pickup' }));
      await user.type(screen.getByLabelText('Pickup code'), 'K7-4QP{Enter}');
      await user.click(await screen.findByRole('button', { name: 'Hand over' }));
      expect(await screen.findByText('Order W-10042 handed over (pickup code checked).')).toBeTruthy();
      expect(screen.queryByText(/Do not hand over/)).toBeNull();
      expect(screen.getByText('Not confirmed by the hub yet')).toBeTruthy();

      confirmed = true;
      act(() => node.notify('bopis-queue', { ...QUEUE, waiting: 0 }));
      await waitFor(() => expect(screen.queryByText('Not confirmed by the hub yet')).toBeNull());
      expect(screen.getByText('Order W-10042 handed over (pickup code checked).')).toBeTruthy();

      // Looking the same order up again later is another matter: then the warning is right.
      await user.type(screen.getByLabelText('Pickup code'), '{Enter}');
      node.handle('bopis-lookup', () => ({ ...handedOver, pendingSync: false }));
      await user.clear(screen.getByLabelText('Pickup code'));
      await user.type(screen.getByLabelText('Pickup code'), 'K7-4QP{Enter}');
      expect(
        await screen.findByText('Do not hand over: Order W-10042 was already handed over.'),
      ).toBeTruthy();
    });

    it('shows the times in an order history in the store time zone', async () => {
      const expired = bopisOrder({
        status: 'EXPIRED',
        task: 'put_back',
        timeline: [
          {
            at: '2026-11-23T09:00:00.000Z',
            action: 'expire',
            by: 'hub',
            from: 'READY_FOR_PICKUP',
            to: 'EXPIRED',
            detail: 'Not collected by 2026-12-09T00:58:19.160Z.',
          },
        ],
      });
      const { user } = renderPos({
        signedInAs: 'cashier',
        ui: <BopisScreen />,
        setup: (n) => scriptOrder(n, expired),
      });
      await user.click(await screen.findByRole('button', { name: 'Open' }));
      const history = await screen.findByRole('region', { name: 'History' });
      expect(history.textContent).toContain('Not collected by 09/12/2026, 00:58.');
      expect(history.textContent).not.toContain('T00:58');
    });

    it('writes the times in the node’s pickup refusals in the store time zone', async () => {
      const early = bopisOrder({
        status: 'EXPIRED',
        handover: {
          allowed: false,
          reason: 'Order W-10042 expired: not collected by 2026-12-09T00:58:19.160Z.',
        },
      });
      const { user } = renderPos({
        signedInAs: 'cashier',
        ui: <BopisScreen />,
        setup: (n) => {
          scriptOrder(n, early);
          n.handle('bopis-lookup', () => early);
          n.failOnce('bopis-lookup', {
            code: 'NOT_ALLOWED',
            message: 'Order W-10042 does not expire until 2026-12-09T00:58:19.160Z.',
          });
        },
      });
      await user.click(await screen.findByRole('tab', { name: 'Customer pickup' }));
      await user.type(screen.getByLabelText('Pickup code'), 'K7-4QP{Enter}');
      expect((await screen.findByRole('alert')).textContent).toContain(
        'Order W-10042 does not expire until 09/12/2026, 00:58.',
      );
      await user.type(screen.getByLabelText('Pickup code'), '{Enter}');
      expect(
        await screen.findByText(
          'Do not hand over: Order W-10042 expired: not collected by 09/12/2026, 00:58.',
        ),
      ).toBeTruthy();
      expect(document.body.textContent).not.toContain('T00:58');
    });

    it('says why an order must not be handed over, by order number and name', async () => {
      const cancelled = bopisOrder({
        status: 'CANCELLED',
        task: 'put_back',
        handover: { allowed: false, reason: 'The order was cancelled; do not hand it over.' },
      });
      const { user, node } = renderPos({
        signedInAs: 'cashier',
        ui: <BopisScreen />,
        setup: (n) => {
          scriptOrder(n, cancelled);
          n.handle('bopis-lookup', () => cancelled);
        },
      });
      await user.click(await screen.findByRole('tab', { name: 'Customer pickup' }));
      await user.click(screen.getByLabelText('By order number and name'));
      await user.type(screen.getByLabelText('Order number'), 'W-10042');
      await user.type(screen.getByLabelText('Name on the order'), 'alex doe{Enter}');
      expect(
        await screen.findByText('Do not hand over: The order was cancelled; do not hand it over.'),
      ).toBeTruthy();
      expect(screen.queryByRole('button', { name: 'Hand over' })).toBeNull();
      expect(node.inputs('bopis-lookup')).toEqual([
        { attempt: { kind: 'order_number_and_name', orderNumber: 'W-10042', customerName: 'alex doe' } },
      ]);
    });
  });
});
