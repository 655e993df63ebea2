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
   * Kicks the cash drawer wired to the receipt printer (ESC/POS pulse), with the one-time grant the
   * store node's `drawer-open` returned for the signed-in staff member.
   */
  openCashDrawer(grant: string): Promise<DeviceOutcome>;
}

export const DESKTOP_BRIDGE_KEY = 'posDesktop';
