import { assertSameCurrency, money, sum, type CurrencyCode, type Money } from '../money';
import type { LineTaxResult } from './line-tax';

export interface TaxSummaryRow {
  readonly rateId: string;
  readonly name: string;
  readonly percent: number;
  /** Σ net of the lines this rate was charged on. */
  readonly taxable: Money;
  /** Σ of this rate's per-line tax: the receipt never re-rounds at the total. */
  readonly tax: Money;
}

export interface TaxSummary {
  readonly rows: readonly TaxSummaryRow[];
  /** Σ net of every line, taxed or not. */
  readonly net: Money;
  /** Σ net of lines with no rate at all (untaxed categories). */
  readonly untaxed: Money;
  /** Σ line tax = Σ rows' tax, exactly. */
  readonly tax: Money;
  readonly gross: Money;
}

/**
 * The receipt's tax breakdown per rate. Rows are keyed by rateId and percent together: a receipt that
 * mixes lines priced before and after a rate change shows both percents rather than one wrong one.
 * Rows are sorted by rateId then percent so the breakdown does not depend on line order.
 */
export function summarizeTax(lines: readonly LineTaxResult[], currency: CurrencyCode): TaxSummary {
  const reference = money(0, currency);
  const rows = new Map<
    string,
    { rateId: string; name: string; percent: number; taxable: Money[]; tax: Money[] }
  >();
  const untaxed: Money[] = [];
  for (const line of lines) {
    assertSameCurrency(reference, line.gross);
    if (line.taxes.length === 0) untaxed.push(line.net);
    for (const rateTax of line.taxes) {
      const key = `${rateTax.rateId}\u0000${rateTax.percent}`;
      const row = rows.get(key) ?? {
        rateId: rateTax.rateId,
        name: rateTax.name,
        percent: rateTax.percent,
        taxable: [],
        tax: [],
      };
      row.taxable.push(line.net);
      row.tax.push(rateTax.amount);
      rows.set(key, row);
    }
  }
  const summaryRows = [...rows.values()]
    .sort((a, b) => (a.rateId === b.rateId ? a.percent - b.percent : a.rateId < b.rateId ? -1 : 1))
    .map((row) => ({
      rateId: row.rateId,
      name: row.name,
      percent: row.percent,
      taxable: sum(row.taxable, currency),
      tax: sum(row.tax, currency),
    }));
  return {
    rows: summaryRows,
    net: sum(
      lines.map((line) => line.net),
      currency,
    ),
    untaxed: sum(untaxed, currency),
    tax: sum(
      lines.map((line) => line.tax),
      currency,
    ),
    gross: sum(
      lines.map((line) => line.gross),
      currency,
    ),
  };
}
