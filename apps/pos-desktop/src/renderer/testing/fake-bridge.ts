import type { DesktopBridge, DesktopSettings, PrinterChoice } from '../../shared/desktop-bridge';

/** What a fake desktop shell was asked to do. */
export interface FakeBridge extends DesktopBridge {
  settings: DesktopSettings;
  readonly saved: DesktopSettings[];
  readonly backupCopies: string[];
}

export const FAKE_PRINTERS: readonly PrinterChoice[] = [
  { name: 'EPSON_TM_T20III', displayName: 'EPSON TM-T20III' },
  { name: 'Office_Laser', displayName: 'Office laser' },
];

/** The Electron preload's `window.posDesktop`, recording what the renderer asks of the main process. */
export function fakeBridge(overrides: Partial<DesktopBridge> = {}): FakeBridge {
  const bridge: FakeBridge = {
    url: 'http://127.0.0.1:7420',
    token: 'desktop-token-0123456789',
    appVersion: '0.1.0',
    settings: { printerName: null, kiosk: false, customerDisplay: false },
    saved: [],
    backupCopies: [],
    printReceipt: () => Promise.resolve({ ok: true }),
    printReceiptRaw: () => Promise.resolve({ ok: true }),
    openCashDrawer: () => Promise.resolve({ ok: true }),
    listPrinters: () => Promise.resolve(FAKE_PRINTERS),
    readSettings: () => Promise.resolve(bridge.settings),
    saveSettings: (settings) => {
      bridge.saved.push(settings);
      bridge.settings = settings;
      return Promise.resolve({ ok: true });
    },
    saveBackupCopy: (file) => {
      bridge.backupCopies.push(file);
      return Promise.resolve({ ok: true });
    },
    ...overrides,
  };
  return bridge;
}
