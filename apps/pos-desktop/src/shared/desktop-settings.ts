import { z } from 'zod';

/**
 * A printer without an OS driver that takes raw ESC/POS: a network printer (raw port 9100), a device file,
 * or a CUPS queue that passes bytes through (`lp -o raw`). Set from the app, a device file must be a
 * printer device: the settings screen must not be a way to append bytes to any file the user can write
 * (pos-desktop.json, edited by whoever installs the till, may name any path).
 */
export const RawPrinterSettingSchema = z.discriminatedUnion('kind', [
  z
    .object({
      kind: z.literal('network-printer'),
      host: z
        .string()
        .trim()
        .min(1)
        .max(253)
        .regex(/^[A-Za-z0-9.:-]+$/, 'A host name or IP address.'),
      port: z.number().int().min(1).max(65_535).default(9100),
    })
    .strict(),
  z
    .object({
      kind: z.literal('device'),
      path: z
        .string()
        .regex(
          /^(\/dev\/(usb\/lp\d{1,3}|lp\d{1,3}|ttyUSB\d{1,3}|ttyACM\d{1,3}|ttyS\d{1,3})|\\\\\.\\(COM|LPT)\d{1,3})$/,
          'A printer device such as /dev/usb/lp0.',
        ),
    })
    .strict(),
  z.object({ kind: z.literal('cups'), queue: z.string().regex(/^[A-Za-z0-9._-]{1,127}$/) }).strict(),
]);
export type RawPrinterSetting = z.infer<typeof RawPrinterSettingSchema>;

/**
 * How this till's receipts reach paper: through the OS driver (HTML, the printer named by `printerName`)
 * or as raw ESC/POS to a driverless printer (`rawPrinter`, or the cash drawer's connection when null),
 * on an 80 mm or 58 mm roll either way.
 */
export const ReceiptOutputSchema = z
  .object({
    format: z.enum(['driver', 'escpos']),
    paper: z.enum(['80mm', '58mm']),
    rawPrinter: RawPrinterSettingSchema.nullable(),
  })
  .strict();
export type ReceiptOutput = z.infer<typeof ReceiptOutputSchema>;

/**
 * What staff change in the desktop app itself (its first-run screen and the manager's settings): the
 * receipt printer and how receipts print, kiosk mode and the customer display. The main process validates
 * with this schema before writing them into pos-desktop.json; the renderer sends them through the preload
 * bridge. `receipt` left out keeps what the till has.
 */
export const DesktopSettingsSchema = z
  .object({
    /** The system name of the receipt printer; null prints on the system default printer. */
    printerName: z.string().trim().min(1).max(200).nullable(),
    kiosk: z.boolean(),
    /** Show the customer-facing display on a second screen when one is attached. */
    customerDisplay: z.boolean(),
    receipt: ReceiptOutputSchema.optional(),
  })
  .strict();
export type DesktopSettings = z.infer<typeof DesktopSettingsSchema>;

/** A printer the operating system knows, as the settings screen lists it. */
export interface PrinterChoice {
  readonly name: string;
  readonly displayName: string;
}
