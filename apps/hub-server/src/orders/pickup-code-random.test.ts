import { describe, expect, it } from 'vitest';
import { generatePickupCode } from '@retail/domain';
import { pooledRandomBytes } from './pickup-code-random';

describe('orders/pickup-code-random', () => {
  describe('pooledRandomBytes', () => {
    it('hands out every byte of the source once, in order, asking it again only when the pool runs out', () => {
      const asked: number[] = [];
      let next = 0;
      const source = (length: number) => {
        asked.push(length);
        return Uint8Array.from({ length }, () => next++ % 256);
      };
      const random = pooledRandomBytes(source, 16);
      const handed = [random(6), random(6), random(6), random(20), random(1)];
      expect(handed.map((bytes) => bytes.length)).toEqual([6, 6, 6, 20, 1]);
      // 6 + 6 fit the first 16; the third 6 takes a new pool; 20 is larger than a pool; 1 a new pool.
      expect(asked).toEqual([16, 16, 20, 16]);
      expect([...handed[0]!, ...handed[1]!]).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]);
      expect(handed[2]![0]).toBe(16);
      expect(handed[3]![0]).toBe(32);
      expect(handed[4]![0]).toBe(52);
    });

    it('draws valid, varied pickup codes from the CSPRNG', () => {
      const random = pooledRandomBytes();
      const codes = Array.from({ length: 2000 }, () => generatePickupCode(random));
      for (const code of codes) expect(code).toMatch(/^[0-9A-HJKMNP-TV-Z]{6}$/);
      // 32^6 codes: 2,000 draws repeat one with a probability of about 0.2 %.
      expect(new Set(codes).size).toBeGreaterThanOrEqual(1998);
    });
  });
});
