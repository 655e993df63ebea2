import type { DesktopSettings, PrinterChoice } from '../shared/desktop-settings';
import { DESKTOP_BRIDGE_KEY, type DesktopBridge, type DeviceOutcome } from '../shared/desktop-bridge';
import { IPC, type ConnectionInfo } from '../shared/ipc-channels';

/** The slice of ipcRenderer the bridge uses; the renderer never sees it. */
export interface PreloadIpc {
  sendSync(channel: string): unknown;
  invoke(channel: string, ...args: unknown[]): Promise<unknown>;
}

export interface BridgeExposer {
  exposeInMainWorld(key: string, api: unknown): void;
}

function isConnectionInfo(value: unknown): value is ConnectionInfo {
  const info = value as Partial<ConnectionInfo> | null;
  return (
    typeof info === 'object' &&
    info !== null &&
    typeof info.url === 'string' &&
    /^http:\/\/(127\.0\.0\.1|localhost):\d+$/.test(info.url) &&
    typeof info.token === 'string' &&
    info.token.length >= 16 &&
    typeof info.appVersion === 'string'
  );
}

function asOutcome(value: unknown): DeviceOutcome {
  const outcome = value as { ok?: unknown; message?: unknown } | null;
  if (outcome?.ok === true) return { ok: true };
  return {
    ok: false,
    message: typeof outcome?.message === 'string' ? outcome.message : 'The till could not reach its printer.',
  };
}

/**
 * Builds the fixed object the renderer gets as `window.posDesktop`: plain values and functions that
 * each call one fixed channel. Nothing else of Electron or Node crosses into the page.
 */
export function createBridge(ipc: PreloadIpc): DesktopBridge {
  const info = ipc.sendSync(IPC.connection);
  if (!isConnectionInfo(info)) {
    throw new Error('The desktop app did not hand over the store node connection; restart the app.');
  }
  return Object.freeze({
    url: info.url,
    token: info.token,
    appVersion: info.appVersion,
    printReceipt: async (html: string) => asOutcome(await ipc.invoke(IPC.printReceipt, String(html))),
    printReceiptRaw: async (grant: string) => asOutcome(await ipc.invoke(IPC.printReceiptRaw, String(grant))),
    openCashDrawer: async (grant: string) => asOutcome(await ipc.invoke(IPC.openCashDrawer, String(grant))),
    // Answers come from the main process, which validated them; they are passed on as they are.
    listPrinters: async () => (await ipc.invoke(IPC.listPrinters)) as readonly PrinterChoice[],
    readSettings: async () => (await ipc.invoke(IPC.readSettings)) as DesktopSettings,
    saveSettings: async (settings: DesktopSettings) =>
      asOutcome(await ipc.invoke(IPC.saveSettings, settings)),
    saveBackupCopy: async (file: string) => asOutcome(await ipc.invoke(IPC.saveBackupCopy, String(file))),
  });
}

export function exposeBridge(exposer: BridgeExposer, ipc: PreloadIpc): void {
  exposer.exposeInMainWorld(DESKTOP_BRIDGE_KEY, createBridge(ipc));
}
