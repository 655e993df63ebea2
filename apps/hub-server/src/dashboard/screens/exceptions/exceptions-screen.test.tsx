// @vitest-environment happy-dom
import { screen, waitFor, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import type { HubException } from '../../api/api-types';
import { hubException } from '../../testing/builders';
import { failure, type FakeHub } from '../../testing/fake-hub';
import { NOW, renderDashboard } from '../../testing/render-dashboard';

const OVERSELL = hubException({
  exceptionId: 'exc-oversell',
  causeEventIds: ['evt-sale-1', 'evt-sale-2'],
  details: {
    shortBy: 1,
    sellable: 0,
    committed: 2,
    affectedReservations: [
      { reservationId: 'res-1', qty: 1, orderRef: 'ord-7:l1', priority: 0 },
      { reservationId: 'res-9', qty: 1, orderRef: 'phone-order-3', priority: 0 },
    ],
    message: 'Sales at store-1 took 1 unit(s) of SKU-RED-M promised to open reservations.',
    resolution: {
      ignored: [
        {
          reservationId: 'res-9',
          orderId: 'phone-order-3',
          reason: 'Order phone-order-3 was not found, so its reservation cannot be moved.',
        },
      ],
      at: NOW - 3_500_000,
      message:
        'Store store-1 is short 1 of SKU SKU-RED-M: 1 order(s) moved off it, 1 re-routed and 0 cancelled with a refund.',
      victims: [
        { orderId: 'ord-7', orderNumber: 'W-1007', qty: 1, outcome: 'rerouted', toNodeId: 'store-2' },
      ],
      steps: [
        {
          orderId: 'ord-7',
          at: NOW - 3_500_000,
          kind: 'REROUTED',
          message: 'Order W-1007 re-routed to store-2.',
        },
      ],
      refunds: [],
    },
  },
  status: 'open',
});

const REJECTED = hubException({
  exceptionId: 'exc-rejected',
  type: 'REJECTED_EVENT',
  severity: 'warning',
  sku: null,
  causeEventIds: ['evt-bad'],
  details: {
    reason: 'SKU GHOST-1 is not in the catalog.',
    eventType: 'sale.completed',
    deviceId: 'dev-till-2',
    deviceSeq: 41,
    message:
      'Event 41 of device dev-till-2 (sale.completed) was rejected: SKU GHOST-1 is not in the catalog.',
  },
});

const PICK = hubException({
  exceptionId: 'exc-pick',
  type: 'PICK_SHORTAGE',
  severity: 'warning',
  nodeId: 'store-2',
  causeEventIds: [],
  details: { orderId: 'ord-9', orderNumber: 'W-1009', message: 'Store S002 found 0 of 2 for order W-1009.' },
});

const HELD_POINTS = hubException({
  exceptionId: 'exc-held',
  type: 'POINTS_HELD',
  severity: 'warning',
  sku: null,
  causeEventIds: ['evt-sale-9'],
  details: {
    heldPointsId: 'sale-9',
    saleId: 'sale-9',
    points: 10_000,
    message:
      'The 10000 points sale sale-9 would earn for account LC-1 are held until HQ releases or drops them.',
  },
});

const HELD_CREDIT = hubException({
  exceptionId: 'exc-credit',
  type: 'STORE_CREDIT_HELD',
  severity: 'warning',
  sku: null,
  causeEventIds: ['evt-return-3'],
  details: {
    heldCreditId: 'tender-3',
    amount: 100_000_000,
    message:
      '100000000 USD of store credit for ****1234 from return r-3 is frozen until HQ releases or drops it.',
  },
});

function script(hub: FakeHub, open: HubException[]): void {
  let current = open;
  hub.handle('GET /api/exceptions', ({ query }) =>
    current.filter(
      (exception) =>
        exception.status === (query.status ?? 'open') &&
        (query.nodeId === undefined || exception.nodeId === query.nodeId),
    ),
  );
  for (const kind of ['points', 'credits']) {
    for (const action of ['release', 'drop']) {
      hub.handle(`POST /api/loyalty/held-${kind}/:id/${action}`, ({ params }) => {
        current = current.filter(
          (exception) =>
            exception.details.heldPointsId !== params.id && exception.details.heldCreditId !== params.id,
        );
        return { status: action === 'release' ? 'released' : 'dropped' };
      });
    }
  }
  hub.handle('POST /api/exceptions/:id/resolve', ({ params, body }) => {
    const note = (body as { note: string }).note;
    current = current.map((exception) =>
      exception.exceptionId === params.id
        ? {
            ...exception,
            status: 'resolved',
            resolutionNote: note,
            resolvedBy: 'user:hq.ana',
            resolvedAt: NOW,
          }
        : exception,
    );
    return current.find((exception) => exception.exceptionId === params.id);
  });
}

describe('exceptions-screen', () => {
  describe('ExceptionsScreen', () => {
    it('shows what happened, what caused it and what was done, with counts per kind', async () => {
      renderDashboard({ signedInAs: 'viewer', setup: (hub) => script(hub, [OVERSELL, REJECTED, PICK]) });
      const list = await screen.findByRole('list', { name: 'Exception list' });
      const oversell = within(list).getByRole('listitem', { name: 'Oversell at S001 Dublin Grafton St' });
      const happened = within(oversell).getByRole('region', { name: 'What happened' });
      expect(happened.textContent).toContain('took 1 unit(s) of SKU-RED-M promised to open reservations');
      const cause = within(oversell).getByRole('region', { name: 'What caused it' });
      expect(within(cause).getByRole('link', { name: 'SKU-RED-M' }).getAttribute('href')).toBe(
        '/inventory?sku=SKU-RED-M',
      );
      expect(cause.textContent).toContain('evt-sale-1');
      expect(cause.textContent).toContain('evt-sale-2');
      expect(cause.textContent).toContain('1 unit promised to phone-order-3');
      const done = within(oversell).getByRole('region', { name: 'What was done' });
      expect(done.textContent).toContain('1 re-routed and 0 cancelled');
      expect(within(done).getByRole('link', { name: 'W-1007' }).getAttribute('href')).toBe('/orders/ord-7');
      expect(done.textContent).toContain('1 unit re-routed to S002 Cork Patrick St');
      expect(done.textContent).toContain('Order W-1007 re-routed to store-2.');
      expect(done.textContent).toContain(
        'Order phone-order-3 was not found, so its reservation cannot be moved.',
      );

      const rejected = within(list).getByRole('listitem', {
        name: 'Rejected event at S001 Dublin Grafton St',
      });
      const rejectedCause = within(rejected).getByRole('region', { name: 'What caused it' });
      expect(within(rejectedCause).getByRole('link', { name: 'event 41 of device dev-till-2' })).toBeTruthy();
      expect(rejectedCause.textContent).toContain('sale.completed');
      expect(within(rejected).getByRole('region', { name: 'What was done' }).textContent).toContain(
        'Nothing yet',
      );
      const pick = within(list).getByRole('listitem', { name: 'Pick shortage at S002 Cork Patrick St' });
      expect(within(pick).getByRole('link', { name: 'W-1009' }).getAttribute('href')).toBe('/orders/ord-9');

      const counts = screen.getByRole('list', { name: 'Counts by kind' });
      expect(within(counts).getByRole('button', { name: 'Show every kind (3)' })).toBeTruthy();
      expect(within(counts).getByRole('button', { name: 'Show only Oversell (1)' })).toBeTruthy();
      expect(within(counts).getByRole('button', { name: 'Show only Rejected event (1)' })).toBeTruthy();
      // Viewers read; only operators resolve.
      expect(screen.queryByRole('button', { name: 'Resolve' })).toBeNull();
    });

    it('filters by kind and by node, and lists resolved exceptions with their note', async () => {
      const resolved = hubException({
        exceptionId: 'exc-old',
        type: 'COUNT_MISMATCH',
        status: 'resolved',
        resolutionNote: 'Shelf counted: 4 on hand.',
        resolvedBy: 'user:hq.bo',
        resolvedAt: NOW - 60_000,
      });
      const { user, hub } = renderDashboard({
        signedInAs: 'viewer',
        setup: (h) => script(h, [OVERSELL, REJECTED, PICK, resolved]),
      });
      await user.click(await screen.findByRole('button', { name: 'Show only Pick shortage (1)' }));
      const list = screen.getByRole('list', { name: 'Exception list' });
      expect(
        within(list)
          .getAllByRole('listitem')
          .filter((item) => item.parentElement === list),
      ).toHaveLength(1);
      expect((screen.getByLabelText('Kind') as HTMLSelectElement).value).toBe('PICK_SHORTAGE');

      await user.selectOptions(screen.getByLabelText('Kind'), '');
      await user.selectOptions(screen.getByLabelText('Store or warehouse'), 'store-2');
      expect(await screen.findByRole('button', { name: 'Show every kind (1)' })).toBeTruthy();
      expect(hub.requests.at(-1)?.query).toMatchObject({ status: 'open', nodeId: 'store-2' });

      // No Reload button: a change the hub reports reloads the list with the filters in force.
      expect(screen.queryByRole('button', { name: 'Reload' })).toBeNull();
      await hub.live.connected();
      const before = hub.requests.length;
      hub.live.send('changes', [{ topic: 'exceptions', id: 'exc-new', status: 'open' }]);
      await waitFor(() => expect(hub.requests.length).toBe(before + 1));
      expect(hub.requests.at(-1)).toMatchObject({ path: '/api/exceptions', query: { nodeId: 'store-2' } });

      await user.selectOptions(screen.getByLabelText('Store or warehouse'), '');
      await user.selectOptions(screen.getByLabelText('Status'), 'resolved');
      const card = await screen.findByRole('listitem', { name: 'Count mismatch at S001 Dublin Grafton St' });
      expect(card.textContent).toContain('Resolved by user:hq.bo');
      expect(card.textContent).toContain('Shelf counted: 4 on hand.');
    });

    it('lets an operator release held points or drop frozen credit instead of resolving by hand', async () => {
      const { user, hub } = renderDashboard({
        signedInAs: 'operator',
        setup: (h) => script(h, [HELD_POINTS, HELD_CREDIT]),
      });
      const points = await screen.findByRole('form', {
        name: 'Release or drop Points held for review exc-held',
      });
      expect(within(points).queryByRole('button', { name: 'Resolve' })).toBeNull();
      await user.click(within(points).getByRole('button', { name: 'Release' }));
      expect(within(points).getByRole('alert').textContent).toBe(
        'Write at least 3 characters saying what was done.',
      );
      await user.type(
        within(points).getByLabelText('Why (note for the record)'),
        'Receipt checked with the store.',
      );
      await user.click(within(points).getByRole('button', { name: 'Release' }));
      expect(await screen.findByText('Released: the account earns the points as of the sale.')).toBeTruthy();
      expect(hub.sent('POST', '/api/loyalty/held-points/sale-9/release')).toEqual([
        { note: 'Receipt checked with the store.' },
      ]);

      const credit = screen.getByRole('form', {
        name: 'Release or drop Store credit frozen for review exc-credit',
      });
      await user.type(within(credit).getByLabelText('Why (note for the record)'), 'No such return.');
      await user.click(within(credit).getByRole('button', { name: 'Drop' }));
      expect(await screen.findByText('Dropped: the store credit is never issued.')).toBeTruthy();
      expect(hub.sent('POST', '/api/loyalty/held-credits/tender-3/drop')).toEqual([
        { note: 'No such return.' },
      ]);
      expect(screen.queryByRole('listitem', { name: /Store credit frozen for review/ })).toBeNull();
    });

    it('lets an operator resolve with a note and shows the hub’s refusal as it is', async () => {
      const { user, hub } = renderDashboard({
        signedInAs: 'operator',
        setup: (h) => script(h, [OVERSELL, REJECTED]),
      });
      const form = await screen.findByRole('form', { name: 'Resolve Rejected event exc-rejected' });
      await user.click(within(form).getByRole('button', { name: 'Resolve' }));
      expect(within(form).getByRole('alert').textContent).toBe(
        'Write at least 3 characters saying what was done.',
      );
      expect(hub.sent('POST', '/api/exceptions/exc-rejected/resolve')).toEqual([]);

      await user.type(
        within(form).getByLabelText('What was done (note for the record)'),
        'SKU added; till resent.',
      );
      await user.click(within(form).getByRole('button', { name: 'Resolve' }));
      expect(await screen.findByText('The exception is resolved with your note.')).toBeTruthy();
      expect(hub.sent('POST', '/api/exceptions/exc-rejected/resolve')).toEqual([
        { note: 'SKU added; till resent.' },
      ]);
      expect(screen.queryByRole('listitem', { name: 'Rejected event at S001 Dublin Grafton St' })).toBeNull();

      hub.handle('POST /api/exceptions/:id/resolve', () =>
        failure('CONFLICT', 'This exception was already resolved by user:hq.bo.'),
      );
      const oversell = screen.getByRole('form', { name: 'Resolve Oversell exc-oversell' });
      await user.type(within(oversell).getByLabelText('What was done (note for the record)'), 'Counted.');
      await user.click(within(oversell).getByRole('button', { name: 'Resolve' }));
      expect((await within(oversell).findByRole('alert')).textContent).toBe(
        'This exception was already resolved by user:hq.bo.',
      );
    });
  });
});
