// @vitest-environment happy-dom
import { screen, waitFor, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import type { OrderSummary, OrderView } from '../../api/api-types';
import { orderView } from '../../testing/builders';
import { failure, type FakeHub } from '../../testing/fake-hub';
import { NOW, renderDashboard } from '../../testing/render-dashboard';

const SUMMARIES: OrderSummary[] = [
  {
    orderId: 'ord-7',
    orderNumber: 'W-1007',
    status: 'ROUTED',
    version: 3,
    nodeId: 'store-2',
    priority: 0,
    customerName: 'Aoife Byrne',
    lines: 1,
    units: 2,
    paymentStatus: 'authorised',
    expiresAt: null,
    createdAt: NOW - 7_200_000,
    updatedAt: NOW - 3_500_000,
  },
  {
    orderId: 'ord-8',
    orderNumber: 'W-1008',
    status: 'PICKED_UP',
    version: 7,
    nodeId: 'store-1',
    priority: 0,
    customerName: 'Cian Walsh',
    lines: 2,
    units: 3,
    paymentStatus: 'captured',
    expiresAt: null,
    createdAt: NOW - 9_000_000,
    updatedAt: NOW - 8_000_000,
  },
];

function scriptOrders(hub: FakeHub, view: OrderView = orderView()): void {
  hub.handle('GET /api/orders', ({ query }) =>
    SUMMARIES.filter((order) => query.status === undefined || order.status === query.status),
  );
  hub.handle('GET /api/orders/:orderId', ({ params }) =>
    params.orderId === view.orderId ? view : failure('NOT_FOUND', `There is no order ${params.orderId}.`),
  );
}

describe('orders-screen', () => {
  describe('OrdersScreen', () => {
    it('lists orders with a status filter and opens one on its own page', async () => {
      const { user, hub, navigation } = renderDashboard({
        signedInAs: 'viewer',
        at: '/orders',
        setup: (h) => scriptOrders(h),
      });
      const table = await screen.findByRole('table', { name: 'Orders' });
      expect(within(table).getAllByRole('row')).toHaveLength(3);
      expect(within(table).getByRole('row', { name: /W-1008/ }).textContent).toContain('Picked up');

      await user.selectOptions(screen.getByLabelText('Order status'), 'ROUTED');
      await waitFor(() =>
        expect(within(screen.getByRole('table', { name: 'Orders' })).getAllByRole('row')).toHaveLength(2),
      );
      expect(hub.requests.at(-1)?.query).toMatchObject({ status: 'ROUTED' });

      await user.click(screen.getByRole('link', { name: 'W-1007' }));
      expect(navigation.current()).toBe('/orders/ord-7');
      expect(await screen.findByRole('heading', { name: 'Order W-1007' })).toBeTruthy();
      // Keyboard and screen-reader users land on the new page's content.
      expect(document.activeElement).toBe(screen.getByRole('main'));
    });
  });

  describe('OrderScreen', () => {
    it('explains the routing of every candidate and shows the timeline, reservations and notifications', async () => {
      renderDashboard({ signedInAs: 'viewer', at: '/orders/ord-7', setup: (h) => scriptOrders(h) });
      await screen.findByRole('heading', { name: 'Order W-1007' });
      expect(screen.getByText('€49.98, authorised (AUTH-77)')).toBeTruthy();
      expect(screen.getByText(/Routed to S002 Cork Patrick St/)).toBeTruthy();
      expect(
        screen.getByText(
          'Ranked by: the customer’s chosen store → fewest stores → distance → most stock → store id',
        ),
      ).toBeTruthy();
      const candidates = screen.getByRole('table', { name: 'Candidate stores' });
      const chosen = within(candidates).getByRole('row', { name: /S002 Cork Patrick St/ });
      expect(chosen.textContent).toContain('Chosen');
      expect(chosen.textContent).toContain('220 km');
      const excluded = within(candidates).getByRole('row', { name: /S001 Dublin Grafton St/ });
      expect(excluded.textContent).toContain('customer’s choice');
      expect(excluded.textContent).toContain('Not eligible');
      expect(excluded.textContent).toContain('The order was moved off this store after an oversell.');

      const timeline = screen.getByRole('list', { name: 'Timeline' });
      expect(
        within(timeline)
          .getAllByRole('listitem')
          .map((item) => item.textContent),
      ).toEqual([
        expect.stringContaining('Order W-1007 placed.'),
        expect.stringContaining('re-routed to S002'),
      ]);
      const reservations = screen.getByRole('table', { name: 'Reservations' });
      expect(within(reservations).getByRole('row', { name: /REASSIGNED/ }).textContent).toContain('res-2');
      const notifications = screen.getByRole('table', { name: 'Customer notifications' });
      expect(notifications.textContent).toContain('The webhook answered HTTP 500.');
      // A viewer sees the failed delivery but cannot retry it, nor cancel or re-route.
      expect(screen.queryByRole('button', { name: 'Retry the Re-routed notification' })).toBeNull();
      expect(screen.queryByRole('button', { name: 'Re-route to the next best store' })).toBeNull();
    });

    it('lets an operator retry a failed notification, re-route and cancel after confirming', async () => {
      const { user, hub } = renderDashboard({
        signedInAs: 'operator',
        at: '/orders/ord-7',
        setup: (h) => {
          scriptOrders(h);
          h.handle('POST /api/notifications/:id/retry', ({ params }) => ({
            ...orderView().notifications[0],
            notificationId: params.id,
            status: 'pending',
            nextAttemptAt: NOW + 60_000,
          }));
          h.handle('POST /api/orders/:orderId/reroute', () =>
            failure(
              'INSUFFICIENT_STOCK',
              'No other store can take order W-1007: no store has 2 of SKU-RED-M.',
            ),
          );
          h.handle('POST /api/orders/:orderId/cancel', () =>
            orderView({
              status: 'CANCELLED',
              version: 4,
              cancelReason: 'hq_request',
              paymentStatus: 'voided',
            }),
          );
        },
      });
      await user.click(await screen.findByRole('button', { name: 'Retry the Re-routed notification' }));
      expect(await screen.findByText('The Re-routed notification is queued to be sent again.')).toBeTruthy();
      expect(screen.getByRole('table', { name: 'Customer notifications' }).textContent).toContain('pending');
      expect(hub.sent('POST', '/api/notifications/ntf-1/retry')).toHaveLength(1);

      await user.click(screen.getByRole('button', { name: 'Re-route to the next best store' }));
      expect((await screen.findByRole('alert')).textContent).toContain(
        'No other store can take order W-1007: no store has 2 of SKU-RED-M.',
      );
      expect(hub.sent('POST', '/api/orders/ord-7/reroute')).toEqual([
        { reason: 'hq_request', expectedVersion: 3 },
      ]);

      await user.type(
        screen.getByLabelText('Why HQ cancels it (optional note)'),
        'Customer called the store.',
      );
      await user.click(screen.getByRole('button', { name: 'Cancel the order' }));
      expect(hub.sent('POST', '/api/orders/ord-7/cancel')).toEqual([]);
      await user.click(screen.getByRole('button', { name: 'Confirm cancelling order W-1007' }));
      expect(
        await screen.findByText('Order W-1007 is cancelled; its payment authorisation will be voided.'),
      ).toBeTruthy();
      expect(hub.sent('POST', '/api/orders/ord-7/cancel')).toEqual([
        { reason: 'hq_request', expectedVersion: 3, note: 'Customer called the store.' },
      ]);
      expect(screen.getByText('This order is closed: it cannot be cancelled or re-routed.')).toBeTruthy();
    });

    it('shows the hub’s sentence for an order that does not exist', async () => {
      renderDashboard({ signedInAs: 'viewer', at: '/orders/ord-404', setup: (h) => scriptOrders(h) });
      expect((await screen.findByRole('alert')).textContent).toBe('There is no order ord-404.');
    });
  });
});
