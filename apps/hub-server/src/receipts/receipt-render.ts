import { LegalHeaderSchema, formatMoney, money, type LegalHeader } from '@retail/domain';
import type { EventPayloads } from '@retail/sync';

/**
 * A receipt as an e-mail: plain text and a simple HTML version saying the same thing. Only what the
 * customer's paper receipt shows: the store, HQ's legal header, the lines, totals and payments, marked
 * with the receipt number. No internal ids (sale, line, tender, account, staff) and no card references.
 */

export interface ReceiptStore {
  readonly code: string;
  readonly name: string;
  readonly timezone: string;
}

export interface RenderedReceipt {
  readonly subject: string;
  readonly text: string;
  readonly html: string;
}

const PAYMENT_LABELS: Readonly<Record<EventPayloads['sale.completed']['tenders'][number]['type'], string>> = {
  cash: 'Cash',
  card: 'Card',
  store_credit: 'Store credit',
  gift_card: 'Gift card',
  loyalty_points: 'Points',
};

/** The legal header HQ set, or null while it set none (or the stored value no longer parses). */
export function legalHeaderOf(value: unknown): LegalHeader | null {
  const parsed = LegalHeaderSchema.safeParse(value);
  return parsed.success ? parsed.data : null;
}

function issuedAt(completedAt: string, timezone: string): string {
  const at = new Date(completedAt);
  try {
    return new Intl.DateTimeFormat('en-GB', {
      dateStyle: 'medium',
      timeStyle: 'short',
      timeZone: timezone,
    }).format(at);
  } catch {
    // A time zone this runtime does not know: UTC, said so, rather than no date.
    return `${at.toISOString().slice(0, 16).replace('T', ' ')} UTC`;
  }
}

function quantity(line: EventPayloads['sale.completed']['lines'][number]): string {
  return line.unit === 'kg' ? `${(line.qty / 1000).toFixed(3)} kg` : String(line.qty);
}

interface ReceiptRow {
  readonly label: string;
  readonly detail: string | null;
  readonly amount: string;
}

function receiptRows(sale: EventPayloads['sale.completed']) {
  const amount = (minor: number) => formatMoney(money(minor, sale.currency));
  const lines: ReceiptRow[] = [
    ...sale.lines.map((line) => ({
      label: line.name,
      detail:
        line.unit === 'kg'
          ? `${quantity(line)} × ${amount(line.unitPrice)}/kg`
          : line.qty === 1
            ? null
            : `${quantity(line)} × ${amount(line.unitPrice)}`,
      amount: amount(line.paid),
    })),
    ...(sale.giftCards ?? []).map((load) => ({
      label: `Gift card ${load.kind === 'activate' ? 'sold' : 'reloaded'} ${load.maskedNumber}`,
      detail: null,
      amount: amount(load.amount),
    })),
  ];
  const totals: ReceiptRow[] = [
    { label: 'Subtotal', detail: null, amount: amount(sale.totals.subtotal) },
    ...(sale.totals.discount === 0
      ? []
      : [{ label: 'Discount', detail: null, amount: amount(-Math.abs(sale.totals.discount)) }]),
    ...(sale.totals.cashRounding === 0
      ? []
      : [{ label: 'Cash rounding', detail: null, amount: amount(sale.totals.cashRounding) }]),
    { label: 'Total', detail: null, amount: amount(sale.totals.paid) },
    { label: 'of which tax', detail: null, amount: amount(sale.totals.tax) },
  ];
  const payments: ReceiptRow[] = [
    ...sale.tenders.map((tender) => ({
      label: PAYMENT_LABELS[tender.type],
      detail:
        tender.type === 'loyalty_points' && tender.points !== undefined ? `${tender.points} points` : null,
      amount: amount(tender.tendered ?? tender.amount),
    })),
    ...(sale.totals.change === 0
      ? []
      : [{ label: 'Change', detail: null, amount: amount(sale.totals.change) }]),
  ];
  return { lines, totals, payments };
}

function escapeHtml(text: string): string {
  return text
    .replaceAll('&', '&amp;')
    .replaceAll('<', '&lt;')
    .replaceAll('>', '&gt;')
    .replaceAll('"', '&quot;')
    .replaceAll("'", '&#39;');
}

export function renderReceiptEmail(
  sale: EventPayloads['sale.completed'],
  store: ReceiptStore,
  legal: LegalHeader | null,
  voided: boolean,
): RenderedReceipt {
  const { lines, totals, payments } = receiptRows(sale);
  const when = issuedAt(sale.completedAt, store.timezone);
  const legalLines =
    legal === null
      ? []
      : [legal.companyName, ...legal.address, `VAT ${legal.vatNumber}`, ...legal.extraLines];
  const title = `Receipt ${sale.receiptNumber}`;
  const notice = voided ? 'This sale was voided at the till after this receipt was issued.' : null;
  const subject = `Your receipt ${sale.receiptNumber} from ${store.name}`;

  const textRow = (row: ReceiptRow) => [
    `${row.label.padEnd(32)} ${row.amount.padStart(12)}`,
    ...(row.detail === null ? [] : [`  ${row.detail}`]),
  ];
  const text = [
    store.name,
    ...legalLines,
    '',
    title,
    when,
    ...(notice === null ? [] : ['', notice]),
    '',
    ...lines.flatMap(textRow),
    '',
    ...totals.flatMap(textRow),
    '',
    ...payments.flatMap(textRow),
    '',
    `Keep this e-mail as your receipt ${sale.receiptNumber}; quote the number for a return or exchange.`,
  ].join('\n');

  const htmlRows = (rows: readonly ReceiptRow[], strong = false) =>
    rows
      .map((row) => {
        const label =
          escapeHtml(row.label) + (row.detail === null ? '' : `<br><small>${escapeHtml(row.detail)}</small>`);
        const cells = `<td>${label}</td><td style="text-align:right">${escapeHtml(row.amount)}</td>`;
        return strong && row.label === 'Total'
          ? `<tr style="font-weight:bold">${cells}</tr>`
          : `<tr>${cells}</tr>`;
      })
      .join('');
  const html = [
    '<!doctype html><html><body style="font-family:sans-serif">',
    `<h1 style="font-size:1.2em">${escapeHtml(store.name)}</h1>`,
    legalLines.length === 0 ? '' : `<p>${legalLines.map(escapeHtml).join('<br>')}</p>`,
    `<h2 style="font-size:1em">${escapeHtml(title)}</h2>`,
    `<p>${escapeHtml(when)}</p>`,
    notice === null ? '' : `<p><strong>${escapeHtml(notice)}</strong></p>`,
    `<table style="border-collapse:collapse;min-width:20em">${htmlRows(lines)}</table>`,
    `<table style="border-collapse:collapse;min-width:20em;margin-top:1em">${htmlRows(totals, true)}</table>`,
    `<table style="border-collapse:collapse;min-width:20em;margin-top:1em">${htmlRows(payments)}</table>`,
    `<p>Keep this e-mail as your receipt ${escapeHtml(sale.receiptNumber)}; quote the number for a return or exchange.</p>`,
    '</body></html>',
  ].join('');
  return { subject, text: `${text}\n`, html };
}
