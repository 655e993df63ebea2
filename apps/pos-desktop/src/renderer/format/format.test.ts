import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createStoreFormat } from './format';

const fr = createStoreFormat({ locale: 'fr-FR', currency: 'EUR', timezone: 'Europe/Paris' });
const us = createStoreFormat({ locale: 'en-US', currency: 'USD', timezone: 'America/New_York' });
const jp = createStoreFormat({ locale: 'ja-JP', currency: 'JPY', timezone: 'Asia/Tokyo' });

describe('format', () => {
  describe('money', () => {
    it('writes amounts the way the store locale does', () => {
      expect(fr.money(123456).replace(/\s/g, ' ')).toBe('1 234,56 €');
      expect(us.money(-500)).toBe('-$5.00');
      expect(jp.money(1500)).toBe('￥1,500');
    });
  });

  describe('age', () => {
    it('says how old a balance is in the largest whole unit of the store language', () => {
      expect(us.age(0)).toBe('now');
      expect(us.age(45_000)).toBe('45 seconds ago');
      expect(us.age(5 * 60_000 + 59_000)).toBe('5 minutes ago');
      expect(us.age(3 * 3_600_000)).toBe('3 hours ago');
      expect(us.age(86_400_000)).toBe('yesterday');
      expect(fr.age(2 * 86_400_000)).toBe('avant-hier');
    });

    it('never says a balance is from the future, whatever the clocks did', () => {
      fc.assert(fc.property(fc.integer({ min: -1e12, max: 1e12 }), (ms) => !us.age(ms).startsWith('in ')));
    });
  });

  describe('count', () => {
    it('groups points the way the store locale does', () => {
      expect(us.count(12500)).toBe('12,500');
      expect(fr.count(12500).replace(/\s/g, ' ')).toBe('12 500');
    });
  });

  describe('parseMoney', () => {
    it('reads dot or comma decimals and grouping spaces into minor units', () => {
      expect(fr.parseMoney('12,5')).toBe(1250);
      expect(fr.parseMoney('1 200')).toBe(120000);
      expect(us.parseMoney('12.')).toBe(1200);
      expect(jp.parseMoney('1500')).toBe(1500);
    });

    it('refuses what is not an amount of the currency', () => {
      for (const text of ['', 'abc', '1.2.3', '-5', '12.345', '1,2,3'])
        expect(us.parseMoney(text)).toBeNull();
      expect(jp.parseMoney('15.5')).toBeNull();
    });

    it('reads back every amount it writes as an input', () => {
      fc.assert(
        fc.property(
          fc.integer({ min: 0, max: 10 ** 12 }),
          (minor) => us.parseMoney(us.moneyInput(minor)) === minor,
        ),
      );
    });
  });

  describe('quantity', () => {
    it('shows pieces as a count and grams as exact kilograms', () => {
      expect(us.quantity(3, 'each')).toBe('3');
      expect(us.quantity(532, 'kg')).toBe('0.532 kg');
      expect(fr.quantity(1250, 'kg').replace(/\s/g, ' ')).toBe('1,250 kg');
    });
  });

  describe('parseKilograms', () => {
    it('turns kilograms into grams, refusing zero and more than three decimals', () => {
      expect(fr.parseKilograms('0,532')).toBe(532);
      expect(fr.parseKilograms('2')).toBe(2000);
      expect(fr.parseKilograms('0')).toBeNull();
      expect(fr.parseKilograms('0.5321')).toBeNull();
    });

    it('reads back every weight it writes as an input', () => {
      fc.assert(
        fc.property(
          fc.integer({ min: 1, max: 9_999_999 }),
          (grams) => fr.parseKilograms(fr.kilogramsInput(grams)) === grams,
        ),
      );
    });
  });

  describe('dateTime', () => {
    it('shows times in the store time zone, not the machine one', () => {
      expect(fr.time('2026-11-23T10:00:00.000Z')).toBe('11:00');
      expect(us.time('2026-11-23T10:00:00.000Z')).toBe('5:00 AM');
    });

    it('writes the UTC instants inside a node sentence in the store time zone', () => {
      expect(fr.localInstants('Not collected by 2026-12-09T00:58:19.160Z.')).toBe(
        `Not collected by ${fr.dateTime('2026-12-09T00:58:19.160Z')}.`,
      );
      expect(fr.localInstants('Not collected by 2026-12-09T00:58:19.160Z.')).toContain('09/12/2026');
      expect(fr.localInstants('Order W-1 at store-2, no time here.')).toBe(
        'Order W-1 at store-2, no time here.',
      );
    });
  });
});
