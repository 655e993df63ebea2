import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DomainError } from '../errors';
import { nextPriceChangeAt, parsePriceBookVersionTag, priceBookVersionTag } from './price-schedule';

describe('price-schedule', () => {
  describe('nextPriceChangeAt', () => {
    const books = [
      { startsAt: 100, endsAt: 200 },
      { startsAt: 150 },
      { endsAt: 400 },
      { startsAt: 50, endsAt: 120, active: false },
      {},
    ];

    it('returns the earliest start or end strictly after the time', () => {
      expect(nextPriceChangeAt(books, 0)).toBe(100);
      expect(nextPriceChangeAt(books, 99)).toBe(100);
      expect(nextPriceChangeAt(books, 100)).toBe(150);
      expect(nextPriceChangeAt(books, 150)).toBe(200);
      expect(nextPriceChangeAt(books, 200)).toBe(400);
      expect(nextPriceChangeAt(books, 400)).toBeUndefined();
      expect(nextPriceChangeAt([], 0)).toBeUndefined();
    });

    it('ignores switched-off books', () => {
      expect(nextPriceChangeAt(books, 49)).toBe(100);
    });

    it('never skips a boundary (property)', () => {
      const boundary = fc.option(fc.integer({ min: 0, max: 1000 }), { nil: undefined });
      fc.assert(
        fc.property(
          fc.array(fc.record({ startsAt: boundary, endsAt: boundary }), { maxLength: 8 }),
          fc.integer({ min: -1, max: 1001 }),
          (windows, at) => {
            const next = nextPriceChangeAt(windows, at);
            const later = windows
              .flatMap((w) => [w.startsAt, w.endsAt])
              .filter((b): b is number => b !== undefined && b > at);
            expect(next).toBe(later.length === 0 ? undefined : Math.min(...later));
          },
        ),
      );
    });

    it('refuses a time that is not whole milliseconds', () => {
      expect(() => nextPriceChangeAt(books, Number.NaN)).toThrow(DomainError);
    });
  });

  describe('priceBookVersionTag', () => {
    it('lists each book once, sorted by id, whatever the order and repetition', () => {
      const used = [
        { priceBookId: 'pb-store-1', version: 3 },
        { priceBookId: 'pb-chain', priceBookVersion: 7 },
        { priceBookId: 'pb-store-1', priceBookVersion: 3 },
      ];
      expect(priceBookVersionTag(used)).toBe('pb-chain@7+pb-store-1@3');
      expect(priceBookVersionTag([...used].reverse())).toBe('pb-chain@7+pb-store-1@3');
      expect(priceBookVersionTag([])).toBe('');
    });

    it('refuses two versions of one book, invalid ids and invalid versions', () => {
      expect(() =>
        priceBookVersionTag([
          { priceBookId: 'pb', version: 1 },
          { priceBookId: 'pb', version: 2 },
        ]),
      ).toThrow('Price book pb appears at versions 1 and 2 on one sale');
      expect(() => priceBookVersionTag([{ priceBookId: 'a+b', version: 1 }])).toThrow(
        /not a valid price book id/,
      );
      expect(() => priceBookVersionTag([{ priceBookId: 'pb', version: 0 }])).toThrow(/invalid version 0/);
    });

    it('round-trips through parsePriceBookVersionTag (property)', () => {
      const id = fc.stringMatching(/^[A-Za-z0-9][A-Za-z0-9._:-]{0,10}$/);
      fc.assert(
        fc.property(
          fc.uniqueArray(fc.record({ priceBookId: id, version: fc.integer({ min: 1, max: 2 ** 40 }) }), {
            selector: (ref) => ref.priceBookId,
            maxLength: 5,
          }),
          (refs) => {
            const tag = priceBookVersionTag(refs);
            const parsed = parsePriceBookVersionTag(tag);
            expect(priceBookVersionTag(parsed)).toBe(tag);
            expect([...parsed].sort((a, b) => (a.priceBookId < b.priceBookId ? -1 : 1))).toEqual(
              [...refs].sort((a, b) => (a.priceBookId < b.priceBookId ? -1 : 1)),
            );
          },
        ),
      );
    });
  });

  describe('parsePriceBookVersionTag', () => {
    it('reads a tag back and refuses malformed or non-canonical tags', () => {
      expect(parsePriceBookVersionTag('pb-chain@7+pb-store-1@3')).toEqual([
        { priceBookId: 'pb-chain', version: 7 },
        { priceBookId: 'pb-store-1', version: 3 },
      ]);
      expect(parsePriceBookVersionTag('')).toEqual([]);
      expect(() => parsePriceBookVersionTag('pb-chain')).toThrow(/not a price book version tag/);
      expect(() => parsePriceBookVersionTag('pb@0')).toThrow(/not a price book version tag/);
      expect(() => parsePriceBookVersionTag('pb@99999999999999999')).toThrow(/not a price book version tag/);
      expect(() => parsePriceBookVersionTag('pb-store-1@3+pb-chain@7')).toThrow(/not in canonical form/);
    });
  });
});
