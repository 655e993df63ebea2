import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { promiseDelivery, type DeliveryTerms } from './delivery-promise';

const lane = { transitDays: 2, cost: { amount: 490, currency: 'EUR' } };

describe('routing/delivery-promise', () => {
  describe('promiseDelivery', () => {
    it('ships the same local day before the cut-off and the next day after it', () => {
      const terms: DeliveryTerms = { zone: 'north', timezone: 'Europe/Paris', cutoffMinute: 15 * 60, lane };
      // 13:59 UTC = 14:59 in Paris (winter): before the 15:00 cut-off.
      expect(promiseDelivery(Date.parse('2026-12-07T13:59:00Z'), terms)).toEqual({
        shipDate: '2026-12-07',
        promisedDate: '2026-12-09',
        cutoffMissed: false,
        transitDays: 2,
      });
      expect(promiseDelivery(Date.parse('2026-12-07T14:00:00Z'), terms)).toMatchObject({
        shipDate: '2026-12-08',
        promisedDate: '2026-12-10',
        cutoffMissed: true,
      });
    });

    it("reads the cut-off in the node's own timezone, across the date line and month ends", () => {
      const terms: DeliveryTerms = { zone: 'z', timezone: 'Pacific/Auckland', cutoffMinute: 12 * 60, lane };
      // 2026-12-31T20:00Z is 09:00 on 1 January 2027 in Auckland (UTC+13).
      expect(promiseDelivery(Date.parse('2026-12-31T20:00:00Z'), terms)).toMatchObject({
        shipDate: '2027-01-01',
        promisedDate: '2027-01-03',
      });
    });

    it('promises nothing without a lane, and never earlier than the ship date', () => {
      expect(promiseDelivery(0, { zone: 'z', timezone: 'UTC', cutoffMinute: 0 })).toBeUndefined();
      fc.assert(
        fc.property(
          fc.integer({ min: 0, max: 4_000_000_000_000 }),
          fc.integer({ min: 0, max: 1440 }),
          fc.integer({ min: 0, max: 60 }),
          (at, cutoffMinute, transitDays) => {
            const promise = promiseDelivery(at, {
              zone: 'z',
              timezone: 'UTC',
              cutoffMinute,
              lane: { transitDays, cost: { amount: 0, currency: 'EUR' } },
            });
            const today = new Date(at).toISOString().slice(0, 10);
            expect(promise!.shipDate >= today).toBe(true);
            expect(promise!.promisedDate >= promise!.shipDate).toBe(true);
            const days = (Date.parse(promise!.promisedDate) - Date.parse(promise!.shipDate)) / 86_400_000;
            expect(days).toBe(transitDays);
          },
        ),
      );
    });
  });
});
