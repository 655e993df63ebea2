import { assertNever } from '../errors';
import { money, toDecimal, type CurrencyCode } from '../money';
import type { PromotionRule, SpendThresholdReward } from './promotion';

/**
 * Human wording for promotions: receipts, the till's "why this price" panel and HQ's audit views all show
 * these sentences, so they are generated from the rule itself and never drift from what was computed.
 */

const MS_PER_DAY = 86_400_000;

function pad(value: number, width: number): string {
  return String(value).padStart(width, '0');
}

/**
 * Epoch milliseconds as an ISO 8601 UTC instant (2026-03-01T09:00:00.000Z). The domain may not touch
 * `Date`, so this is the proleptic Gregorian civil-from-days conversion done by hand.
 */
export function formatInstantUtc(epochMs: number): string {
  const days = Math.floor(epochMs / MS_PER_DAY);
  const msOfDay = epochMs - days * MS_PER_DAY;
  const shifted = days + 719_468;
  const era = Math.floor(shifted / 146_097);
  const dayOfEra = shifted - era * 146_097;
  const yearOfEra = Math.floor(
    (dayOfEra -
      Math.floor(dayOfEra / 1460) +
      Math.floor(dayOfEra / 36_524) -
      Math.floor(dayOfEra / 146_096)) /
      365,
  );
  const dayOfYear = dayOfEra - (365 * yearOfEra + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100));
  const monthFromMarch = Math.floor((5 * dayOfYear + 2) / 153);
  const day = dayOfYear - Math.floor((153 * monthFromMarch + 2) / 5) + 1;
  const month = monthFromMarch < 10 ? monthFromMarch + 3 : monthFromMarch - 9;
  const year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0);
  const hours = Math.floor(msOfDay / 3_600_000);
  const minutes = Math.floor((msOfDay % 3_600_000) / 60_000);
  const seconds = Math.floor((msOfDay % 60_000) / 1000);
  const millis = msOfDay % 1000;
  return `${pad(year, 4)}-${pad(month, 2)}-${pad(day, 2)}T${pad(hours, 2)}:${pad(minutes, 2)}:${pad(seconds, 2)}.${pad(millis, 3)}Z`;
}

export function formatMinor(amount: number, currency: CurrencyCode): string {
  return toDecimal(money(amount, currency));
}

function describeReward(reward: SpendThresholdReward, currency: CurrencyCode): string {
  return 'percentOff' in reward
    ? `${reward.percentOff}% off`
    : `${formatMinor(reward.amountOff, currency)} off`;
}

/** A short title for the rule, e.g. "Buy 2 get 1 free", "3 for 10.00", "Spend 50.00, get 10% off". */
export function describeRule(rule: PromotionRule, currency: CurrencyCode): string {
  switch (rule.type) {
    case 'percent_off':
      return `${rule.percent}% off`;
    case 'amount_off':
      return `${formatMinor(rule.amount, currency)} off`;
    case 'buy_x_get_y':
      return rule.get.percentOff === 100
        ? `Buy ${rule.buy.qty} get ${rule.get.qty} free`
        : `Buy ${rule.buy.qty} get ${rule.get.qty} at ${rule.get.percentOff}% off`;
    case 'multi_buy':
      return `${rule.qty} for ${formatMinor(rule.price, currency)}`;
    case 'spend_threshold':
      return rule.threshold === 0
        ? `${describeReward(rule.reward, currency)} the order`
        : `Spend ${formatMinor(rule.threshold, currency)}, get ${describeReward(rule.reward, currency)}`;
    default:
      return assertNever(rule, 'promotion rule');
  }
}
