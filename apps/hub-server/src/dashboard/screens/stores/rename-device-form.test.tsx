// @vitest-environment happy-dom
import { screen, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import type { DeviceStatus } from '../../api/api-types';
import { failure, type FakeHub } from '../../testing/fake-hub';
import { NOW, renderDashboard } from '../../testing/render-dashboard';

function script(hub: FakeHub, device: { name: string; version: number }): void {
  const status = (): DeviceStatus => ({
    deviceId: 'dev-1',
    nodeId: 'store-1',
    nodeCode: 'S001',
    deviceNo: 1,
    name: device.name,
    enrolledAt: NOW - 86_400_000,
    revoked: false,
    lastSeenAt: NOW - 60_000,
    lastPushAt: NOW - 60_000,
    lastSeq: 10,
    outboxPending: 0,
    outboxOldestAt: null,
    version: device.version,
  });
  hub.handle('GET /api/devices', () => [status()]);
  hub.handle('PATCH /api/devices/:deviceId', ({ body }) => {
    const edit = body as { name: string; expectedVersion: number };
    if (edit.expectedVersion !== device.version) {
      return failure('CONFLICT', 'Device lane-1 was changed by someone else; reload it and try again.', 409);
    }
    device.name = edit.name;
    device.version += 1;
    return status();
  });
}

describe('stores/rename-device-form', () => {
  it('renames a device on the version the list showed', async () => {
    const device = { name: 'lane-1', version: 3 };
    const { user, hub } = renderDashboard({
      signedInAs: 'admin',
      at: '/stores',
      setup: (fake) => script(fake, device),
    });
    await user.click(
      await screen.findByRole('button', { name: 'Rename S001 Dublin Grafton St till 1 (lane-1)' }),
    );
    const form = screen.getByRole('form', { name: /Rename S001/ });
    const input = within(form).getByLabelText('New name');
    await user.clear(input);
    await user.type(input, 'Front lane');
    await user.click(within(form).getByRole('button', { name: 'Save name' }));
    expect((await screen.findByRole('status')).textContent).toContain('Renamed to Front lane.');
    expect(hub.sent('PATCH', '/api/devices/dev-1')).toEqual([{ name: 'Front lane', expectedVersion: 3 }]);
    const table = screen.getByRole('table', { name: 'Devices' });
    await within(table).findByText('S001 Dublin Grafton St till 1 (Front lane)');
  });

  it('refuses a stale rename with the hub’s sentence and reloads the list on request', async () => {
    const device = { name: 'lane-1', version: 1 };
    const { user, hub } = renderDashboard({
      signedInAs: 'admin',
      at: '/stores',
      setup: (fake) => script(fake, device),
    });
    await user.click(await screen.findByRole('button', { name: /Rename S001/ }));
    Object.assign(device, { name: 'Kiosk', version: 2 }); // someone else renamed it meanwhile
    const form = screen.getByRole('form', { name: /Rename S001/ });
    await user.type(within(form).getByLabelText('New name'), 'x');
    await user.click(within(form).getByRole('button', { name: 'Save name' }));
    expect((await within(form).findByRole('alert')).textContent).toContain('changed by someone else');
    await user.click(within(form).getByRole('button', { name: 'Reload the figures' }));
    await screen.findByText('S001 Dublin Grafton St till 1 (Kiosk)');
    expect(screen.queryByRole('form', { name: /Rename S001/ })).toBeNull();
    expect(hub.sent('PATCH', '/api/devices/dev-1')).toHaveLength(1);
  });

  it('offers no rename to an operator', async () => {
    renderDashboard({
      signedInAs: 'operator',
      at: '/stores',
      setup: (fake) => script(fake, { name: 'a', version: 1 }),
    });
    await screen.findByRole('table', { name: 'Devices' });
    expect(screen.queryByRole('button', { name: /Rename/ })).toBeNull();
  });
});
