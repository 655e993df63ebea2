import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { tempDir } from '../engine/testing/test-node';
import { loadDesktopConfig, saveDesktopSettings } from './desktop-config';

const scratch = tempDir('desktop-config-');
afterAll(() => scratch.remove());

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
        customerDisplay: false,
        receiptFormat: 'driver',
        receiptPaper: '80mm',
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

  describe('saveDesktopSettings', () => {
    it('keeps a raw printer the installer named in the file, and refuses a new path that is no printer', () => {
      const dir = join(scratch.path, 'raw');
      mkdirSync(dir, { recursive: true });
      const file = join(dir, 'pos-desktop.json');
      const installed = { kind: 'device', path: '/srv/printers/front-lp' };
      writeFileSync(file, JSON.stringify({ rawPrinter: installed, receiptFormat: 'escpos' }));
      const current = loadDesktopConfig({ argv: [], userDataDir: dir });
      const shown = { printerName: null, kiosk: true, customerDisplay: false };
      const next = saveDesktopSettings({
        userDataDir: dir,
        current,
        settings: { ...shown, receipt: { format: 'escpos', paper: '58mm', rawPrinter: installed } },
      });
      expect(next).toMatchObject({ receiptFormat: 'escpos', receiptPaper: '58mm', rawPrinter: installed });
      expect(loadDesktopConfig({ argv: [], userDataDir: dir })).toEqual(next);
      expect(() =>
        saveDesktopSettings({
          userDataDir: dir,
          current: next,
          settings: {
            ...shown,
            receipt: { format: 'escpos', paper: '58mm', rawPrinter: { kind: 'device', path: '/srv/other' } },
          },
        }),
      ).toThrow(/A printer device such as \/dev\/usb\/lp0/);
      const network = saveDesktopSettings({
        userDataDir: dir,
        current: next,
        settings: {
          ...shown,
          receipt: {
            format: 'escpos',
            paper: '80mm',
            rawPrinter: { kind: 'network-printer', host: '10.0.0.41' },
          },
        },
      });
      expect(network.rawPrinter).toEqual({ kind: 'network-printer', host: '10.0.0.41', port: 9100 });
      const driver = saveDesktopSettings({
        userDataDir: dir,
        current: network,
        settings: { ...shown, receipt: { format: 'driver', paper: '80mm', rawPrinter: null } },
      });
      expect(driver.rawPrinter).toBeUndefined();
      expect(JSON.parse(readFileSync(file, 'utf8'))).not.toHaveProperty('rawPrinter');
    });

    it('writes printer, kiosk and customer display into the settings file and keeps the rest of it', () => {
      const file = join(scratch.path, 'pos-desktop.json');
      writeFileSync(
        file,
        JSON.stringify({ drawer: { kind: 'device', path: '/dev/usb/lp0' }, printerName: 'OLD' }),
      );
      const current = loadDesktopConfig({ argv: [], userDataDir: scratch.path });
      const next = saveDesktopSettings({
        userDataDir: scratch.path,
        current,
        settings: { printerName: 'EPSON_TM_T20III', kiosk: true, customerDisplay: true },
      });
      expect(next).toMatchObject({ printerName: 'EPSON_TM_T20III', kiosk: true, customerDisplay: true });
      expect(loadDesktopConfig({ argv: [], userDataDir: scratch.path })).toEqual(next);
      expect(JSON.parse(readFileSync(file, 'utf8'))).toMatchObject({
        drawer: { kind: 'device', path: '/dev/usb/lp0' },
      });

      const systemDefault = saveDesktopSettings({
        userDataDir: scratch.path,
        current: next,
        settings: { printerName: null, kiosk: false, customerDisplay: false },
      });
      expect(systemDefault.printerName).toBeUndefined();
      expect(JSON.parse(readFileSync(file, 'utf8'))).not.toHaveProperty('printerName');
    });

    it('refuses settings that are not what the app sends, and writes nothing', () => {
      const current = loadDesktopConfig({ argv: [], userDataDir: scratch.path });
      const before = readFileSync(join(scratch.path, 'pos-desktop.json'), 'utf8');
      expect(() =>
        saveDesktopSettings({
          userDataDir: scratch.path,
          current,
          settings: { kiosk: 'yes', dataDir: '/etc' },
        }),
      ).toThrow('These settings cannot be saved');
      expect(readFileSync(join(scratch.path, 'pos-desktop.json'), 'utf8')).toBe(before);
    });
  });
});
