import { invalid } from '../errors';
import { money, type Money } from '../money';

/**
 * Amounts the till offers as one-tap cash buttons for `cashDue`: the exact amount, then the next amount
 * payable with each denomination (the next whole coin, the next 5, 10, 20 note...), ascending, without
 * duplicates, at most `limit` of them. Denominations are the store's notes and coins in minor units.
 */
export function quickCashAmounts(cashDue: Money, denominations: readonly number[], limit = 5): Money[] {
  const due = money(cashDue.amount, cashDue.currency);
  if (!Number.isSafeInteger(limit) || limit < 1) throw invalid('tenders.offerLeastQuickCash', {}, { limit });
  for (const denomination of denominations) {
    if (!Number.isSafeInteger(denomination) || denomination <= 0) {
      throw invalid('tenders.cashDenominationsMustPositive', {}, { denomination });
    }
  }
  if (due.amount <= 0) return [];
  const amounts = new Set<bigint>([BigInt(due.amount)]);
  const dueBig = BigInt(due.amount);
  for (const denomination of [...denominations].sort((a, b) => a - b)) {
    const step = BigInt(denomination);
    amounts.add(((dueBig + step - 1n) / step) * step);
  }
  return [...amounts]
    .sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))
    .slice(0, limit)
    .map((amount) => money(Number(amount), due.currency));
}
