import ReceiptPrinterEncoder, {
  type ReceiptPrinterEncoderOptions,
} from '@point-of-sale/receipt-printer-encoder';
import type { Receipt } from '../../shared/commands';
import { PAPER_LAYOUT, discountShown, receiptText, type PaperWidth } from './receipt-format';

export type PrinterModel = NonNullable<ReceiptPrinterEncoderOptions['printerModel']>;

/** The printer models the encoder knows (code page tables, fonts, cutter): offered in printer settings. */
export const ESCPOS_PRINTER_MODELS: readonly string[] = ReceiptPrinterEncoder.printerModels.map(
  (model) => model.id,
);

export interface DrawerKick {
  /** 0 = drawer on connector pin 2, 1 = pin 5. */
  readonly pin: 0 | 1;
  readonly onMs: number;
  readonly offMs: number;
}

export interface EscPosOptions {
  readonly paper: PaperWidth;
  /**
   * A model from the encoder's list: its code page table and capabilities are used. Without one, the
   * generic Epson table (which most ESC/POS printers follow) and the roll's standard column count.
   */
  readonly printerModel?: PrinterModel;
  /** Cut the paper after the receipt (partial cut, which leaves a hinge on printers that have one). */
  readonly cut?: boolean;
  /** Open the cash drawer wired to the printer before printing, so it is open while the receipt prints. */
  readonly drawerKick?: DrawerKick | null;
}

/**
 * Without a known model, the code pages nearly every ESC/POS printer has, in the order the encoder tries
 * them: PC437 (box drawing), PC858 (Western Europe with €, ESC t 19), Windows-1252 (dashes and quotes,
 * ESC t 16), then Cyrillic and Central European.
 */
const GENERIC_CODEPAGES: NonNullable<ReceiptPrinterEncoderOptions['codepageCandidates']> = [
  'cp437',
  'cp858',
  'windows1252',
  'cp866',
  'cp852',
];

/**
 * Product names, notes and references are data from HQ and staff: a control character in one (ESC, GS,
 * DLE...) would reach the printer as a command, e.g. a drawer kick or a cut, so every C0 and C1 control
 * is dropped. The spaces Intl puts in amounts (no-break and narrow no-break, e.g. "12,50 €" in fr-FR)
 * exist in no printer code page: they print as plain spaces instead of question marks.
 */
export function printable(text: string): string {
  // eslint-disable-next-line no-control-regex
  return text.replace(/[\u0000-\u001f\u007f-\u009f]/g, '').replace(/[\u00a0\u202f\u2007]/g, ' ');
}

/**
 * The receipt as raw ESC/POS bytes for a thermal printer without an OS driver (sent to port 9100, a device
 * file or a raw CUPS queue). The encoder picks a code page per piece of text (`codepage: 'auto'`), so €,
 * accents and × print as themselves, and emits the code page switch (ESC t n) before them.
 */
export function renderReceiptEscPos(receipt: Receipt, options: EscPosOptions): Uint8Array {
  const text = receiptText(receipt);
  const encoder = new ReceiptPrinterEncoder({
    language: 'esc-pos',
    newline: '\n',
    ...(options.printerModel === undefined
      ? {
          columns: PAPER_LAYOUT[options.paper].columns,
          codepageMapping: 'epson',
          codepageCandidates: GENERIC_CODEPAGES,
          feedBeforeCut: 4,
        }
      : { printerModel: options.printerModel }),
  });
  // A known model brings its own font A width (e.g. 42 columns on a TM-T88 at 180 dpi).
  const columns = encoder.columns;
  const amount = (minorUnits: number) => printable(text.amount(minorUnits));
  const pair = (label: string, value: string) =>
    encoder.table(
      [
        { width: columns - value.length - 1, align: 'left', overflow: 'wrap' },
        { width: value.length, marginLeft: 1, align: 'right' },
      ],
      [[printable(label), value]],
    );

  encoder.initialize().codepage('auto');
  if (options.drawerKick) {
    encoder.pulse(options.drawerKick.pin, options.drawerKick.onMs, options.drawerKick.offMs);
  }
  encoder.align('center').bold(true).size(2, 2).line(printable(text.storeTitle)).size(1, 1).bold(false);
  for (const legalLine of text.legalLines) encoder.line(printable(legalLine));
  encoder.line(printable(text.storeLine)).line(printable(text.issuedAt));
  for (const banner of text.banners) {
    encoder
      .invert(true)
      .bold(true)
      .line(` ${printable(banner)} `)
      .bold(false)
      .invert(false);
  }
  encoder.align('left');
  encoder.line(
    printable(
      `Receipt ${receipt.receiptNumber}${receipt.originalReceiptNumber ? ` · for ${receipt.originalReceiptNumber}` : ''}`,
    ),
  );
  if (receipt.staffName) encoder.line(printable(`Served by ${receipt.staffName}`));
  encoder.rule();
  for (const line of receipt.lines) {
    pair(line.name, amount(line.amount));
    encoder.line(printable(`  ${text.lineDetail(line)}${line.note ? ` · ${line.note}` : ''}`));
    for (const adjustment of line.adjustments) pair(`  ${adjustment.label}`, amount(adjustment.amount));
  }
  encoder.rule();
  if (text.exchange) {
    encoder.bold(true).line(printable(text.exchange.heading)).bold(false);
    for (const line of text.exchange.lines) pair(line.label, amount(line.amount));
    for (const refund of text.exchange.refunds) pair(refund.label, amount(refund.amount));
    encoder.rule();
  }
  if (receipt.totals.discount !== 0) {
    pair('Subtotal', amount(receipt.totals.subtotal));
    pair('Discounts', amount(discountShown(receipt)));
  }
  encoder.bold(true).height(2);
  pair(text.refund ? 'REFUND TOTAL' : 'TOTAL', amount(receipt.totals.total));
  encoder.height(1).bold(false);
  if (receipt.totals.cashRounding !== 0) pair('Cash rounding', amount(receipt.totals.cashRounding));
  for (const payment of receipt.payments) {
    const label = `${text.paymentText(payment).label}${payment.reference ? ` ${payment.reference}` : ''}`;
    pair(label, amount(payment.tendered));
    if (payment.change > 0) pair('Change', amount(payment.change));
  }
  if (receipt.taxes.length > 0) {
    encoder.newline();
    for (const tax of receipt.taxes) {
      pair(`${tax.name} on ${amount(tax.taxable)}`, amount(tax.tax));
    }
  }
  if (text.savings) encoder.newline().line(printable(text.savings));
  if (receipt.loyalty) {
    encoder.line(`Points earned ${receipt.loyalty.earned}, redeemed ${receipt.loyalty.redeemed}`);
  }
  for (const note of receipt.notes) encoder.line(printable(note));
  for (const slip of text.storeCreditSlips) {
    encoder.rule().align('center').bold(true).line(printable(slip.heading));
    encoder.height(2).line(printable(slip.code)).height(1).bold(false);
    encoder.line(printable(slip.value));
    if (slip.owner !== null) encoder.line(printable(slip.owner));
    encoder.line(printable(slip.hint)).align('left').rule();
  }
  encoder.newline().align('center');
  if (receipt.barcode.value !== '') {
    encoder.barcode(printable(receipt.barcode.value), 'code128', {
      height: 60,
      width: columns > 32 ? 2 : 1,
      text: 'below',
    });
  }
  encoder.line('Thank you').align('left');
  if (options.cut !== false) encoder.cut('partial');
  return encoder.encode();
}
