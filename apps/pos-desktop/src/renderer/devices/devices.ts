import { t } from '../i18n/translate';
import type { DesktopBridge, DeviceOutcome } from '../../shared/desktop-bridge';

export type { DeviceOutcome };

/** The till's peripherals: the receipt printer and the cash drawer behind it. */
/** What `receipt-print` is asked for on this till: the roll's width, and ESC/POS for a driverless printer. */
export interface ReceiptRequestOptions {
  readonly paper?: '80mm' | '58mm';
  readonly escpos?: { readonly cut: boolean };
}

export interface PosDevices {
  readonly kind: 'desktop' | 'browser';
  /** How this till wants its receipts from the node (desktop settings; a browser lane takes the defaults). */
  receiptRequest(): Promise<ReceiptRequestOptions>;
  /**
   * Prints a receipt: with `escposGrant` (the node's signed ESC/POS) on the till's raw printer, otherwise
   * the HTML through the printer's driver.
   */
  printReceipt(html: string, escposGrant?: string): Promise<DeviceOutcome>;
  /** Kicks the drawer with a grant from the node's `drawer-open` (see cash-drawer.ts). */
  openCashDrawer(grant: string): Promise<DeviceOutcome>;
  /** The desktop shell's own settings (receipt printer, kiosk, customer display, backup copies). */
  readonly shell?: DesktopShell;
}

export type DesktopShell = Pick<
  DesktopBridge,
  'listPrinters' | 'readSettings' | 'saveSettings' | 'saveBackupCopy'
>;

export function desktopDevices(bridge: DesktopBridge): PosDevices {
  const guard = async (work: () => Promise<DeviceOutcome>): Promise<DeviceOutcome> => {
    try {
      return await work();
    } catch (error) {
      return { ok: false, message: error instanceof Error ? error.message : t('devices.failed') };
    }
  };
  return {
    kind: 'desktop',
    async receiptRequest() {
      try {
        const receipt = (await bridge.readSettings()).receipt;
        if (receipt === undefined) return {};
        return { paper: receipt.paper, ...(receipt.format === 'escpos' ? { escpos: { cut: true } } : {}) };
      } catch {
        // The shell did not answer: the node's defaults (80 mm, HTML) still print.
        return {};
      }
    },
    printReceipt: (html, escposGrant) =>
      guard(() =>
        escposGrant === undefined ? bridge.printReceipt(html) : bridge.printReceiptRaw(escposGrant),
      ),
    openCashDrawer: (grant) => guard(() => bridge.openCashDrawer(grant)),
    shell: {
      listPrinters: () => bridge.listPrinters(),
      readSettings: () => bridge.readSettings(),
      saveSettings: (settings) => guard(() => bridge.saveSettings(settings)),
      saveBackupCopy: (file) => guard(() => bridge.saveBackupCopy(file)),
    },
  };
}

/**
 * A lane or handheld in a browser prints through the browser's print dialog (a hidden frame holding just
 * the receipt) and has no line to the cash drawer.
 */
export function browserDevices(doc: Document): PosDevices {
  return {
    kind: 'browser',
    receiptRequest: () => Promise.resolve({}),
    printReceipt(html) {
      return new Promise((resolve) => {
        const frame = doc.createElement('iframe');
        frame.setAttribute('aria-hidden', 'true');
        frame.title = t('receipt.printFrame');
        frame.style.position = 'fixed';
        frame.style.width = '0';
        frame.style.height = '0';
        frame.style.border = '0';
        frame.addEventListener('load', () => {
          const view = frame.contentWindow;
          if (!view) {
            frame.remove();
            resolve({ ok: false, message: t('devices.printUnavailable') });
            return;
          }
          view.addEventListener('afterprint', () => frame.remove(), { once: true });
          view.focus();
          view.print();
          resolve({ ok: true });
        });
        frame.srcdoc = html;
        doc.body.append(frame);
      });
    },
    openCashDrawer: () => Promise.resolve({ ok: false, message: t('devices.noDrawer') }),
  };
}
