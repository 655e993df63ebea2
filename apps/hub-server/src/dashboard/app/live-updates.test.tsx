// @vitest-environment happy-dom
import { screen, waitFor, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import type { DeviceStatus, HubException, OrderSummary } from '../api/api-types';
import { hubException } from '../testing/builders';
import { NOW, renderDashboard } from '../testing/render-dashboard';
import { parseChanges } from './live-updates';

const OVERSELL = hubException({
  exceptionId: 'exc-live',
  details: { message: 'Sales at store-1 took 1 unit(s) of SKU-RED-M promised to open reservations.' },
});

function announcer(): HTMLElement {
  return screen.getByTestId('live-announcer');
}

describe('live updates', () => {
  describe('exceptions', () => {
    it('shows an exception the hub raised without a reload and announces a critical one', async () => {
      let exceptions: HubException[] = [];
      const { hub } = renderDashboard({
        signedInAs: 'viewer',
        setup: (h) => h.handle('GET /api/exceptions', () => exceptions),
      });
      await screen.findByText('No open exceptions match these filters.');
      await hub.live.connected();
      expect(hub.live.authorizations()).toEqual(['Bearer hs_test-session']);
      hub.live.send('ready', {});
      expect(await screen.findByText('Live')).toBeTruthy();
      expect(announcer().getAttribute('aria-live')).toBe('assertive');

      exceptions = [OVERSELL];
      hub.live.send('changes', [
        {
          topic: 'exceptions',
          id: 'exc-live',
          type: 'OVERSELL',
          severity: 'critical',
          status: 'open',
          raised: true,
        },
      ]);
      expect(
        await screen.findByRole('listitem', { name: 'Oversell at S001 Dublin Grafton St' }),
      ).toBeTruthy();
      expect(announcer().textContent).toBe('New critical exception: Oversell');
    });

    it('announces nothing for another occurrence of an open exception or a warning', async () => {
      const { hub } = renderDashboard({
        signedInAs: 'viewer',
        setup: (h) => h.handle('GET /api/exceptions', () => [OVERSELL]),
      });
      await hub.live.connected();
      const before = hub.requests.filter((request) => request.path === '/api/exceptions').length;
      hub.live.send('changes', [
        { topic: 'exceptions', id: 'exc-live', type: 'OVERSELL', severity: 'critical', status: 'open' },
        { topic: 'exceptions', id: 'exc-w', type: 'REJECTED_EVENT', severity: 'warning', raised: true },
      ]);
      await waitFor(() =>
        expect(hub.requests.filter((request) => request.path === '/api/exceptions').length).toBe(before + 1),
      );
      expect(announcer().textContent).toBe('');
    });
  });

  it('reloads the orders list when an order changes state', async () => {
    let status: OrderSummary['status'] = 'ROUTED';
    const { hub } = renderDashboard({
      signedInAs: 'viewer',
      at: '/orders',
      setup: (h) =>
        h.handle('GET /api/orders', () => [
          {
            orderId: 'ord-7',
            orderNumber: 'W-1007',
            status,
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
        ]),
    });
    const table = await screen.findByRole('table', { name: 'Orders' });
    expect(within(table).getByRole('row', { name: /W-1007/ }).textContent).toContain('Routed');
    await hub.live.connected();
    status = 'READY_FOR_PICKUP';
    hub.live.send('changes', [{ topic: 'orders', id: 'ord-7', status: 'READY_FOR_PICKUP' }]);
    await waitFor(() =>
      expect(within(table).getByRole('row', { name: /W-1007/ }).textContent).toContain('Ready for pickup'),
    );
  });

  it('reloads the devices when a device reports its sync lag', async () => {
    const device = (outboxPending: number): DeviceStatus => ({
      deviceId: 'dev-1',
      nodeId: 'store-1',
      nodeCode: 'S001',
      deviceNo: 1,
      name: 'lane-1',
      enrolledAt: NOW - 86_400_000,
      revoked: false,
      lastSeenAt: NOW - 60_000,
      lastPushAt: NOW - 60_000,
      lastSeq: 10,
      outboxPending,
      outboxOldestAt: outboxPending === 0 ? null : new Date(NOW - 120_000).toISOString(),
      version: 1,
    });
    let pending = 0;
    const { hub } = renderDashboard({
      signedInAs: 'viewer',
      at: '/stores',
      setup: (h) => h.handle('GET /api/devices', () => [device(pending)]),
    });
    await screen.findByRole('row', { name: /lane-1/ });
    await hub.live.connected();
    const before = hub.requests.filter((request) => request.path === '/api/devices').length;
    pending = 42;
    hub.live.send('changes', [{ topic: 'devices', id: 'dev-1' }]);
    await waitFor(() =>
      expect(hub.requests.filter((request) => request.path === '/api/devices').length).toBe(before + 1),
    );
    await waitFor(() => expect(screen.getByRole('row', { name: /lane-1/ }).textContent).toContain('42'));
  });

  it('signs out with the hub’s sentence when the stream says the session ended', async () => {
    const { hub } = renderDashboard({
      signedInAs: 'operator',
      setup: (h) => h.handle('GET /api/exceptions', () => []),
    });
    await hub.live.connected();
    hub.live.send('session-ended', {
      code: 'UNAUTHORIZED',
      message: 'Your session has ended; sign in again.',
    });
    expect(await screen.findByRole('button', { name: 'Sign in' })).toBeTruthy();
    expect(screen.getByText('You were signed out: Your session has ended; sign in again.')).toBeTruthy();
  });

  describe('parseChanges', () => {
    it('keeps the changes it understands and drops the rest', () => {
      expect(
        parseChanges(
          JSON.stringify([
            { topic: 'orders', id: 'o1', status: 'READY' },
            { topic: 'mystery', id: 'x' },
            { topic: 'exceptions', id: 7 },
            { topic: 'exceptions', id: 'e1', severity: 'catastrophic', raised: true },
          ]),
        ),
      ).toEqual([
        { topic: 'orders', id: 'o1', status: 'READY' },
        { topic: 'exceptions', id: 'e1', raised: true },
      ]);
      expect(parseChanges('not json')).toBeNull();
      expect(parseChanges('{"topic":"orders"}')).toBeNull();
    });
  });
});
