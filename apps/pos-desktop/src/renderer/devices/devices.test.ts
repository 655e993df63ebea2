import { describe, expect, it } from 'vitest';
import { fakeBridge } from '../testing/fake-bridge';
import type { DesktopBridge } from '../../shared/desktop-bridge';
import { browserDevices, desktopDevices } from './devices';

function bridge(overrides: Partial<DesktopBridge>): DesktopBridge {
  return fakeBridge(overrides);
}

describe('devices', () => {
  describe('desktopDevices', () => {
    it('passes receipts and drawer kicks to the Electron bridge', async () => {
      const printed: string[] = [];
      const devices = desktopDevices(
        bridge({
          printReceipt: (html) => {
            printed.push(html);
            return Promise.resolve({ ok: true });
          },
        }),
      );
      expect(await devices.printReceipt('<p>r</p>')).toEqual({ ok: true });
      expect(printed).toEqual(['<p>r</p>']);
    });

    it('asks the node for the roll and ESC/POS the settings name, and prints its signed bytes raw', async () => {
      const html: string[] = [];
      const raw: string[] = [];
      const shell = fakeBridge({
        printReceipt: (receipt) => {
          html.push(receipt);
          return Promise.resolve({ ok: true });
        },
        printReceiptRaw: (grant) => {
          raw.push(grant);
          return Promise.resolve({
            ok: false,
            message: 'The receipt printer at 10.0.0.41:9100 did not take the receipt.',
          });
        },
      });
      const devices = desktopDevices(shell);
      expect(await devices.receiptRequest()).toEqual({});
      shell.settings = {
        ...shell.settings,
        receipt: { format: 'driver', paper: '58mm', rawPrinter: null },
      };
      expect(await devices.receiptRequest()).toEqual({ paper: '58mm' });
      shell.settings = {
        ...shell.settings,
        receipt: { format: 'escpos', paper: '58mm', rawPrinter: null },
      };
      expect(await devices.receiptRequest()).toEqual({ paper: '58mm', escpos: { cut: true } });
      expect(await devices.printReceipt('<p>r</p>', 'r1.signed')).toEqual({
        ok: false,
        message: 'The receipt printer at 10.0.0.41:9100 did not take the receipt.',
      });
      expect(raw).toEqual(['r1.signed']);
      expect(await devices.printReceipt('<p>r</p>')).toEqual({ ok: true });
      expect(html).toEqual(['<p>r</p>']);
    });

    it('turns a failing printer into a sentence instead of an exception', async () => {
      const devices = desktopDevices(
        bridge({ openCashDrawer: () => Promise.reject(new Error('Receipt printer EPSON-1 is offline.')) }),
      );
      expect(await devices.openCashDrawer('grant')).toEqual({
        ok: false,
        message: 'Receipt printer EPSON-1 is offline.',
      });
    });
  });

  describe('browserDevices', () => {
    it('says plainly that a browser lane has no cash drawer connection', async () => {
      const devices = browserDevices({} as Document);
      expect(await devices.openCashDrawer('grant')).toEqual({
        ok: false,
        message: 'This till has no cash drawer connection; open the drawer with its key.',
      });
    });
  });
});
