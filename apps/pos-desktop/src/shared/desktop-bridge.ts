import type { DesktopSettings, PrinterChoice } from './desktop-settings';

export type { DesktopSettings, PrinterChoice };

/**
 * What the Electron preload exposes to the renderer as `window.posDesktop` (a fixed object built with
 * contextBridge; never ipcRenderer itself). In a browser lane it is absent.
 */
export type DeviceOutcome = { readonly ok: true } | { readonly ok: false; readonly message: string };

export interface DesktopBridge {
  /** The local store node this window talks to, e.g. http://127.0.0.1:7420. */
  readonly url: string;
  /** The store node's per-launch access token. */
  readonly token: string;
  readonly appVersion: string;
  /** Prints the receipt HTML silently on the configured receipt printer. */
  printReceipt(html: string): Promise<DeviceOutcome>;
  /**
   * Sends a receipt as raw ESC/POS to this till's driverless printer: the grant is the node's signed
   * bytes from `receipt-print` (`escposGrant`); the main process sends nothing the node did not sign.
   */
  printReceiptRaw(grant: string): Promise<DeviceOutcome>;
  /**
   * Kicks the cash drawer wired to the receipt printer (ESC/POS pulse), with the one-time grant the
   * store node's `drawer-open` returned for the signed-in staff member.
   */
  openCashDrawer(grant: string): Promise<DeviceOutcome>;
  /** The printers the operating system knows, for choosing the receipt printer. */
  listPrinters(): Promise<readonly PrinterChoice[]>;
  readSettings(): Promise<DesktopSettings>;
  /** Saves printer, receipt output, kiosk and customer display settings; they apply at once. */
  saveSettings(settings: DesktopSettings): Promise<DeviceOutcome>;
  /** Asks where to save a copy of a backup the node made (a USB stick) and copies it there. */
  saveBackupCopy(file: string): Promise<DeviceOutcome>;
}

export const DESKTOP_BRIDGE_KEY = 'posDesktop';
