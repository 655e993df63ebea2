import { LoyaltyProgrammeSchema } from '@retail/domain';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { saleOf } from '../test-support/fixtures';
import { cardDoubts, looksLikeCardNumber, redemptionOverclaims, withoutCardNumbers } from './sale-events';

const programme = LoyaltyProgrammeSchema.parse({
  programmeId: 'rewards',
  currency: 'USD',
  returnWindowDays: 30,
  pointsExpiryDays: null,
  pointValue: { points: 100, value: { amount: 50, currency: 'USD' } },
  holdTtlMs: 60_000,
  offline: { maxSnapshotAgeMs: 1, perTransactionCapPoints: 0, perDeviceDayCapPoints: 0 },
  tiers: [{ tierId: 'base', name: 'Member', earnPoints: 1, earnPerMinor: 100, qualifyingPoints: 0 }],
});

function withTenders(tenders: ReturnType<typeof saleOf>['tenders']) {
  return { ...saleOf([{ sku: 'A', qty: 1 }]), tenders };
}

describe('ingest/sale-events: the sale’s claims', () => {
  describe('redemptionOverclaims', () => {
    it('finds a points tender that claims more than its points are worth, with both figures', () => {
      const sale = withTenders([
        { tenderId: 'fair', type: 'loyalty_points', points: 200, amount: 100 },
        { tenderId: 'forged', type: 'loyalty_points', points: 1, amount: 1_262 },
        { tenderId: 'generous', type: 'loyalty_points', points: 300, amount: 100 },
      ]);
      expect(redemptionOverclaims(sale, programme)).toEqual([
        { tenderId: 'forged', points: 1, claimed: 1_262, worth: 0, currency: 'USD' },
      ]);
    });

    it('counts points as worth nothing without a programme in the sale’s currency', () => {
      const sale = withTenders([{ tenderId: 't', type: 'loyalty_points', points: 200, amount: 100 }]);
      expect(redemptionOverclaims(sale, null)).toHaveLength(1);
      expect(redemptionOverclaims({ ...sale, currency: 'EUR' }, programme)).toHaveLength(1);
    });
  });

  describe('looksLikeCardNumber', () => {
    it('answers as the Luhn check of the string without its spaces and hyphens, whatever the string', () => {
      const luhnAfterSeparators = (reference: string) => {
        const digits = reference.replace(/[\s-]/g, '');
        if (!/^\d{13,19}$/.test(digits)) return false;
        let total = 0;
        for (let index = 0; index < digits.length; index += 1) {
          let digit = Number(digits[digits.length - 1 - index]);
          if (index % 2 === 1) digit = digit * 2 > 9 ? digit * 2 - 9 : digit * 2;
          total += digit;
        }
        return total % 10 === 0;
      };
      const cardish = fc
        .array(fc.constantFrom(...'0123456789', ' ', '-', '\t', '\u00a0', '\u2028', 'x', '٣'), {
          minLength: 10,
          maxLength: 24,
        })
        .map((characters) => characters.join(''));
      fc.assert(
        fc.property(fc.oneof(cardish, fc.string({ unit: 'binary', maxLength: 30 })), (reference) => {
          expect(looksLikeCardNumber(reference)).toBe(luhnAfterSeparators(reference));
        }),
        { numRuns: 5000 },
      );
    });

    it('knows test card numbers and leaves terminal references alone', () => {
      expect(looksLikeCardNumber('4111 1111 1111 1111')).toBe(true);
      expect(looksLikeCardNumber('5500-0000-0000-0004')).toBe(true);
      expect(looksLikeCardNumber('4111 1111 1111 1112')).toBe(false);
      expect(looksLikeCardNumber('AUTH-123456')).toBe(false);
      expect(looksLikeCardNumber('123456')).toBe(false);
    });

    it('agrees with the Luhn check digit on every 16-digit number', () => {
      fc.assert(
        fc.property(fc.array(fc.integer({ min: 0, max: 9 }), { minLength: 15, maxLength: 15 }), (body) => {
          const sum = body
            .slice()
            .reverse()
            .reduce((total, digit, index) => {
              const doubled = index % 2 === 0 ? digit * 2 : digit;
              return total + (doubled > 9 ? doubled - 9 : doubled);
            }, 0);
          const check = (10 - (sum % 10)) % 10;
          const number = [...body, check].join('');
          expect(looksLikeCardNumber(number)).toBe(true);
          expect(looksLikeCardNumber([...body, (check + 1) % 10].join(''))).toBe(false);
        }),
      );
    });
  });

  describe('cardDoubts', () => {
    it('flags a missing, repeated or card-number reference and masks the card number', () => {
      const sale = withTenders([
        { tenderId: 'none', type: 'card', amount: 1 },
        { tenderId: 'pan', type: 'card', amount: 1, reference: '4111111111111111' },
        { tenderId: 'one', type: 'card', amount: 1, reference: 'ref-9' },
        { tenderId: 'two', type: 'card', amount: 1, reference: 'REF-9' },
        { tenderId: 'old', type: 'card', amount: 1, reference: 'ref-7' },
        { tenderId: 'cash', type: 'cash', amount: 1 },
      ]);
      const doubts = cardDoubts(sale, (reference) => (reference === 'REF-7' ? ['earlier-sale'] : []));
      expect(doubts.map((doubt) => [doubt.tenderId, doubt.reference, doubt.otherSales])).toEqual([
        ['none', '', []],
        ['pan', '****1111', []],
        ['two', 'REF-9', []],
        ['old', 'REF-7', ['earlier-sale']],
      ]);
      expect(JSON.stringify(doubts)).not.toContain('4111111111111111');
    });
  });

  describe('withoutCardNumbers', () => {
    it('keeps only the last digits of a card number in tenders and refunds, and nothing else changes', () => {
      const event = {
        eventId: 'e',
        payload: {
          tenders: [
            { tenderId: 'a', type: 'card', reference: '4111-1111-1111-1111' },
            { tenderId: 'b', type: 'card', reference: 'AUTH-1' },
          ],
          refunds: [{ tenderId: 'c', type: 'card', reference: '5500000000000004' }],
        },
      };
      expect(withoutCardNumbers(event)).toEqual({
        eventId: 'e',
        payload: {
          tenders: [
            { tenderId: 'a', type: 'card', reference: '****1111' },
            { tenderId: 'b', type: 'card', reference: 'AUTH-1' },
          ],
          refunds: [{ tenderId: 'c', type: 'card', reference: '****0004' }],
        },
      });
      const clean = { eventId: 'f', payload: { tenders: [{ reference: 'AUTH-2' }] } };
      expect(withoutCardNumbers(clean)).toBe(clean);
    });
  });
});
