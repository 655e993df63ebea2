import { describe, expect, it } from 'vitest';
import { DomainError } from '../errors';
import { money } from '../money';
import { quickCashAmounts } from './quick-cash';

const usd = (amount: number) => money(amount, 'USD');
const usNotesAndDollar = [100, 500, 1_000, 2_000, 5_000, 10_000];

describe('quick-cash', () => {
  describe('quickCashAmounts', () => {
    it('offers the exact amount and the next round amounts, ascending and without duplicates', () => {
      expect(quickCashAmounts(usd(1_345), usNotesAndDollar).map((amount) => amount.amount)).toEqual([
        1_345, 1_400, 1_500, 2_000, 5_000,
      ]);
    });

    it('does not repeat the exact amount when it is already round', () => {
      expect(quickCashAmounts(usd(2_000), usNotesAndDollar, 3).map((amount) => amount.amount)).toEqual([
        2_000, 5_000, 10_000,
      ]);
    });

    it('offers nothing when nothing is due', () => {
      expect(quickCashAmounts(usd(0), usNotesAndDollar)).toEqual([]);
    });

    it('refuses bad denominations and limits', () => {
      expect(() => quickCashAmounts(usd(100), [0])).toThrow(DomainError);
      expect(() => quickCashAmounts(usd(100), [2.5])).toThrow(/positive whole numbers/);
      expect(() => quickCashAmounts(usd(100), usNotesAndDollar, 0)).toThrow(/at least one/);
    });

    it('keeps the currency of the amount due', () => {
      expect(quickCashAmounts(money(1_080, 'JPY'), [1_000, 5_000])).toEqual([
        money(1_080, 'JPY'),
        money(2_000, 'JPY'),
        money(5_000, 'JPY'),
      ]);
    });
  });
});
