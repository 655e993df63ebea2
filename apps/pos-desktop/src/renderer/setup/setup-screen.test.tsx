// @vitest-environment happy-dom
import { screen, waitFor, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { fakeBridge } from '../testing/fake-bridge';
import { syncStatus } from '../testing/builders';
import { renderPos } from '../testing/render-pos';
import { SetupGate } from './setup-gate';

const SET_UP = {
  storeId: 'store-1',
  storeCode: 'S001',
  storeName: 'Rue de Rivoli',
  deviceNo: 4,
  hubUrl: 'https://hub.example.com',
  managerStaffCode: '1001',
};

function renderGate(options: { status?: 'needs-setup' | 'ready'; desktop?: boolean } = {}) {
  const shell = options.desktop ? fakeBridge() : undefined;
  const harness = renderPos({
    ...(shell ? { shell } : {}),
    ui: (
      <SetupGate>
        <p>The till</p>
      </SetupGate>
    ),
    setup: (node) => {
      node.handle('node-setup-status', () =>
        (options.status ?? 'needs-setup') === 'needs-setup'
          ? { state: 'needs-setup', hubUrl: 'https://hub.example.com' }
          : { state: 'ready', storeCode: 'S001', deviceNo: 4, hubUrl: null, enrolled: false },
      );
      node.handle('node-setup', () => SET_UP);
    },
  });
  return { ...harness, shell };
}

async function fillManager(user: ReturnType<typeof renderPos>['user']) {
  await user.type(screen.getByLabelText('Staff code'), '1001');
  await user.type(screen.getByLabelText('Name'), 'Morgan Manager');
  await user.type(screen.getByLabelText('PIN (4 to 12 digits)'), '1234');
  await user.type(screen.getByLabelText('PIN again'), '1234');
}

describe('setup', () => {
  describe('SetupGate', () => {
    it('shows the till itself once the node is set up', async () => {
      renderGate({ status: 'ready' });
      expect(await screen.findByText('The till')).toBeTruthy();
      expect(screen.queryByRole('heading', { name: 'Set up this till' })).toBeNull();
    });

    it('takes a node that cannot say as set up, so its own screens explain the connection', async () => {
      const { node } = renderPos({
        ui: (
          <SetupGate>
            <p>The till</p>
          </SetupGate>
        ),
        setup: (n) =>
          n.failOnce('node-setup-status', { code: 'INTERNAL', message: 'The store node did not answer.' }),
      });
      expect(await screen.findByText('The till')).toBeTruthy();
      expect(node.inputs('node-setup-status')).toHaveLength(1);
    });
  });

  describe('SetupScreen', () => {
    it('enrolls a new till with the hub, its register name and first manager, then shows the download', async () => {
      const { user, node, services } = renderGate();
      const form = await screen.findByRole('form', { name: 'Set up this till' });
      expect((within(form).getByLabelText('Hub address') as HTMLInputElement).value).toBe(
        'https://hub.example.com',
      );
      await user.type(within(form).getByLabelText('Enrollment code'), 'ABCD-2345');
      await user.type(within(form).getByLabelText('Register name (how HQ sees this till)'), 'Lane 4');
      await fillManager(user);
      await user.click(within(form).getByRole('button', { name: 'Set up this till' }));
      expect(
        await screen.findByRole('heading', {
          name: 'This till is set up: store S001 (Rue de Rivoli), device 4.',
        }),
      ).toBeTruthy();
      expect(node.inputs('node-setup')).toEqual([
        {
          mode: 'enroll',
          hubUrl: 'https://hub.example.com',
          code: 'ABCD-2345',
          deviceName: 'Lane 4',
          firstManager: { staffCode: '1001', name: 'Morgan Manager', pin: '1234' },
        },
      ]);
      services.sync.setState({
        status: syncStatus({ agent: 'catching-up', snapshot: { received: 500, total: 2000 } }),
      });
      expect(await screen.findByText("Downloading the hub's data: 500 of 2000 rows")).toBeTruthy();
      services.sync.setState({ status: syncStatus({ agent: 'live', snapshot: null }) });
      expect(await screen.findByText('In sync with the hub.')).toBeTruthy();
      await user.click(screen.getByRole('button', { name: 'Continue to sign in (manager 1001)' }));
      expect(await screen.findByText('The till')).toBeTruthy();
    });

    it("shows the node's sentence when the hub refuses the code, and keeps what was typed", async () => {
      const { user, node } = renderGate();
      node.failOnce('node-setup', {
        code: 'UNAUTHORIZED',
        message: 'This enrollment code was already used. Ask HQ for a new one.',
      });
      const form = await screen.findByRole('form', { name: 'Set up this till' });
      await user.type(within(form).getByLabelText('Enrollment code'), 'USED-CODE');
      await fillManager(user);
      await user.click(within(form).getByRole('button', { name: 'Set up this till' }));
      expect((await screen.findByRole('alert')).textContent).toContain(
        'This enrollment code was already used. Ask HQ for a new one.',
      );
      expect((within(form).getByLabelText('Enrollment code') as HTMLInputElement).value).toBe('USED-CODE');
    });

    it('sets a till up on its own, with locale, time zone and cash rounding', async () => {
      const { user, node } = renderGate();
      const form = await screen.findByRole('form', { name: 'Set up this till' });
      await user.click(within(form).getByLabelText('On its own (no hub)'));
      await user.type(within(form).getByLabelText('Store id'), 'store-9');
      await user.type(within(form).getByLabelText('Store code (starts every receipt number)'), 's009');
      await user.clear(within(form).getByLabelText('Device number'));
      await user.type(within(form).getByLabelText('Device number'), '2');
      await user.clear(within(form).getByLabelText('Currency'));
      await user.type(within(form).getByLabelText('Currency'), 'chf');
      await user.click(screen.getByText('Locale, time zone and cash rounding'));
      await user.type(within(form).getByLabelText('Locale (e.g. en-IE)'), 'de-CH');
      await user.type(within(form).getByLabelText(/^Time zone/), 'Europe/Zurich');
      await user.type(within(form).getByLabelText('Cash rounding in cents (e.g. 5)'), '5');
      await fillManager(user);
      await user.click(within(form).getByRole('button', { name: 'Set up this till' }));
      await waitFor(() => expect(node.inputs('node-setup')).toHaveLength(1));
      expect(node.inputs('node-setup')[0]).toEqual({
        mode: 'standalone',
        storeId: 'store-9',
        storeCode: 'S009',
        deviceNo: 2,
        currency: 'CHF',
        locale: 'de-CH',
        timezone: 'Europe/Zurich',
        cashRoundingIncrement: 5,
        firstManager: { staffCode: '1001', name: 'Morgan Manager', pin: '1234' },
      });
    });

    it('refuses two different PINs before asking the node', async () => {
      const { user, node } = renderGate();
      const form = await screen.findByRole('form', { name: 'Set up this till' });
      await user.type(within(form).getByLabelText('Staff code'), '1001');
      await user.type(within(form).getByLabelText('Name'), 'Morgan');
      await user.type(within(form).getByLabelText('PIN (4 to 12 digits)'), '1234');
      await user.type(within(form).getByLabelText('PIN again'), '4321');
      await user.click(within(form).getByRole('button', { name: 'Set up this till' }));
      expect((await screen.findByRole('alert')).textContent).toContain('The two PINs are different');
      expect(node.inputs('node-setup')).toEqual([]);
    });

    it('saves the receipt printer, kiosk mode and customer display of the desktop with the setup', async () => {
      const { user, shell } = renderGate({ desktop: true });
      const form = await screen.findByRole('form', { name: 'Set up this till' });
      await user.selectOptions(await within(form).findByLabelText('Receipt printer'), 'EPSON TM-T20III');
      await user.click(
        within(form).getByLabelText('Kiosk mode (full screen, nothing else on this computer)'),
      );
      await user.click(within(form).getByLabelText('Customer display on the second screen'));
      await user.type(within(form).getByLabelText('Enrollment code'), 'ABCD-2345');
      await fillManager(user);
      await user.click(within(form).getByRole('button', { name: 'Set up this till' }));
      await screen.findByRole('button', { name: 'Continue to sign in (manager 1001)' });
      expect(shell?.saved).toEqual([{ printerName: 'EPSON_TM_T20III', kiosk: true, customerDisplay: true }]);
    });
  });
});
