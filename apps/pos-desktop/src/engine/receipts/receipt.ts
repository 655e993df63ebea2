import { DomainError, formatMoney, money, negate, sum } from '@retail/domain';
import type { Receipt, ReturnView, SaleView } from '../../shared/commands';
import { sql, type TxContext } from '../context';
import { returnView } from '../commands/return';
import { receiptLoyalty, receiptReference } from '../loyalty/sale-loyalty';
import { findSale } from '../sales/draft';
import { storedSaleView } from '../sales/stored-sale';
import { code128Svg } from './code128';

function storeName(ctx: TxContext): string | null {
  const row = sql(ctx.db, 'SELECT name FROM stores WHERE store_id = ?').get(ctx.identity.storeId) as
    { name: string } | undefined;
  return row?.name ?? null;
}

function staffName(ctx: TxContext, staffId: string): string | null {
  const row = sql(ctx.db, 'SELECT name FROM staff WHERE staff_id = ?').get(staffId) as
    { name: string } | undefined;
  return row?.name ?? null;
}

function header(ctx: TxContext) {
  return {
    currency: ctx.identity.currency,
    locale: ctx.identity.locale,
    timezone: ctx.identity.timezone,
    store: { code: ctx.identity.storeCode, name: storeName(ctx) },
    deviceNo: ctx.identity.deviceNo,
  };
}

function saleReceipt(ctx: TxContext, sale: SaleView, copy: boolean): Receipt {
  const cashRounding = sale.payment.cashRounding;
  return {
    kind: 'sale',
    copy,
    voided: sale.status === 'voided',
    receiptNumber: sale.receiptNumber ?? '',
    originalReceiptNumber: null,
    issuedAt: sale.completedAt ?? sale.startedAt,
    ...header(ctx),
    staffName: staffName(ctx, sale.staffId),
    lines: sale.lines.map((line) => ({
      sku: line.sku,
      name: line.name,
      unit: line.unit,
      qty: line.qty,
      unitPrice: line.unitPrice,
      amount: line.extended,
      adjustments: line.adjustments.map((adjustment) => ({
        label: adjustment.reason,
        amount: negate(money(adjustment.amount, sale.currency)).amount,
      })),
      note:
        line.priceSource === 'override'
          ? 'Price changed by a manager'
          : line.priceSource === 'label'
            ? 'Label price'
            : null,
    })),
    totals: {
      subtotal: sale.totals.subtotal,
      discount: sale.totals.discount,
      tax: sale.totals.tax,
      total: sale.totals.total,
      cashRounding,
      change: sale.payment.change,
    },
    taxes: sale.taxSummary.map(({ name, percent, taxable, tax }) => ({ name, percent, taxable, tax })),
    payments: sale.tenders.map((tender) => ({
      type: tender.type,
      amount: tender.amount,
      tendered: tender.tendered,
      change: tender.change,
      reference: receiptReference(ctx, tender.type, tender.reference),
    })),
    promotions: sale.promotions.map(({ name, total }) => ({ name, total })),
    loyalty: receiptLoyalty(ctx, sale.saleId),
    notes: [],
    barcode: { symbology: 'code128', value: sale.receiptNumber ?? '' },
  };
}

function returnReceipt(ctx: TxContext, returned: ReturnView, copy: boolean): Receipt {
  return {
    kind: 'return',
    copy,
    voided: false,
    receiptNumber: returned.receiptNumber,
    originalReceiptNumber: returned.originalReceiptNumber,
    issuedAt: returned.completedAt,
    ...header(ctx),
    staffName: staffName(ctx, returned.staffId),
    lines: returned.lines.map((line) => ({
      sku: line.sku,
      name: line.name,
      unit: line.unit,
      qty: line.qty,
      unitPrice: null,
      amount: line.refund,
      adjustments: [],
      note: line.disposition === 'sellable' ? null : `Returned as ${line.disposition.replace('_', ' ')}`,
    })),
    totals: {
      subtotal: returned.total,
      discount: 0,
      tax: 0,
      total: returned.total,
      cashRounding: 0,
      change: 0,
    },
    taxes: [],
    payments: returned.refunds.map((refund) => ({
      type: refund.type,
      amount: refund.amount,
      tendered: refund.amount,
      change: 0,
      reference: refund.reference,
    })),
    promotions: [],
    loyalty: null,
    notes: returned.notes,
    barcode: { symbology: 'code128', value: returned.receiptNumber },
  };
}

/** The receipt for a sale or return number; `copy` marks a reprint. */
export function buildReceipt(ctx: TxContext, receiptNumber: string, copy: boolean): Receipt {
  const sale = sql(ctx.db, 'SELECT sale_id AS saleId FROM sales WHERE receipt_number = ?').get(
    receiptNumber,
  ) as { saleId: string } | undefined;
  if (sale) return saleReceipt(ctx, storedSaleView(ctx, findSale(ctx, sale.saleId)), copy);
  const returned = sql(ctx.db, 'SELECT return_id AS returnId FROM returns WHERE receipt_number = ?').get(
    receiptNumber,
  ) as { returnId: string } | undefined;
  if (returned) return returnReceipt(ctx, returnView(ctx, returned.returnId), copy);
  throw new DomainError(
    'NOT_FOUND',
    `There is no sale or return with receipt number ${receiptNumber} on this node.`,
    {
      receiptNumber,
    },
  );
}

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

const PAYMENT_LABELS: Readonly<Record<string, string>> = {
  cash: 'Cash',
  card: 'Card',
  store_credit: 'Store credit',
  gift_card: 'Gift card',
  loyalty_points: 'Points',
};

/** An 80 mm thermal receipt as a self-contained HTML page (72 mm printable width, no external assets). */
export function renderReceiptHtml(receipt: Receipt): string {
  const amount = (minorUnits: number) =>
    escapeHtml(formatMoney(money(minorUnits, receipt.currency), receipt.locale));
  const quantity = (unit: 'each' | 'kg', qty: number) =>
    unit === 'kg'
      ? `${new Intl.NumberFormat(receipt.locale, { minimumFractionDigits: 3, maximumFractionDigits: 3 }).format(qty / 1000)} kg`
      : String(qty);
  const when = new Intl.DateTimeFormat(receipt.locale, {
    dateStyle: 'short',
    timeStyle: 'short',
    timeZone: receipt.timezone,
  }).format(new Date(receipt.issuedAt));
  const row = (label: string, value: string, className = '') =>
    `<tr class="${className}"><td>${label}</td><td class="r">${value}</td></tr>`;
  const refund = receipt.kind === 'return';
  const lines = receipt.lines
    .map((line) => {
      const detail =
        line.unitPrice === null
          ? `${quantity(line.unit, line.qty)}`
          : line.unit === 'kg'
            ? `${quantity(line.unit, line.qty)} × ${amount(line.unitPrice)}/kg`
            : `${line.qty} × ${amount(line.unitPrice)}`;
      return [
        row(escapeHtml(line.name), amount(line.amount), 'item'),
        `<tr class="detail"><td colspan="2">${detail}${line.note ? ` · ${escapeHtml(line.note)}` : ''}</td></tr>`,
        ...line.adjustments.map((adjustment) =>
          row(`&nbsp;&nbsp;${escapeHtml(adjustment.label)}`, amount(adjustment.amount), 'adjustment'),
        ),
      ].join('');
    })
    .join('');
  const totals = [
    receipt.totals.discount !== 0 ? row('Subtotal', amount(receipt.totals.subtotal)) : '',
    receipt.totals.discount !== 0
      ? row('Discounts', amount(negate(money(receipt.totals.discount, receipt.currency)).amount))
      : '',
    row(refund ? 'REFUND TOTAL' : 'TOTAL', amount(receipt.totals.total), 'total'),
    receipt.totals.cashRounding !== 0 ? row('Cash rounding', amount(receipt.totals.cashRounding)) : '',
  ].join('');
  const payments = receipt.payments
    .map((payment) =>
      [
        row(
          `${refund ? 'Refunded to ' : ''}${escapeHtml(PAYMENT_LABELS[payment.type] ?? payment.type)}${payment.reference ? ` <span class="ref">${escapeHtml(payment.reference)}</span>` : ''}`,
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
  const promotions =
    receipt.promotions.length === 0
      ? ''
      : `<p class="savings">You saved ${amount(
          sum(
            receipt.promotions.map((promotion) => money(promotion.total, receipt.currency)),
            receipt.currency,
          ).amount,
        )} with ${receipt.promotions.map((promotion) => escapeHtml(promotion.name)).join(', ')}.</p>`;
  const banners = [
    receipt.copy ? '<p class="banner">COPY — NOT A PROOF OF PURCHASE</p>' : '',
    receipt.voided ? '<p class="banner">VOID</p>' : '',
    refund ? '<p class="banner">REFUND</p>' : '',
  ].join('');
  return `<!doctype html>
<html lang="${escapeHtml(receipt.locale)}"><head><meta charset="utf-8"><title>Receipt ${escapeHtml(receipt.receiptNumber)}</title>
<style>
@page { size: 80mm auto; margin: 0; }
body { width: 72mm; margin: 0 4mm; font: 11px/1.35 ui-monospace, 'DejaVu Sans Mono', monospace; color: #000; }
h1 { font-size: 14px; text-align: center; margin: 6px 0 0; }
p { margin: 2px 0; } .c { text-align: center; } .r { text-align: right; white-space: nowrap; }
table { width: 100%; border-collapse: collapse; } td, th { padding: 0; vertical-align: top; }
.detail td, .adjustment td, .ref { font-size: 10px; } .total td { font-weight: bold; font-size: 13px; border-top: 1px dashed #000; }
.banner { text-align: center; font-weight: bold; border: 2px solid #000; margin: 4px 0; }
.taxes { margin-top: 6px; font-size: 10px; } .taxes th { text-align: left; border-bottom: 1px dashed #000; }
.barcode { text-align: center; margin-top: 6px; } .barcode svg { max-width: 100%; height: 40px; }
</style></head><body>
<h1>${escapeHtml(receipt.store.name ?? receipt.store.code)}</h1>
<p class="c">Store ${escapeHtml(receipt.store.code)} · Till ${receipt.deviceNo}</p>
<p class="c">${escapeHtml(when)}</p>
${banners}
<p>Receipt ${escapeHtml(receipt.receiptNumber)}${receipt.originalReceiptNumber ? ` · for ${escapeHtml(receipt.originalReceiptNumber)}` : ''}</p>
${receipt.staffName ? `<p>Served by ${escapeHtml(receipt.staffName)}</p>` : ''}
<table class="lines">${lines}</table>
<table class="totals">${totals}${payments}</table>
${taxes}
${promotions}
${receipt.loyalty ? `<p>Points earned ${receipt.loyalty.earned}, redeemed ${receipt.loyalty.redeemed}</p>` : ''}
${receipt.notes.map((note) => `<p class="note">${escapeHtml(note)}</p>`).join('')}
<div class="barcode">${code128Svg(receipt.barcode.value)}<p>${escapeHtml(receipt.barcode.value)}</p></div>
<p class="c">Thank you</p>
</body></html>
`;
}
