import { describe, expect, it } from 'vitest';
import { pooledRandomBytes } from './random-pool';

const hex = (bytes: Uint8Array) => Buffer.from(bytes).toString('hex');

describe('pooledRandomBytes', () => {
  it('gives every caller bytes of the length asked, never the same bytes twice, across refills', () => {
    const random = pooledRandomBytes(64);
    const seen = new Set<string>();
    for (let call = 0; call < 200; call += 1) {
      const length = 1 + (call % 23);
      const bytes = random(length);
      expect(bytes).toBeInstanceOf(Uint8Array);
      expect(bytes.length).toBe(length);
      if (length >= 8) {
        expect(seen.has(hex(bytes))).toBe(false);
        seen.add(hex(bytes));
      }
    }
    // 200 calls of up to 23 bytes from a 64-byte pool: it was refilled many times over.
    expect(seen.size).toBeGreaterThan(100);
  });

  it('hands out copies: changing one changes nothing another caller gets', () => {
    const random = pooledRandomBytes(32);
    const first = random(8);
    first.fill(0);
    const second = random(8);
    expect(second.some((byte) => byte !== 0)).toBe(true);
    expect(first.buffer).not.toBe(second.buffer);
  });

  it('serves requests larger than the pool from the generator directly', () => {
    const random = pooledRandomBytes(16);
    const big = random(100);
    expect(big.length).toBe(100);
    expect(new Set(big).size).toBeGreaterThan(10);
  });
});
