import { invalid } from '../errors';
import {
  DEFAULT_ROUNDING,
  add,
  allocate,
  divideRounded,
  money,
  percentToScaled,
  percentage,
  subtract,
  sum,
  type Money,
  type RoundingMode,
} from '../money';
import type { TaxRateRef } from './tax-rate';

/** Percents are scaled by 10^4 (money.percentToScaled), so 100 % is 1,000,000. */
const HUNDRED_PERCENT_SCALED = 100n * 10_000n;

export interface RateTax {
  readonly rateId: string;
  readonly name: string;
  readonly percent: number;
  readonly amount: Money;
}

export interface LineTaxResult {
  readonly inclusive: boolean;
  /** Taxable amount: the price without tax. */
  readonly net: Money;
  readonly tax: Money;
  /** net + tax, exactly. */
  readonly gross: Money;
  /** One row per rate, in the order of the rates given; the amounts sum exactly to `tax`. */
  readonly taxes: readonly RateTax[];
}

export interface LineTaxOptions {
  /** true: `amount` is the shelf price including tax (tax-inclusive price book). */
  readonly inclusive: boolean;
  /** How each rounding step rounds; HALF_UP by default. */
  readonly rounding?: RoundingMode;
}

function scaledPercents(rates: readonly TaxRateRef[]): bigint[] {
  const seen = new Set<string>();
  return rates.map((rate) => {
    if (seen.has(rate.rateId)) {
      throw invalid(
        'tax.taxRateListedTwice',
        { rateId: rate.rateId },
        {
          rateId: rate.rateId,
        },
      );
    }
    seen.add(rate.rateId);
    const scaled = percentToScaled(rate.percent);
    if (scaled < 0n) {
      throw invalid('tax.taxRateNegativePercent', { rateId: rate.rateId }, { rateId: rate.rateId });
    }
    return scaled;
  });
}

/**
 * Tax of one line, rounded per line (never per unit, never per receipt).
 *
 * Exclusive (`amount` is net): each rate's tax is round(net × percent) on its own, so every row of the
 * breakdown is exactly what that rate yields; gross = net + Σ.
 *
 * Inclusive (`amount` is gross): net = round(gross × 100 / (100 + Σ percents)); the tax is gross − net,
 * split over the rates by largest remainder weighted by their percents, so net + Σ rows = gross exactly.
 *
 * Consistency of the two directions (reverse = this inclusive split, forward = exclusive tax of the net it
 * computed; k rates with combined rate P as a fraction, P < 2, i.e. under 200 %):
 * - totals: |Σ forward − Σ reverse| ≤ k, one minor unit per rate. Proof: the net is off the exact
 *   gross/(1+P) by e, |e| ≤ ½, so the reverse total is off the exact tax by e and the forward total by
 *   e·P plus ≤ ½ per rate; together < k/2 + (1+P)/2 < k + 1.
 * - per row: ≤ 1 for a single rate (same argument, < 1 + P/2 < 2); with several rates each row can also
 *   be off by its largest-remainder unit, so the proven bound is 2 (in practice 1 for ordinary rates).
 * The property tests in line-tax.test.ts hold the implementation to these bounds.
 */
export function computeLineTax(
  amount: Money,
  rates: readonly TaxRateRef[],
  options: LineTaxOptions,
): LineTaxResult {
  const base = money(amount.amount, amount.currency);
  const rounding = options.rounding ?? DEFAULT_ROUNDING;
  const percents = scaledPercents(rates);

  if (!options.inclusive) {
    const taxes = rates.map((rate) => ({
      rateId: rate.rateId,
      name: rate.name,
      percent: rate.percent,
      amount: percentage(base, rate.percent, rounding),
    }));
    const tax = sum(
      taxes.map((row) => row.amount),
      base.currency,
    );
    return { inclusive: false, net: base, tax, gross: add(base, tax), taxes };
  }

  const combined = percents.reduce((total, scaled) => total + scaled, 0n);
  const net = money(
    Number(
      divideRounded(
        BigInt(base.amount) * HUNDRED_PERCENT_SCALED,
        HUNDRED_PERCENT_SCALED + combined,
        rounding,
      ),
    ),
    base.currency,
  );
  const tax = subtract(base, net);
  const shares = rates.length === 0 ? [] : allocate(tax, percents);
  const taxes = rates.map((rate, index) => ({
    rateId: rate.rateId,
    name: rate.name,
    percent: rate.percent,
    amount: shares[index] ?? money(0, base.currency),
  }));
  return { inclusive: true, net, tax, gross: base, taxes };
}
