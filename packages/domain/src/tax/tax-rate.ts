import { z } from 'zod';
import { DomainError, invalid } from '../errors';
import { isExactPercent } from '../money';

/**
 * A tax rate as HQ publishes it to stores. Rates are simple (never compounded): when several rates apply
 * to a line (state + county + city), each is a percentage of the same net amount, so the combined rate is
 * the plain sum of the percents. Jurisdictions that tax tax-on-tax are not modelled.
 */

/** Sales tax above 1000 % does not exist; a bigger number is a typo in the rate table. */
export const MAX_TAX_PERCENT = 1000;

const id = z.string().min(1).max(100);
const epochMs = z.number().int().safe();

export const TaxRateSchema = z
  .object({
    rateId: id,
    name: z.string().min(1).max(100),
    jurisdictionId: id,
    taxCategory: id,
    percent: z
      .number()
      .min(0)
      .max(MAX_TAX_PERCENT)
      .refine(isExactPercent, { message: 'A tax percent has at most 4 decimal places (e.g. 8.875).' }),
    /** Inclusive start of the window, epoch ms. Absent: always started. */
    startsAt: epochMs.optional(),
    /** Exclusive end of the window, epoch ms: at `endsAt` the rate no longer applies. Absent: open-ended. */
    endsAt: epochMs.optional(),
  })
  .refine((rate) => rate.startsAt === undefined || rate.endsAt === undefined || rate.startsAt < rate.endsAt, {
    message: 'A tax rate must start before it ends.',
    path: ['endsAt'],
  });

export type TaxRate = z.infer<typeof TaxRateSchema>;

/** What the tax arithmetic needs from a rate; a stored sale line's tax rows also fit this shape. */
export type TaxRateRef = Pick<TaxRate, 'rateId' | 'name' | 'percent'>;

export interface TaxContext {
  /**
   * The jurisdiction the sale happens in, or every nested jurisdiction the store sits in (state, county,
   * city), so that rates HQ filed under each of them apply together.
   */
  readonly jurisdictionId: string | readonly string[];
  readonly taxCategory: string;
  /** Epoch ms of the sale. */
  readonly at: number;
}

export function isRateInEffect(rate: Pick<TaxRate, 'startsAt' | 'endsAt'>, at: number): boolean {
  return (
    (rate.startsAt === undefined || rate.startsAt <= at) && (rate.endsAt === undefined || at < rate.endsAt)
  );
}

/**
 * Every rate that applies to a tax category in a jurisdiction at a moment, sorted by rateId so the result
 * (and therefore how inclusive tax is split between rates) does not depend on the order HQ sent them in.
 * An empty list means the category is untaxed there. Two records of the same rateId in effect at once
 * would charge that tax twice, so that is refused as a conflict in the rate table.
 */
export function ratesFor(rates: readonly TaxRate[], context: TaxContext): TaxRate[] {
  if (!Number.isSafeInteger(context.at)) {
    throw invalid('tax.saleTimeMustWhole', {}, { at: context.at });
  }
  const jurisdictions = new Set(
    typeof context.jurisdictionId === 'string' ? [context.jurisdictionId] : context.jurisdictionId,
  );
  const applicable = rates.filter(
    (rate) =>
      jurisdictions.has(rate.jurisdictionId) &&
      rate.taxCategory === context.taxCategory &&
      isRateInEffect(rate, context.at),
  );
  applicable.sort((a, b) => (a.rateId < b.rateId ? -1 : a.rateId > b.rateId ? 1 : 0));
  for (let index = 1; index < applicable.length; index += 1) {
    const previous = applicable[index - 1];
    const current = applicable[index];
    if (previous && current && previous.rateId === current.rateId) {
      throw new DomainError(
        'CONFLICT',
        'tax.taxRateEffectTwice',
        { rateId: current.rateId, taxCategory: context.taxCategory },
        { rateId: current.rateId, taxCategory: context.taxCategory },
      );
    }
  }
  return applicable;
}
