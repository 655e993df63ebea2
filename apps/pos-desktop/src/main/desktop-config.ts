import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { z } from 'zod';
import { DesktopSettingsSchema, type DesktopSettings } from '../shared/desktop-settings';
import type { RawTransport } from './raw-transport';

/**
 * How this desktop till runs: where the store node's data lives, its port, kiosk mode, the receipt printer
 * and how the cash drawer is kicked. Read from `pos-desktop.json` in the app's user-data folder, with
 * command-line flags (`--data`, `--port`, `--kiosk`, `--lan`, `--hub`, `--fixture`) on top.
 */
const DrawerSchema = z.discriminatedUnion('kind', [
  /** No drawer wired to this till (or it opens with a key). */
  z.object({ kind: z.literal('none') }),
  /** A network receipt printer (raw port 9100) with the drawer on its kick connector. */
  z.object({
    kind: z.literal('network-printer'),
    host: z.string().min(1),
    port: z.number().int().min(1).max(65_535).default(9100),
  }),
  /** A USB/serial receipt printer exposed as a device file (e.g. /dev/usb/lp0). */
  z.object({ kind: z.literal('device'), path: z.string().min(1) }),
  /** A CUPS queue that passes raw bytes to the printer (`lp -d QUEUE -o raw`). */
  z.object({ kind: z.literal('cups'), queue: z.string().regex(/^[A-Za-z0-9._-]{1,127}$/) }),
]);

/** pos-desktop.json is the installer's: any device path is allowed there (the app's settings are stricter). */
const RawPrinterSchema = z.discriminatedUnion('kind', [
  z.object({
    kind: z.literal('network-printer'),
    host: z.string().min(1),
    port: z.number().int().min(1).max(65_535).default(9100),
  }),
  z.object({ kind: z.literal('device'), path: z.string().min(1) }),
  z.object({ kind: z.literal('cups'), queue: z.string().regex(/^[A-Za-z0-9._-]{1,127}$/) }),
]);

const PulseSchema = z.object({
  /** Which kick connector pin: 0 is pin 2, 1 is pin 5. */
  pin: z.union([z.literal(0), z.literal(1)]).default(0),
  onMs: z.number().int().min(2).max(510).default(50),
  offMs: z.number().int().min(2).max(510).default(500),
});

export const DesktopConfigSchema = z.object({
  /** The store node's data folder (set up with `pos-store init`). */
  dataDir: z.string().min(1),
  /** A fixed port: after a crash the node comes back on it and the window reconnects (0 would move it). */
  port: z.number().int().min(1).max(65_535).default(7420),
  /** Also serve lanes and handhelds on the store LAN (binds 0.0.0.0). */
  lan: z.boolean().default(false),
  hubUrl: z.url({ protocol: /^https?$/ }).optional(),
  kiosk: z.boolean().default(false),
  /** The receipt printer's system name; absent means the system default printer. */
  printerName: z.string().min(1).optional(),
  drawer: DrawerSchema.default({ kind: 'none' }),
  /** Demo data applied at every start (idempotent); set by `npm run desktop -- --demo`. */
  fixture: z.string().min(1).optional(),
  pulse: PulseSchema.default({ pin: 0, onMs: 50, offMs: 500 }),
  /** Show the customer-facing display on a second screen when one is attached. */
  customerDisplay: z.boolean().default(false),
  /** Receipts through the OS driver (HTML) or as raw ESC/POS to a driverless printer. */
  receiptFormat: z.enum(['driver', 'escpos']).default('driver'),
  /** The roll: 80 mm (72 mm printable) or 58 mm (48 mm), for HTML and ESC/POS alike. */
  receiptPaper: z.enum(['80mm', '58mm']).default('80mm'),
  /** Where raw ESC/POS receipts go; absent, the cash drawer's printer connection. */
  rawPrinter: RawPrinterSchema.optional(),
});
export type DesktopConfig = z.infer<typeof DesktopConfigSchema>;
export type DrawerConfig = z.infer<typeof DrawerSchema>;
export type PulseConfig = z.infer<typeof PulseSchema>;

export const CONFIG_FILE = 'pos-desktop.json';

export class DesktopConfigError extends Error {}

/** The flags the desktop app understands (Electron and Chromium flags it does not know are ignored). */
function readFlags(argv: readonly string[]) {
  const { values } = parseArgs({
    args: [...argv],
    strict: false,
    allowPositionals: true,
    options: {
      data: { type: 'string' },
      port: { type: 'string' },
      hub: { type: 'string' },
      kiosk: { type: 'boolean' },
      lan: { type: 'boolean' },
      'customer-display': { type: 'boolean' },
      fixture: { type: 'string' },
    },
  });
  return values;
}

export function loadDesktopConfig(options: {
  readonly argv: readonly string[];
  readonly userDataDir: string;
  readonly readFile?: (file: string) => string | null;
}): DesktopConfig {
  const read =
    options.readFile ??
    ((file: string) => {
      try {
        return readFileSync(file, 'utf8');
      } catch {
        return null;
      }
    });
  const file = join(options.userDataDir, CONFIG_FILE);
  const text = read(file);
  let fromFile: Record<string, unknown> = {};
  if (text !== null) {
    try {
      fromFile = JSON.parse(text) as Record<string, unknown>;
    } catch {
      throw new DesktopConfigError(`${file} is not valid JSON. Fix it or delete it to use the defaults.`);
    }
  }
  const flags = readFlags(options.argv);
  const merged: Record<string, unknown> = {
    dataDir: join(options.userDataDir, 'store-node'),
    ...fromFile,
    ...(typeof flags.data === 'string' ? { dataDir: resolve(flags.data) } : {}),
    ...(typeof flags.port === 'string' ? { port: Number(flags.port) } : {}),
    ...(typeof flags.hub === 'string' ? { hubUrl: flags.hub } : {}),
    ...(flags.kiosk === true ? { kiosk: true } : {}),
    ...(flags.lan === true ? { lan: true } : {}),
    ...(flags['customer-display'] === true ? { customerDisplay: true } : {}),
    ...(typeof flags.fixture === 'string' ? { fixture: resolve(flags.fixture) } : {}),
  };
  const parsed = DesktopConfigSchema.safeParse(merged);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new DesktopConfigError(
      `The desktop settings are not usable: ${issue?.path.join('.') || 'settings'} ${issue?.message ?? 'is invalid'} (${file} or the command line).`,
    );
  }
  return parsed.data;
}

export function desktopSettingsOf(config: DesktopConfig): DesktopSettings {
  return {
    printerName: config.printerName ?? null,
    kiosk: config.kiosk,
    customerDisplay: config.customerDisplay,
    receipt: {
      format: config.receiptFormat,
      paper: config.receiptPaper,
      rawPrinter: config.rawPrinter ?? null,
    },
  };
}

/** Where this till's raw ESC/POS receipts go: its raw printer, else the drawer's printer, else nowhere. */
export function rawReceiptTransport(config: DesktopConfig): RawTransport | null {
  if (config.rawPrinter !== undefined) return config.rawPrinter;
  return config.drawer.kind === 'none' ? null : config.drawer;
}

function sameRawPrinter(a: unknown, b: unknown): boolean {
  return a !== undefined && a !== null && JSON.stringify(a) === JSON.stringify(b);
}

/**
 * Writes settings changed in the app into pos-desktop.json, keeping everything else the file holds (the
 * drawer, the data folder), and answers the configuration the app runs with from now on. The file is
 * replaced whole (write, then rename) so a crash never leaves half of it; command-line flags still win at
 * the next start.
 */
export function saveDesktopSettings(options: {
  readonly userDataDir: string;
  readonly current: DesktopConfig;
  readonly settings: unknown;
}): DesktopConfig {
  // A raw printer named in pos-desktop.json (any device path) comes back unchanged from the settings
  // screen; only a new one must pass the app's stricter rules.
  const submitted = options.settings as { receipt?: { rawPrinter?: unknown } } | null;
  const keepRawPrinter =
    typeof submitted === 'object' &&
    submitted !== null &&
    sameRawPrinter(submitted.receipt?.rawPrinter, options.current.rawPrinter);
  const parsed = DesktopSettingsSchema.safeParse(
    keepRawPrinter ? { ...submitted, receipt: { ...submitted.receipt, rawPrinter: null } } : options.settings,
  );
  if (!parsed.success) {
    throw new DesktopConfigError(
      `These settings cannot be saved: ${parsed.error.issues[0]?.message ?? 'invalid'}.`,
    );
  }
  const file = join(options.userDataDir, CONFIG_FILE);
  let stored: Record<string, unknown> = {};
  try {
    const text = readFileSync(file, 'utf8');
    const value = JSON.parse(text) as unknown;
    if (typeof value === 'object' && value !== null && !Array.isArray(value))
      stored = value as Record<string, unknown>;
  } catch {
    // No file yet (a new till), or one that loadDesktopConfig would already have refused.
  }
  const { printerName, kiosk, customerDisplay, receipt } = parsed.data;
  const next: Record<string, unknown> = { ...stored, kiosk, customerDisplay };
  if (printerName === null) delete next.printerName;
  else next.printerName = printerName;
  const rawPrinter = keepRawPrinter ? options.current.rawPrinter : (receipt?.rawPrinter ?? undefined);
  if (receipt !== undefined) {
    next.receiptFormat = receipt.format;
    next.receiptPaper = receipt.paper;
    if (rawPrinter === undefined) delete next.rawPrinter;
    else next.rawPrinter = rawPrinter;
  }
  const temporary = `${file}.${process.pid}.tmp`;
  writeFileSync(temporary, `${JSON.stringify(next, null, 2)}\n`, { mode: 0o600 });
  renameSync(temporary, file);
  const { printerName: _dropped, rawPrinter: _previousRaw, ...rest } = options.current;
  const receiptConfig =
    receipt === undefined
      ? options.current.rawPrinter === undefined
        ? {}
        : { rawPrinter: options.current.rawPrinter }
      : {
          receiptFormat: receipt.format,
          receiptPaper: receipt.paper,
          ...(rawPrinter === undefined ? {} : { rawPrinter }),
        };
  return {
    ...rest,
    kiosk,
    customerDisplay,
    ...receiptConfig,
    ...(printerName === null ? {} : { printerName }),
  };
}
