import { describe, expect, it } from 'vitest';
import { createDashboardFormat } from './format';

describe('format', () => {
  describe('createDashboardFormat', () => {
    const format = createDashboardFormat('en-IE', 'UTC');

    it('writes minor units with the currency’s own number of decimals', () => {
      expect(format.money(1234, 'EUR')).toBe('€12.34');
      expect(format.money(1234, 'JPY')).toBe('JP¥1,234');
      expect(format.money(-5, 'EUR')).toBe('-€0.05');
    });

    it('writes dates in the chosen time zone', () => {
      expect(format.dateTime(Date.UTC(2026, 10, 23, 17, 5))).toBe('23 Nov 2026, 17:05');
    });

    it('says how long ago in the largest whole unit', () => {
      const now = Date.UTC(2026, 10, 23, 12, 0);
      expect(format.ago(now - 30_000, now)).toBe('just now');
      expect(format.ago(now - 12 * 60_000, now)).toBe('12 min ago');
      expect(format.ago(now - 3 * 3_600_000 - 1, now)).toBe('3 h ago');
      expect(format.ago(now - 49 * 3_600_000, now)).toBe('2 days ago');
    });
  });
});
