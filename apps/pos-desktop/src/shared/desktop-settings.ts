import { z } from 'zod';

/**
 * What staff change in the desktop app itself (its first-run screen and the manager's settings): the
 * receipt printer, kiosk mode and the customer display. The main process validates with this schema
 * before writing them into pos-desktop.json; the renderer sends them through the preload bridge.
 */
export const DesktopSettingsSchema = z
  .object({
    /** The system name of the receipt printer; null prints on the system default printer. */
    printerName: z.string().trim().min(1).max(200).nullable(),
    kiosk: z.boolean(),
    /** Show the customer-facing display on a second screen when one is attached. */
    customerDisplay: z.boolean(),
  })
  .strict();
export type DesktopSettings = z.infer<typeof DesktopSettingsSchema>;

/** A printer the operating system knows, as the settings screen lists it. */
export interface PrinterChoice {
  readonly name: string;
  readonly displayName: string;
}
