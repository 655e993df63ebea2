import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { backoffDelay, createBackoff } from './backoff';

const options = { baseMs: 1_000, capMs: 300_000 };
const unit = fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true });

describe('backoff', () => {
  describe('backoffDelay', () => {
    it('stays within [0, min(cap, base·2^attempt)) when the hub gave no retryAfter', () => {
      fc.assert(
        fc.property(fc.nat({ max: 200 }), unit, (attempt, sample) => {
          const delay = backoffDelay(attempt, () => sample, options);
          const ceiling = Math.min(options.capMs, options.baseMs * 2 ** Math.min(attempt, 40));
          expect(delay).toBeGreaterThanOrEqual(0);
          expect(delay).toBeLessThan(ceiling);
          expect(Number.isInteger(delay)).toBe(true);
        }),
      );
    });

    it('never waits less than retryAfter and spreads the returns over a quarter window after it', () => {
      fc.assert(
        fc.property(
          fc.nat({ max: 50 }),
          unit,
          fc.integer({ min: 1, max: 600_000 }),
          (attempt, sample, retryAfter) => {
            const delay = backoffDelay(attempt, () => sample, options, retryAfter);
            expect(delay).toBeGreaterThanOrEqual(retryAfter);
            expect(delay).toBeLessThanOrEqual(retryAfter + options.capMs / 4);
          },
        ),
      );
    });

    it('grows its ceiling by doubling until the cap', () => {
      const nearOne = () => 0.999999;
      const ceilings = [0, 1, 2, 3, 8, 9, 20].map((attempt) => backoffDelay(attempt, nearOne, options));
      expect(ceilings).toEqual([999, 1_999, 3_999, 7_999, 255_999, 299_999, 299_999]);
    });

    it('treats a broken random source as zero jitter instead of producing NaN', () => {
      expect(backoffDelay(3, () => Number.NaN, options)).toBe(0);
      expect(backoffDelay(3, () => 5, options)).toBeLessThan(8_000);
    });

    it('refuses nonsense settings with INVALID_INPUT', () => {
      expect(() => backoffDelay(-1, Math.random, options)).toThrow(
        expect.objectContaining({ code: 'INVALID_INPUT' }),
      );
      expect(() => backoffDelay(1, Math.random, { baseMs: 0, capMs: 10 })).toThrow(
        expect.objectContaining({ code: 'INVALID_INPUT' }),
      );
      expect(() => backoffDelay(1, Math.random, { baseMs: 10, capMs: 5 })).toThrow(
        expect.objectContaining({ code: 'INVALID_INPUT' }),
      );
    });
  });

  describe('createBackoff', () => {
    it('counts consecutive failures and starts over after a success', () => {
      const backoff = createBackoff(() => 0.999999, options);
      expect([backoff.next(), backoff.next(), backoff.next()]).toEqual([999, 1_999, 3_999]);
      expect(backoff.attempts).toBe(3);
      backoff.succeeded();
      expect(backoff.next()).toBe(999);
    });
  });
});
