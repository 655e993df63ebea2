import type { Receipt } from '../../shared/commands';
import { code128Svg } from './code128';
import { PAPER_LAYOUT, discountShown, receiptText, type PaperWidth } from './receipt-format';

const ESCAPES: Readonly<Record<string, string>> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

/** Every text from the catalog or staff goes through this: product names are data, never markup. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (character) => ESCAPES[character] ?? character);
}

/**
 * Type sizes per roll: 58 mm paper has two thirds of the width, so the type shrinks a little and long
 * names wrap instead of pushing amounts off the paper.
 */
const TYPE: Readonly<Record<PaperWidth, { body: number; small: number; title: number; total: number }>> = {
  '80mm': { body: 11, small: 10, title: 14, total: 13 },
  '58mm': { body: 10, small: 9, title: 12, total: 12 },
};

/**
 * A thermal receipt as a self-contained HTML page for a printer with an OS driver: the page is the
 * roll's width (`@page size`), the body its printable width, no external assets.
 */
export function renderReceiptHtml(receipt: Receipt, paper: PaperWidth = '80mm'): string {
  const text = receiptText(receipt);
  const { printableMm } = PAPER_LAYOUT[paper];
  const margin = (Number.parseInt(paper, 10) - printableMm) / 2;
  const type = TYPE[paper];
  const amount = (minorUnits: number) => escapeHtml(text.amount(minorUnits));
  const row = (label: string, value: string, className = '') =>
    `<tr class="${className}"><td>${label}</td><td class="r">${value}</td></tr>`;
  const lines = receipt.lines
    .map((line) =>
      [
        row(escapeHtml(line.name), amount(line.amount), 'item'),
        `<tr class="detail"><td colspan="2">${escapeHtml(text.lineDetail(line))}${line.note ? ` · ${escapeHtml(line.note)}` : ''}</td></tr>`,
        ...line.adjustments.map((adjustment) =>
          row(`&nbsp;&nbsp;${escapeHtml(adjustment.label)}`, amount(adjustment.amount), 'adjustment'),
        ),
      ].join(''),
    )
    .join('');
  const totals = [
    receipt.totals.discount !== 0 ? row('Subtotal', amount(receipt.totals.subtotal)) : '',
    receipt.totals.discount !== 0 ? row('Discounts', amount(discountShown(receipt))) : '',
    row(text.refund ? 'REFUND TOTAL' : 'TOTAL', amount(receipt.totals.total), 'total'),
    receipt.totals.cashRounding !== 0 ? row('Cash rounding', amount(receipt.totals.cashRounding)) : '',
  ].join('');
  const payments = receipt.payments
    .map((payment) =>
      [
        row(
          `${escapeHtml(text.paymentText(payment).label)}${payment.reference ? ` <span class="ref">${escapeHtml(payment.reference)}</span>` : ''}`,
          amount(payment.tendered),
        ),
        payment.change > 0 ? row('Change', amount(payment.change)) : '',
      ].join(''),
    )
    .join('');
  const taxes =
    receipt.taxes.length === 0
      ? ''
      : `<table class="taxes"><tr><th>Tax</th><th class="r">Net</th><th class="r">Tax</th></tr>${receipt.taxes
          .map(
            (tax) =>
              `<tr><td>${escapeHtml(tax.name)}</td><td class="r">${amount(tax.taxable)}</td><td class="r">${amount(tax.tax)}</td></tr>`,
          )
          .join('')}</table>`;
  const exchange = text.exchange
    ? `<p class="section">${escapeHtml(text.exchange.heading)}</p><table class="exchange">${[
        ...text.exchange.lines.map((line) => row(escapeHtml(line.label), amount(line.amount), 'item')),
        ...text.exchange.refunds.map((refund) => row(escapeHtml(refund.label), amount(refund.amount))),
      ].join('')}</table>`
    : '';
  const slips = text.storeCreditSlips
    .map(
      (slip) =>
        `<div class="slip"><p class="c section">${escapeHtml(slip.heading)}</p><p class="c code">${escapeHtml(slip.code)}</p><p class="c">${escapeHtml(slip.value)}</p>${slip.owner === null ? '' : `<p class="c">${escapeHtml(slip.owner)}</p>`}<p class="c legal">${escapeHtml(slip.hint)}</p></div>`,
    )
    .join('');
  const legal = text.legalLines.map((line) => `<p class="c legal">${escapeHtml(line)}</p>`).join('');
  const banners = text.banners.map((banner) => `<p class="banner">${escapeHtml(banner)}</p>`).join('');
  return `<!doctype html>
<html lang="${escapeHtml(receipt.locale)}"><head><meta charset="utf-8"><title>Receipt ${escapeHtml(receipt.receiptNumber)}</title>
<style>
@page { size: ${paper} auto; margin: 0; }
body { width: ${printableMm}mm; margin: 0 ${margin}mm; font: ${type.body}px/1.35 ui-monospace, 'DejaVu Sans Mono', monospace; color: #000; overflow-wrap: anywhere; }
h1 { font-size: ${type.title}px; text-align: center; margin: 6px 0 0; }
p { margin: 2px 0; } .c { text-align: center; } .r { text-align: right; white-space: nowrap; padding-left: 4px; }
table { width: 100%; border-collapse: collapse; } td, th { padding: 0; vertical-align: top; }
.detail td, .adjustment td, .ref { font-size: ${type.small}px; } .total td { font-weight: bold; font-size: ${type.total}px; border-top: 1px dashed #000; }
.banner { text-align: center; font-weight: bold; border: 2px solid #000; margin: 4px 0; }
.taxes { margin-top: 6px; font-size: ${type.small}px; } .taxes th { text-align: left; border-bottom: 1px dashed #000; }
.section { font-weight: bold; margin-top: 6px; } .legal { font-size: ${type.small}px; }
.slip { border: 2px dashed #000; padding: 4px; margin-top: 8px; } .slip .code { font-weight: bold; font-size: ${type.title}px; }
.barcode { text-align: center; margin-top: 6px; } .barcode svg { max-width: 100%; height: 40px; }
</style></head><body data-paper="${paper}">
<h1>${escapeHtml(text.storeTitle)}</h1>
${legal}
<p class="c">${escapeHtml(text.storeLine)}</p>
<p class="c">${escapeHtml(text.issuedAt)}</p>
${banners}
<p>Receipt ${escapeHtml(receipt.receiptNumber)}${receipt.originalReceiptNumber ? ` · for ${escapeHtml(receipt.originalReceiptNumber)}` : ''}</p>
${receipt.staffName ? `<p>Served by ${escapeHtml(receipt.staffName)}</p>` : ''}
<table class="lines">${lines}</table>
${exchange}
<table class="totals">${totals}${payments}</table>
${taxes}
${text.savings ? `<p class="savings">${escapeHtml(text.savings)}</p>` : ''}
${receipt.loyalty ? `<p>Points earned ${receipt.loyalty.earned}, redeemed ${receipt.loyalty.redeemed}</p>` : ''}
${receipt.notes.map((note) => `<p class="note">${escapeHtml(note)}</p>`).join('')}
${slips}
<div class="barcode">${code128Svg(receipt.barcode.value)}<p>${escapeHtml(receipt.barcode.value)}</p></div>
<p class="c">Thank you</p>
</body></html>
`;
}
