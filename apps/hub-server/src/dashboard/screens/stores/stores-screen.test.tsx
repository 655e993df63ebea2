// @vitest-environment happy-dom
import { screen, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import type { DeviceStatus } from '../../api/api-types';
import { failure, type FakeHub } from '../../testing/fake-hub';
import { NODES, NOW, node, renderDashboard } from '../../testing/render-dashboard';
import { STALE_AFTER_MS, syncHealth } from './stores-screen';

function device(overrides: Partial<DeviceStatus> = {}): DeviceStatus {
  return {
    deviceId: 'dev-1',
    nodeId: 'store-1',
    nodeCode: 'S001',
    deviceNo: 1,
    name: 'lane-1',
    enrolledAt: NOW - 30 * 86_400_000,
    revoked: false,
    lastSeenAt: NOW - 60_000,
    lastPushAt: NOW - 120_000,
    lastSeq: 1520,
    outboxPending: 0,
    outboxOldestAt: null,
    version: 1,
    ...overrides,
  };
}

const DEVICES = [
  device(),
  device({
    deviceId: 'dev-2',
    deviceNo: 2,
    name: 'lane-2',
    lastSeenAt: NOW - 3 * 3_600_000,
    lastPushAt: NOW - 3 * 3_600_000,
    outboxPending: 37,
    outboxOldestAt: new Date(NOW - 3 * 3_600_000).toISOString(),
  }),
  device({
    deviceId: 'dev-3',
    nodeId: 'store-2',
    nodeCode: 'S002',
    name: 'back-office',
    lastSeenAt: null,
    lastPushAt: null,
    lastSeq: 0,
    outboxPending: null,
  }),
];

function scriptStores(hub: FakeHub): void {
  hub.handle('GET /api/nodes', () => [
    ...NODES,
    node('store-3', 'S003', 'Galway Shop St', { pickCapacity: 0 }),
    node('wh-1', 'W01', 'Naas warehouse', { kind: 'warehouse', pickupEnabled: false, region: 'ie-mid' }),
  ]);
  hub.handle('GET /api/devices', () => DEVICES);
  hub.handle('POST /api/nodes/:nodeId/enrollment-codes', ({ params }) =>
    params.nodeId === 'store-2'
      ? failure('NOT_ALLOWED', 'Store S002 is inactive: activate it before enrolling a device.')
      : { code: 'K7Q2-M9X4-P3TZ', nodeId: params.nodeId, nodeCode: 'S001', expiresAt: NOW + 86_400_000 },
  );
}

describe('stores-screen', () => {
  describe('syncHealth', () => {
    it('calls a device stale only after the quiet period, and revoked or never-seen devices by name', () => {
      expect(syncHealth(device({ lastSeenAt: NOW - STALE_AFTER_MS }), NOW)).toEqual({ kind: 'ok' });
      expect(syncHealth(device({ lastSeenAt: NOW - STALE_AFTER_MS - 1 }), NOW)).toEqual({
        kind: 'stale',
        since: NOW - STALE_AFTER_MS - 1,
      });
      expect(syncHealth(device({ lastSeenAt: null }), NOW)).toEqual({ kind: 'never' });
      expect(syncHealth(device({ revoked: true }), NOW)).toEqual({ kind: 'revoked' });
    });
  });

  describe('StoresScreen', () => {
    it('shows nodes with region, pickup and capacity, and which till stopped syncing', async () => {
      renderDashboard({ signedInAs: 'viewer', at: '/stores', setup: scriptStores });
      const nodes = await screen.findByRole('table', { name: 'Stores and warehouses' });
      const dublin = within(nodes).getByRole('row', { name: /S001/ });
      expect(dublin.textContent).toContain('ie-east');
      expect(dublin.textContent).toContain('On, 20 picks at a time');
      expect(within(nodes).getByRole('row', { name: /S003/ }).textContent).toContain(
        'On, no limit on open picks',
      );
      const warehouse = within(nodes).getByRole('row', { name: /W01/ });
      expect(warehouse.textContent).toContain('Warehouse');
      expect(warehouse.textContent).toContain('ie-mid');
      expect(warehouse.textContent).toContain('Off');
      expect(screen.queryByRole('button', { name: /Issue an enrollment code/ })).toBeNull();

      const devices = await screen.findByRole('table', { name: 'Devices' });
      const lane1 = within(devices).getByRole('row', { name: /lane-1/ });
      expect(lane1.textContent).toContain('Syncing');
      expect(lane1.textContent).toContain('Nothing');
      const lane2 = within(devices).getByRole('row', { name: /lane-2/ });
      expect(lane2.textContent).toContain('Stopped syncing 3 h ago');
      expect(lane2.textContent).toContain('37 since');
      const backOffice = within(devices).getByRole('row', { name: /back-office/ });
      expect(backOffice.textContent).toContain('Never synced');
      expect(backOffice.textContent).toContain('Not reported');
    });

    it('lets an operator issue an enrollment code, and shows the hub’s refusal as it is', async () => {
      const { user, hub } = renderDashboard({ signedInAs: 'operator', at: '/stores', setup: scriptStores });
      await user.click(
        await screen.findByRole('button', { name: 'Issue an enrollment code for Dublin Grafton St' }),
      );
      expect((await screen.findByRole('status')).textContent).toContain(
        'Enrollment code for Dublin Grafton St: K7Q2-M9X4-P3TZ',
      );
      expect(hub.sent('POST', '/api/nodes/store-1/enrollment-codes')).toEqual([{}]);
      await user.click(screen.getByRole('button', { name: 'Issue an enrollment code for Cork Patrick St' }));
      expect((await screen.findByRole('alert')).textContent).toContain(
        'Store S002 is inactive: activate it before enrolling a device.',
      );
    });
    it('lets an admin revoke a till after confirming, and shows a refusal for one revoked meanwhile', async () => {
      let revoked = false;
      const { user, hub } = renderDashboard({
        signedInAs: 'admin',
        at: '/stores',
        setup: (fake) => {
          scriptStores(fake);
          fake.handle('GET /api/devices', () =>
            DEVICES.map((each) => (each.deviceId === 'dev-1' ? { ...each, revoked } : each)),
          );
          fake.handle('POST /api/devices/:deviceId/revoke', ({ params }) => {
            if (params.deviceId === 'dev-2')
              return failure('NOT_FOUND', 'There is no enrolled device dev-2.');
            revoked = true;
            return { done: true };
          });
        },
      });
      const devices = await screen.findByRole('table', { name: 'Devices' });
      await user.click(within(devices).getByRole('button', { name: /^Revoke .*lane-1/ }));
      const confirm = screen.getByRole('group', { name: /^Revoke .*lane-1.*\?$/ });
      expect(hub.sent('POST', '/api/devices/dev-1/revoke')).toEqual([]);
      await user.click(within(confirm).getByRole('button', { name: 'Revoke' }));
      expect((await screen.findByRole('status')).textContent).toMatch(
        /lane-1.* was revoked; it can no longer sync/,
      );
      expect(hub.sent('POST', '/api/devices/dev-1/revoke')).toHaveLength(1);
      const table = await screen.findByRole('table', { name: 'Devices' });
      await within(table).findByText('Revoked');
      expect(within(table).queryByRole('button', { name: /^Revoke .*lane-1/ })).toBeNull();

      await user.click(within(table).getByRole('button', { name: /^Revoke .*lane-2/ }));
      await user.click(
        within(screen.getByRole('group', { name: /^Revoke .*lane-2/ })).getByRole('button', {
          name: 'Revoke',
        }),
      );
      expect((await screen.findByRole('alert')).textContent).toContain('There is no enrolled device dev-2.');
    });

    it('offers revoking to admins only', async () => {
      renderDashboard({ signedInAs: 'operator', at: '/stores', setup: scriptStores });
      await screen.findByRole('table', { name: 'Devices' });
      expect(screen.queryByRole('button', { name: /^Revoke / })).toBeNull();
    });
  });
});
