import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createRefetchGuard } from './refetch-guard';

const HOUR = 60 * 60_000;

describe('refetch-guard', () => {
  describe('tryAcquire', () => {
    it('allows the configured number of refetches per window, then says when the next is allowed', () => {
      const guard = createRefetchGuard({ maxRefetches: 3, windowMs: HOUR });
      expect([0, 10, 20].map((at) => guard.tryAcquire(at).allowed)).toEqual([true, true, true]);
      expect(guard.tryAcquire(30)).toEqual({ allowed: false, retryAt: HOUR });
      expect(guard.tryAcquire(HOUR - 1).allowed).toBe(false);
      expect(guard.tryAcquire(HOUR).allowed).toBe(true);
      expect(guard.recent(HOUR)).toBe(3);
    });

    it('never lets more than the maximum through in any window', () => {
      fc.assert(
        fc.property(fc.array(fc.integer({ min: 0, max: 10 * 60_000 }), { maxLength: 200 }), (gaps) => {
          const guard = createRefetchGuard({ maxRefetches: 3, windowMs: HOUR });
          let now = 0;
          const granted: number[] = [];
          for (const gap of gaps) {
            now += gap;
            if (guard.tryAcquire(now).allowed) granted.push(now);
          }
          for (let i = 3; i < granted.length; i += 1)
            expect(granted[i]! - granted[i - 3]!).toBeGreaterThanOrEqual(HOUR);
        }),
      );
    });

    it('does not lock itself for a day when the wall clock steps back a day', () => {
      const guard = createRefetchGuard({ maxRefetches: 1, windowMs: HOUR });
      const day = 24 * HOUR;
      expect(guard.tryAcquire(day).allowed).toBe(true);
      expect(guard.tryAcquire(10).allowed).toBe(false);
      expect(guard.tryAcquire(10 + HOUR).allowed).toBe(true);
    });

    it('refuses a guard that could never allow anything', () => {
      expect(() => createRefetchGuard({ maxRefetches: 0, windowMs: HOUR })).toThrow(
        expect.objectContaining({ code: 'INVALID_INPUT' }),
      );
    });
  });
});
