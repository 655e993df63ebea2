import { describe, expect, it } from 'vitest';
import { loadDesktopConfig } from './desktop-config';

const files = (content: string | null) => () => content;

describe('desktop-config', () => {
  describe('loadDesktopConfig', () => {
    it('defaults to a store node in the user-data folder on port 7420, not in kiosk mode', () => {
      expect(
        loadDesktopConfig({ argv: [], userDataDir: '/home/till/.config/pos', readFile: files(null) }),
      ).toEqual({
        dataDir: '/home/till/.config/pos/store-node',
        port: 7420,
        lan: false,
        kiosk: false,
        drawer: { kind: 'none' },
        pulse: { pin: 0, onMs: 50, offMs: 500 },
      });
    });

    it('reads the settings file and lets command-line flags win', () => {
      const config = loadDesktopConfig({
        argv: ['/opt/pos/pos', '--data', '/srv/s001', '--kiosk', '--port', '7500', '--no-sandbox-unrelated'],
        userDataDir: '/u',
        readFile: files(
          JSON.stringify({
            dataDir: '/data/x',
            printerName: 'EPSON_TM_T20',
            drawer: { kind: 'network-printer', host: '10.0.0.9' },
          }),
        ),
      });
      expect(config).toMatchObject({
        dataDir: '/srv/s001',
        port: 7500,
        kiosk: true,
        printerName: 'EPSON_TM_T20',
        drawer: { kind: 'network-printer', host: '10.0.0.9', port: 9100 },
      });
    });

    it('says which setting is wrong', () => {
      expect(() =>
        loadDesktopConfig({
          argv: [],
          userDataDir: '/u',
          readFile: files('{"drawer":{"kind":"cups","queue":"a b"}}'),
        }),
      ).toThrow(/drawer\.queue/);
      expect(() => loadDesktopConfig({ argv: [], userDataDir: '/u', readFile: files('{oops') })).toThrow(
        '/u/pos-desktop.json is not valid JSON. Fix it or delete it to use the defaults.',
      );
      expect(() =>
        loadDesktopConfig({ argv: ['--port', 'abc'], userDataDir: '/u', readFile: files(null) }),
      ).toThrow(/port/);
    });
  });
});
