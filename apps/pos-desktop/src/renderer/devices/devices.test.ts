import { describe, expect, it } from 'vitest';
import { fakeBridge } from '../testing/fake-bridge';
import type { DesktopBridge } from './desktop-bridge';
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
