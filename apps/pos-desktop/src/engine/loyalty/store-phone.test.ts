import { describe, expect, it } from 'vitest';
import { createTestNode } from '../testing/test-node';
import { nationalPhoneToE164, storeCountry, storeRegion } from './store-phone';

describe('engine/loyalty/store-phone', () => {
  describe('storeRegion', () => {
    it('takes the country from the store locale, and none from a locale without a region', () => {
      expect(storeRegion('fr-FR')).toBe('FR');
      expect(storeRegion('en-IE')).toBe('IE');
      expect(storeRegion('en')).toBeUndefined();
    });
  });

  describe('storeCountry', () => {
    it('takes the country HQ set for the store over the locale, and ignores one it cannot read', () => {
      const node = createTestNode();
      try {
        const db = node.engine.db;
        const setCountry = (value: unknown) =>
          db
            .prepare('INSERT OR REPLACE INTO config (key, data) VALUES (?, ?)')
            .run('pos.store.country', JSON.stringify({ key: 'pos.store.country', value }));
        expect(storeCountry(db, 'en-US')).toBe('US');
        setCountry('IE');
        expect(storeCountry(db, 'en-US')).toBe('IE');
        expect(nationalPhoneToE164('086 123 4567', storeCountry(db, 'en-US'))).toBe('+353861234567');
        setCountry('ireland');
        expect(storeCountry(db, 'en-US')).toBe('US');
      } finally {
        node.close();
      }
    });
  });

  describe('nationalPhoneToE164', () => {
    it('reads national numbers by the country’s own trunk rules', () => {
      expect(nationalPhoneToE164('06 12 34 56 78', 'FR')).toBe('+33612345678');
      expect(nationalPhoneToE164('086 123 4567', 'IE')).toBe('+353861234567');
      // Italy keeps the leading 0 of a landline number after its country code.
      expect(nationalPhoneToE164('06 1234 5678', 'IT')).toBe('+390612345678');
    });

    it('leaves numbers with a country code, words and impossible lengths to the domain', () => {
      expect(nationalPhoneToE164('+33 6 12 34 56 78', 'FR')).toBeUndefined();
      expect(nationalPhoneToE164('0033 6 12 34 56 78', 'FR')).toBeUndefined();
      expect(nationalPhoneToE164('LOY123456', 'FR')).toBeUndefined();
      expect(nationalPhoneToE164('06 12', 'FR')).toBeUndefined();
      expect(nationalPhoneToE164('06 12 34 56 78', undefined)).toBeUndefined();
    });
  });
});
