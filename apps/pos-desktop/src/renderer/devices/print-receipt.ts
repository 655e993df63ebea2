import type { Result } from '@retail/domain';
import type { CommandResponse } from '../../shared/commands';
import type { PosApi } from '../api/pos-api';
import type { DeviceOutcome, PosDevices } from './devices';

export interface PrintedReceipt {
  /** The node's answer: the receipt, its HTML and which print this was (COPY after the first). */
  readonly print: CommandResponse<'receipt-print'>;
  /** What the printer did: a failed print leaves the audited receipt in place for another try. */
  readonly device: DeviceOutcome;
}

/**
 * The one way this till prints a receipt: the node records the print (and marks a copy), then the
 * printer gets this till's format (HTML, or the node's signed ESC/POS). A sale, a return and a receipt
 * found by lookup all print here; `copy` asks for a COPY even when no print was recorded before.
 */
export async function printReceipt(
  api: PosApi,
  devices: PosDevices,
  receiptNumber: string,
  options: { readonly copy?: true } = {},
): Promise<Result<PrintedReceipt>> {
  const request = await devices.receiptRequest();
  const print = await api.call('receipt-print', { receiptNumber, ...request, ...options });
  if (!print.ok) return print;
  const device = await devices.printReceipt(print.value.html, print.value.escposGrant);
  return { ok: true, value: { print: print.value, device } };
}
