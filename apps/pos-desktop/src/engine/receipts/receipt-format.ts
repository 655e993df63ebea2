import { formatMoney, money, negate, sum } from '@retail/domain';
import type { Receipt } from '../../shared/commands';

/** Thermal paper rolls a receipt is laid out for. */
export const PAPER_WIDTHS = ['80mm', '58mm'] as const;
export type PaperWidth = (typeof PAPER_WIDTHS)[number];

/**
 * What each roll can print: 80 mm paper has 72 mm (576 dots) printable and 48 characters of the printer's
 * standard font A (12 × 24 dots); 58 mm paper has 48 mm (384 dots) and 32 characters.
 */
export const PAPER_LAYOUT: Readonly<Record<PaperWidth, { printableMm: number; columns: number }>> = {
  '80mm': { printableMm: 72, columns: 48 },
  '58mm': { printableMm: 48, columns: 32 },
};

const PAYMENT_LABELS: Readonly<Record<string, string>> = {
  cash: 'Cash',
  card: 'Card',
  store_credit: 'Store credit',
  exchange_credit: 'Exchange credit',
  gift_card: 'Gift card',
  loyalty_points: 'Points',
};

/**
 * The receipt's words and figures as plain text, shared by every layout (HTML for printers with a driver,
 * ESC/POS for those without) so both say exactly the same thing.
 */
export interface ReceiptText {
  amount(minorUnits: number): string;
  /** "3", or "1.250 kg" for weighed items. */
  quantity(unit: 'each' | 'kg', qty: number): string;
  /** "4 × €0.45", "1.250 kg × €24.90/kg", or the quantity alone when the line has no unit price. */
  lineDetail(line: Receipt['lines'][number]): string;
  readonly issuedAt: string;
  readonly storeTitle: string;
  readonly storeLine: string;
  paymentLabel(type: string): string;
  /** A payment or refund row's words: "Refunded to Points (152 points)", "Store credit SC-7K3M-…". */
  paymentText(payment: Receipt['payments'][number]): { label: string; reference: string | null };
  /** The legal header's lines (company, address, VAT number), empty while HQ has set none. */
  readonly legalLines: readonly string[];
  /** An exchange's returned items and what went back beyond the new items, as printed lines. */
  readonly exchange: {
    readonly heading: string;
    readonly lines: readonly { label: string; amount: number }[];
    readonly refunds: readonly { label: string; amount: number }[];
  } | null;
  /** Store credit this receipt issues, each printed as a slip the customer keeps. */
  readonly storeCreditSlips: readonly StoreCreditSlipText[];
  /** The total the promotions saved, when any applied. */
  readonly savings: string | null;
  readonly banners: readonly string[];
  readonly refund: boolean;
}

export interface StoreCreditSlipText {
  readonly heading: string;
  /** The short code that spends the credit, printed large. */
  readonly code: string;
  readonly value: string;
  readonly owner: string | null;
  readonly hint: string;
}

export function receiptText(receipt: Receipt): ReceiptText {
  const amount = (minorUnits: number) => formatMoney(money(minorUnits, receipt.currency), receipt.locale);
  const quantity = (unit: 'each' | 'kg', qty: number) =>
    unit === 'kg'
      ? `${new Intl.NumberFormat(receipt.locale, { minimumFractionDigits: 3, maximumFractionDigits: 3 }).format(qty / 1000)} kg`
      : String(qty);
  const refund = receipt.kind === 'return';
  return {
    amount,
    quantity,
    lineDetail(line) {
      if (line.unitPrice === null) return quantity(line.unit, line.qty);
      return line.unit === 'kg'
        ? `${quantity(line.unit, line.qty)} × ${amount(line.unitPrice)}/kg`
        : `${line.qty} × ${amount(line.unitPrice)}`;
    },
    issuedAt: new Intl.DateTimeFormat(receipt.locale, {
      dateStyle: 'short',
      timeStyle: 'short',
      timeZone: receipt.timezone,
    }).format(new Date(receipt.issuedAt)),
    storeTitle: receipt.store.name ?? receipt.store.code,
    storeLine: `Store ${receipt.store.code} · Till ${receipt.deviceNo}`,
    paymentLabel: (type) => PAYMENT_LABELS[type] ?? type,
    paymentText(payment) {
      const points =
        payment.points === null || payment.points === undefined ? '' : ` (${payment.points} points)`;
      return {
        label: `${refund ? 'Refunded to ' : ''}${PAYMENT_LABELS[payment.type] ?? payment.type}${points}`,
        reference: payment.reference,
      };
    },
    legalLines: receipt.legal
      ? [
          receipt.legal.companyName,
          ...receipt.legal.address,
          `VAT ${receipt.legal.vatNumber}`,
          ...receipt.legal.extraLines,
        ]
      : [],
    exchange: receipt.exchange
      ? {
          heading: `Exchange: returned from ${receipt.exchange.originalReceiptNumber} (return ${receipt.exchange.returnReceiptNumber})`,
          lines: receipt.exchange.lines.map((line) => ({
            label: `${line.name} × ${quantity(line.unit, line.qty)}`,
            amount: line.amount,
          })),
          refunds: receipt.exchange.refunds.map((refund) => ({
            label: `Refunded to ${PAYMENT_LABELS[refund.type] ?? refund.type}${
              refund.points === null ? '' : ` (${refund.points} points)`
            }${refund.reference === null ? '' : ` ${refund.reference}`}`,
            amount: refund.amount,
          })),
        }
      : null,
    storeCreditSlips: (receipt.storeCreditSlips ?? []).map((slip) => ({
      heading: 'STORE CREDIT',
      code: slip.code,
      value: `Value ${amount(slip.amount)}`,
      owner: slip.customerName === null ? null : `For ${slip.customerName}`,
      hint: 'Give this code to pay at any of our stores. Keep it safe: whoever has the code can spend it.',
    })),
    savings:
      receipt.promotions.length === 0
        ? null
        : `You saved ${amount(
            sum(
              receipt.promotions.map((promotion) => money(promotion.total, receipt.currency)),
              receipt.currency,
            ).amount,
          )} with ${receipt.promotions.map((promotion) => promotion.name).join(', ')}.`,
    banners: [
      ...(receipt.copy ? ['COPY — NOT A PROOF OF PURCHASE'] : []),
      ...(receipt.voided ? ['VOID'] : []),
      ...(refund ? ['REFUND'] : []),
    ],
    refund,
  };
}

/** The discount total as the (negative) amount a receipt prints. */
export function discountShown(receipt: Receipt): number {
  return negate(money(receipt.totals.discount, receipt.currency)).amount;
}
