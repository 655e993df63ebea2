import { currencyExponent } from '@retail/domain';

/**
 * Notes and coins in circulation per currency, in minor units, largest first: the rows of the cash count
 * at shift close and the steps of the quick cash buttons. A currency missing here is counted as one total.
 */
const DENOMINATIONS: Readonly<Record<string, readonly number[]>> = {
  EUR: [20000, 10000, 5000, 2000, 1000, 500, 200, 100, 50, 20, 10, 5, 2, 1],
  USD: [10000, 5000, 2000, 1000, 500, 200, 100, 25, 10, 5, 1],
  GBP: [5000, 2000, 1000, 500, 200, 100, 50, 20, 10, 5, 2, 1],
  CHF: [100000, 20000, 10000, 5000, 2000, 1000, 500, 200, 100, 50, 20, 10, 5],
  CAD: [10000, 5000, 2000, 1000, 500, 200, 100, 25, 10, 5],
  AUD: [10000, 5000, 2000, 1000, 500, 200, 100, 50, 20, 10, 5],
  NZD: [10000, 5000, 2000, 1000, 500, 200, 100, 50, 20, 10],
  JPY: [10000, 5000, 2000, 1000, 500, 100, 50, 10, 5, 1],
  SEK: [100000, 50000, 20000, 10000, 5000, 2000, 1000, 500, 200, 100],
  NOK: [100000, 50000, 20000, 10000, 5000, 2000, 1000, 500, 100],
  DKK: [100000, 50000, 20000, 10000, 5000, 2000, 1000, 500, 200, 100, 50],
  PLN: [50000, 20000, 10000, 5000, 2000, 1000, 500, 200, 100, 50, 20, 10, 5, 2, 1],
  CZK: [500000, 200000, 100000, 50000, 20000, 10000, 5000, 2000, 1000, 500, 200, 100],
};

export function denominationsFor(currency: string): readonly number[] {
  return DENOMINATIONS[currency] ?? [];
}

/** The steps a quick cash button rounds up to: whole units and notes, never small change. */
export function quickCashSteps(currency: string): number[] {
  const unit = 10 ** currencyExponent(currency);
  const steps = denominationsFor(currency).filter((value) => value >= unit);
  return steps.length > 0 ? steps : [unit, unit * 5, unit * 10, unit * 20, unit * 50];
}
