import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MESSAGES } from './messages';
import { createErrorText } from '@retail/i18n';
import { errorText, t } from './translate';

describe('translate', () => {
  describe('t', () => {
    it('fills placeholders and keeps one it was not given', () => {
      expect(t('tender.cashQuick', { amount: '€5.00' })).toBe('Cash €5.00');
      expect(t('tender.cashQuick')).toBe('Cash {amount}');
    });

    it('picks the plural form of the count, so one item is never "1 items"', () => {
      expect(t('stock.done.receive', { lines: 1 })).toBe('Received 1 item.');
      expect(t('stock.done.receive', { lines: 3 })).toBe('Received 3 items.');
      expect(t('stock.done.receive', { lines: 0 })).toBe('Received 0 items.');
      expect(t('bopis.summary', { lines: 1, units: 2, age: '5 min' })).toBe(
        '1 line · 2 units · waiting 5 min',
      );
      expect(t('loyalty.points', { points: 1, pointsText: '1' })).toBe('1 point');
      expect(t('loyalty.points', { points: 12500, pointsText: '12,500' })).toBe('12,500 points');
    });

    it('leaves no plural syntax behind for any count in any message', () => {
      // Every message with a plural, each run (a sample of all keys missed most of them): its plurals' own
      // arguments get the count, whatever the message names them.
      const plurals = (Object.keys(MESSAGES) as (keyof typeof MESSAGES)[]).filter((key) =>
        MESSAGES[key].includes(', plural,'),
      );
      expect(plurals.length).toBeGreaterThan(0);
      for (const key of plurals) {
        const message: string = MESSAGES[key];
        const pluralArgs = [...message.matchAll(/\{(\w+), plural,/g)].map((match) => match[1]);
        // A plural shows its count where a branch says `#`; others only choose words by it ("Remove that
        // payment" / "Remove those payments").
        const showsCount = message.includes('#');
        fc.assert(
          fc.property(fc.integer({ min: 0, max: 1_000_000 }), (count) => {
            const values = Object.fromEntries(pluralArgs.map((name) => [name, count]));
            const text = t(key, { ...values, pointsText: String(count) });
            return !text.includes(', plural,') && (!showsCount || text.includes(String(count)));
          }),
          { numRuns: 30 },
        );
      }
    });
  });

  describe('errorText', () => {
    const body = {
      message: 'Receipt R-1 is not on this till.',
      key: 'sales.receiptNotTillHub',
      params: { wanted: 'R-1' },
    };

    it("shows the node's English sentence in English", () => {
      expect(errorText(body)).toBe('Receipt R-1 is not on this till.');
      expect(errorText({ message: 'No key.' })).toBe('No key.');
    });

    it('says a keyed error in the language a translation gives, and the English one for a key it lacks', () => {
      const german = createErrorText(
        { 'sales.receiptNotTillHub': 'Beleg {wanted} ist nicht auf dieser Kasse.' },
        'de',
      );
      expect(german(body)).toBe('Beleg R-1 ist nicht auf dieser Kasse.');
      expect(german({ ...body, key: 'sync.hubBusy' })).toBe(body.message);
      expect(german({ message: 'Legacy.' })).toBe('Legacy.');
    });
  });
});
