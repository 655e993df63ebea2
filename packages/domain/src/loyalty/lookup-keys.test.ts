import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { errorOf } from '../test-support';
import {
  customerLookupKeys,
  lookupKeyCandidates,
  normalizeCardNumber,
  normalizeEmail,
  normalizePhone,
} from './lookup-keys';

describe('lookup-keys', () => {
  describe('normalizePhone', () => {
    it('finds one number however a UK cashier types it', () => {
      const uk = { defaultCountryCode: '44' };
      expect(normalizePhone('+44 20 7946 0958', uk)).toBe('+442079460958');
      expect(normalizePhone('0044 20 7946 0958', uk)).toBe('+442079460958');
      expect(normalizePhone('020 7946 0958', uk)).toBe('+442079460958');
      expect(normalizePhone('+44 (0)20 7946-0958', uk)).toBe('+442079460958');
      expect(normalizePhone(' (020) 7946.0958 ', uk)).toBe('+442079460958');
    });

    it('keeps an explicit country code over the store default', () => {
      expect(normalizePhone('+49 151 2345 6789', { defaultCountryCode: '44' })).toBe('+4915123456789');
    });

    it('asks for the country code when a national number is typed and the store has no default', () => {
      const error = errorOf(() => normalizePhone('020 7946 0958'));
      expect(error.code).toBe('INVALID_INPUT');
      expect(error.message).toContain('has no country code');
    });

    it('refuses a store default country code that is not 1–3 digits', () => {
      expect(errorOf(() => normalizePhone('020 7946 0958', { defaultCountryCode: '+44' })).code).toBe(
        'INVALID_INPUT',
      );
    });

    it('refuses letters, too few and too many digits', () => {
      for (const bad of ['+44 20 CALL ME', '+44 123', '+1234567890123456', '+0 1234 5678', '']) {
        expect(errorOf(() => normalizePhone(bad)).message).toMatch(/phone number|country code/);
      }
    });

    it('is idempotent on its own output', () => {
      fc.assert(
        fc.property(fc.stringMatching(/^\+[1-9]\d{6,14}$/), (phone) => {
          expect(normalizePhone(normalizePhone(phone))).toBe(normalizePhone(phone));
        }),
        { numRuns: 100 },
      );
    });
  });

  describe('normalizeEmail', () => {
    it('trims and lowercases', () => {
      expect(normalizeEmail('  Ada.Lovelace@Example.COM ')).toBe('ada.lovelace@example.com');
    });

    it('refuses what cannot be an address', () => {
      for (const bad of [
        'ada',
        'ada@',
        '@example.com',
        'ada@example',
        'a b@example.com',
        'ada@@example.com',
        'ada..l@example.com',
      ]) {
        expect(errorOf(() => normalizeEmail(bad)).code).toBe('INVALID_INPUT');
      }
      expect(errorOf(() => normalizeEmail(`${'a'.repeat(250)}@example.com`)).code).toBe('INVALID_INPUT');
    });
  });

  describe('normalizeCardNumber', () => {
    it('drops spaces and dashes and uppercases', () => {
      expect(normalizeCardNumber(' lc-1234 5678 ')).toBe('LC12345678');
    });

    it('refuses too short, too long and punctuation', () => {
      for (const bad of ['12345', 'X'.repeat(33), 'LC#123456']) {
        expect(errorOf(() => normalizeCardNumber(bad)).message).toContain('scan the card again');
      }
    });
  });

  describe('lookupKeyCandidates', () => {
    it('treats anything with @ as an email only', () => {
      expect(lookupKeyCandidates('Ada@Example.com')).toEqual([
        { kind: 'email', value: 'ada@example.com', key: 'email:ada@example.com' },
      ]);
    });

    it('searches digits as both a phone number and a card number', () => {
      expect(lookupKeyCandidates('07700 900123', { defaultCountryCode: '44' }).map((key) => key.key)).toEqual(
        ['phone:+447700900123', 'card:07700900123'],
      );
    });

    it('searches letters and digits as a card number only', () => {
      expect(lookupKeyCandidates('LC-000123').map((key) => key.key)).toEqual(['card:LC000123']);
    });

    it('says what was typed is none of the three', () => {
      const error = errorOf(() => lookupKeyCandidates('??'));
      expect(error.code).toBe('INVALID_INPUT');
      expect(error.message).toContain('not a phone number, email address or loyalty card number');
    });
  });

  describe('customerLookupKeys', () => {
    it('lists the keys a customer and card are found by', () => {
      expect(
        customerLookupKeys({ phone: '+447700900123', email: 'ada@example.com', cardNumber: 'LC000123' }).map(
          (key) => key.key,
        ),
      ).toEqual(['phone:+447700900123', 'email:ada@example.com', 'card:LC000123']);
      expect(customerLookupKeys({})).toEqual([]);
    });
  });
});
