import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { GeoPointSchema, haversineMetres } from './geo';

const point = fc.record({
  lat: fc.double({ min: -90, max: 90, noNaN: true }),
  lon: fc.double({ min: -180, max: 180, noNaN: true }),
});

describe('routing/geo', () => {
  describe('haversineMetres', () => {
    it('gives the known Paris to London distance within a kilometre', () => {
      const paris = { lat: 48.8566, lon: 2.3522 };
      const london = { lat: 51.5074, lon: -0.1278 };
      expect(Math.abs(haversineMetres(paris, london) - 343_560)).toBeLessThan(1000);
    });

    it('gives half the circumference for antipodal points without leaving asin range', () => {
      expect(haversineMetres({ lat: 0, lon: 0 }, { lat: 0, lon: 180 })).toBe(
        Math.round(Math.PI * 6_371_008.8),
      );
      expect(haversineMetres({ lat: 90, lon: 0 }, { lat: -90, lon: 0 })).toBe(
        Math.round(Math.PI * 6_371_008.8),
      );
    });

    it('is zero from a point to itself, symmetric and a whole number of metres', () => {
      fc.assert(
        fc.property(point, point, (a, b) => {
          expect(haversineMetres(a, a)).toBe(0);
          const distance = haversineMetres(a, b);
          expect(Number.isSafeInteger(distance)).toBe(true);
          expect(distance).toBeGreaterThanOrEqual(0);
          expect(Math.abs(distance - haversineMetres(b, a))).toBeLessThanOrEqual(1);
        }),
      );
    });
  });

  describe('GeoPointSchema', () => {
    it('refuses coordinates off the globe', () => {
      expect(GeoPointSchema.safeParse({ lat: 91, lon: 0 }).success).toBe(false);
      expect(GeoPointSchema.safeParse({ lat: 0, lon: -181 }).success).toBe(false);
      expect(GeoPointSchema.safeParse({ lat: 45.5, lon: 9.2 }).success).toBe(true);
    });
  });
});
