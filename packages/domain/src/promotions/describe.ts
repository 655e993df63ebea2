import { assertNever } from '../errors';
import { money, toDecimal, type CurrencyCode } from '../money';
import type { PromotionRule, SpendThresholdReward } from './promotion';

/**
 * Human wording for promotions: receipts, the till's "why this price" panel and HQ's audit views all show
 * these sentences, so they are generated from the rule itself and never drift from what was computed.
 */

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
