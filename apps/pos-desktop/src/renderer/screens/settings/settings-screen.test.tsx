// @vitest-environment happy-dom
import { screen, waitFor, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import type { DesktopSettings } from '../../../shared/desktop-settings';
import { fakeBridge } from '../../testing/fake-bridge';
import { renderPos } from '../../testing/render-pos';
import { SettingsScreen } from './settings-screen';

const BACKUP = {
  file: '/var/lib/retail-pos/s001/backups/store-20261123T100000Z.db',
  pages: 812,
  schema: '0008-lanes',
  createdAt: '2026-11-23T10:00:00.000Z',
};

function renderSettings(
  options: { enrolled?: boolean; desktop?: boolean; receipt?: DesktopSettings['receipt'] } = {},
) {
  const shell = options.desktop === false ? undefined : fakeBridge();
  if (shell) {
    shell.settings = {
      printerName: 'EPSON_TM_T20III',
      kiosk: false,
      customerDisplay: false,
      ...(options.receipt === undefined ? {} : { receipt: options.receipt }),
    };
  }
  const harness = renderPos({
    signedInAs: 'manager',
    ...(shell ? { shell } : {}),
    ui: <SettingsScreen />,
    setup: (node) => {
      node.handle('node-setup-status', () => ({
        state: 'ready',
        storeCode: 'S001',
        deviceNo: 1,
        hubUrl: options.enrolled ? 'https://hub.example.com' : null,
        enrolled: options.enrolled ?? false,
      }));
      node.handle('node-hub-connect', (input) => ({
        hubUrl: input.hubUrl,
        enrolled: input.code !== undefined,
      }));
      node.handle('node-backup', () => BACKUP);
    },
  });
  return { ...harness, shell };
}

describe('settings-screen', () => {
  describe('SettingsScreen', () => {
    it('enrolls a till that was set up on its own, as a manager', async () => {
      const { user, node } = renderSettings();
      const form = await screen.findByRole('form', { name: 'Hub' });
      expect(within(form).getByText('This till does not sync with a hub.')).toBeTruthy();
      await user.type(within(form).getByLabelText('Hub address'), 'https://hub.example.com');
      await user.type(within(form).getByLabelText('Enrollment code'), 'ABCD-2345');
      await user.type(within(form).getByLabelText('Register name (how HQ sees this till)'), 'Lane 2');
      await user.click(within(form).getByRole('button', { name: 'Connect to the hub' }));
      expect(
        await within(form).findByText('Connected: https://hub.example.com (enrolled, syncing).'),
      ).toBeTruthy();
      expect(node.inputs('node-hub-connect')).toEqual([
        { hubUrl: 'https://hub.example.com', code: 'ABCD-2345', deviceName: 'Lane 2' },
      ]);
      expect(node.sent.find((sent) => sent.name === 'node-hub-connect')?.session).toBeTruthy();
    });

    it('follows a hub that moved without asking an enrolled till for a code', async () => {
      const { user, node } = renderSettings({ enrolled: true });
      const form = await screen.findByRole('form', { name: 'Hub' });
      expect(await within(form).findByText('Syncs with https://hub.example.com.')).toBeTruthy();
      expect(within(form).queryByLabelText('Enrollment code')).toBeNull();
      const address = within(form).getByLabelText('Hub address');
      await waitFor(() => expect((address as HTMLInputElement).value).toBe('https://hub.example.com'));
      await user.clear(address);
      await user.type(address, 'https://hub2.example.com');
      await user.click(within(form).getByRole('button', { name: 'Connect to the hub' }));
      await waitFor(() =>
        expect(node.inputs('node-hub-connect')).toEqual([{ hubUrl: 'https://hub2.example.com' }]),
      );
    });

    it('switches the receipt printer and kiosk mode of the desktop', async () => {
      const { user, shell } = renderSettings();
      const form = await screen.findByRole('form', { name: 'Receipt printer and screen' });
      expect((within(form).getByLabelText('Receipt printer') as HTMLSelectElement).value).toBe(
        'EPSON_TM_T20III',
      );
      await user.selectOptions(within(form).getByLabelText('Receipt printer'), 'System default printer');
      await user.click(
        within(form).getByLabelText('Kiosk mode (full screen, nothing else on this computer)'),
      );
      await user.click(within(form).getByRole('button', { name: 'Save' }));
      expect(await within(form).findByText('Saved. They apply now.')).toBeTruthy();
      expect(shell?.saved).toEqual([{ printerName: null, kiosk: true, customerDisplay: false }]);
    });

    it('switches this till to raw ESC/POS receipts on a 58 mm roll at a network printer', async () => {
      const { user, shell } = renderSettings({
        receipt: { format: 'driver', paper: '80mm', rawPrinter: null },
      });
      const form = await screen.findByRole('form', { name: 'Receipt printer and screen' });
      await user.selectOptions(within(form).getByLabelText('Receipt width'), '58 mm roll');
      expect(within(form).queryByLabelText('Raw receipt printer')).toBeNull();
      await user.selectOptions(
        within(form).getByLabelText('How receipts print'),
        'Raw ESC/POS (a printer without a driver)',
      );
      await user.selectOptions(
        within(form).getByLabelText('Raw receipt printer'),
        'Network printer (port 9100)',
      );
      await user.type(within(form).getByLabelText('Printer address (host or host:port)'), '10.0.0.42:9101');
      await user.click(within(form).getByRole('button', { name: 'Save' }));
      expect(await within(form).findByText('Saved. They apply now.')).toBeTruthy();
      expect(shell?.saved).toEqual([
        {
          printerName: 'EPSON_TM_T20III',
          kiosk: false,
          customerDisplay: false,
          receipt: {
            format: 'escpos',
            paper: '58mm',
            rawPrinter: { kind: 'network-printer', host: '10.0.0.42', port: 9101 },
          },
        },
      ]);
    });

    it('backs the node up and saves a copy where the manager chooses', async () => {
      const { user, shell } = renderSettings();
      await user.click(await screen.findByRole('button', { name: 'Back up now' }));
      expect(
        await screen.findByText(`Backup written to ${BACKUP.file} (812 pages, integrity checked).`),
      ).toBeTruthy();
      await user.click(screen.getByRole('button', { name: 'Save a copy elsewhere…' }));
      expect(await screen.findByText('Copy saved.')).toBeTruthy();
      expect(shell?.backupCopies).toEqual([BACKUP.file]);
    });

    it('has no printer or kiosk settings in a browser lane', async () => {
      renderSettings({ desktop: false });
      await screen.findByRole('form', { name: 'Hub' });
      expect(screen.queryByRole('form', { name: 'Receipt printer and screen' })).toBeNull();
    });
  });
});
