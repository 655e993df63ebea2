import type { DeviceOutcome } from '../shared/desktop-bridge';
import { describeTransport, sendRawBytes, type RawTransport } from './raw-transport';

/** Largest receipt accepted over IPC; a real 80 mm receipt is a few tens of kilobytes. */
export const MAX_RECEIPT_HTML = 2_000_000;

/** What printing needs from an offscreen Electron window (a fake in tests). */
export interface PrintWindow {
  load(html: string): Promise<void>;
  print(options: SilentPrintOptions): Promise<{ success: boolean; failureReason: string }>;
  close(): void;
}

export interface SilentPrintOptions {
  readonly silent: true;
  readonly printBackground: true;
  readonly deviceName?: string;
  readonly margins: { readonly marginType: 'none' };
}

export function silentPrintOptions(printerName: string | undefined): SilentPrintOptions {
  return {
    silent: true,
    printBackground: true,
    margins: { marginType: 'none' },
    ...(printerName === undefined ? {} : { deviceName: printerName }),
  };
}

/**
 * Prints the store node's receipt HTML without a dialog on the configured receipt printer (or the system
 * default), in a hidden window that runs no scripts and is closed whatever happens.
 */
export async function printReceiptSilently(
  html: unknown,
  printerName: string | undefined,
  openWindow: () => PrintWindow,
): Promise<DeviceOutcome> {
  if (typeof html !== 'string' || html.length === 0 || html.length > MAX_RECEIPT_HTML) {
    return { ok: false, message: 'That receipt cannot be printed: it is empty or too large.' };
  }
  const window = openWindow();
  try {
    await window.load(html);
    const printed = await window.print(silentPrintOptions(printerName));
    if (printed.success) return { ok: true };
    return {
      ok: false,
      message: `The receipt did not print (${printed.failureReason || 'no reason given'}). Check the receipt printer${printerName ? ` ${printerName}` : ''}, then print a copy.`,
    };
  } catch (error) {
    return {
      ok: false,
      message: `The receipt did not print (${error instanceof Error ? error.message : String(error)}). Check the receipt printer, then print a copy.`,
    };
  } finally {
    window.close();
  }
}

/**
 * Sends a receipt's ESC/POS bytes (already checked to be the node's, see engine/print-grant.ts) to a
 * driverless printer. The sale is complete whatever happens here: a failure is a sentence saying which
 * printer did not answer and that a copy can be printed.
 */
export async function printEscPosReceipt(
  bytes: Uint8Array,
  transport: RawTransport | null,
): Promise<DeviceOutcome> {
  if (transport === null) {
    return {
      ok: false,
      message:
        'No printer for raw receipts is set up on this till. A manager chooses it under Settings, receipt printer; the sale itself is complete.',
    };
  }
  try {
    await sendRawBytes(transport, bytes);
    return { ok: true };
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    return {
      ok: false,
      message: `The receipt printer at ${describeTransport(transport)} did not take the receipt (${reason}). Check that it is on, connected and has paper, then print a copy; the sale itself is complete.`,
    };
  }
}
