import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { formatInstant } from './time';

describe('time', () => {
  describe('formatInstant', () => {
    it('formats known instants, leap days included', () => {
      expect(formatInstant(0)).toBe('1970-01-01T00:00:00.000Z');
      expect(formatInstant(951_782_400_000)).toBe('2000-02-29T00:00:00.000Z');
      expect(formatInstant(1_796_083_199_999)).toBe('2026-11-30T23:59:59.999Z');
      expect(formatInstant(-1)).toBe('1969-12-31T23:59:59.999Z');
    });

    it('agrees with the platform ISO formatter for years 0000 to 9999', () => {
      fc.assert(
        fc.property(fc.integer({ min: -62_167_219_200_000, max: 253_402_300_799_999 }), (epochMs) => {
          expect(formatInstant(epochMs)).toBe(new Date(epochMs).toISOString());
        }),
        { numRuns: 500 },
      );
    });

    it('agrees with Date#toISOString for every instant in years 0000 to 9999', () => {
      fc.assert(
        fc.property(fc.integer({ min: -62_167_219_200_000, max: 253_402_300_799_999 }), (ms) => {
          expect(formatInstant(ms)).toBe(new Date(ms).toISOString());
        }),
      );
    });
  });
});
