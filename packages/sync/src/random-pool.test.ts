import { describe, expect, it } from 'vitest';
import { generatePickupCode } from '@retail/domain';
import { pooledRandomBytes } from './random-pool';

const hex = (bytes: Uint8Array) => Buffer.from(bytes).toString('hex');

describe('pooledRandomBytes', () => {
  it("hands out the generator's bytes once each, in order, refilling only when the pool runs out", () => {
    const filled: number[] = [];
    let next = 0;
    const fill = (bytes: Uint8Array) => {
      filled.push(bytes.length);
      for (let index = 0; index < bytes.length; index += 1) bytes[index] = next++ % 256;
    };
    const random = pooledRandomBytes(16, fill);
    const handed = [random(6), random(6), random(6), random(20), random(1)];
    expect(handed.map((bytes) => bytes.length)).toEqual([6, 6, 6, 20, 1]);
    // 6 + 6 fit the first 16; the third 6 takes a refill; 20 is larger than the pool; 1 fits after the 6.
    expect(filled).toEqual([16, 16, 20]);
    expect([...handed[0]!, ...handed[1]!]).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]);
    expect(handed[2]![0]).toBe(16);
    expect(handed[3]![0]).toBe(32);
    expect(handed[4]![0]).toBe(22);
  });

  it('keeps no copy of bytes it handed out', () => {
    let pool: Uint8Array | undefined;
    const random = pooledRandomBytes(16, (bytes) => {
      pool = bytes;
      bytes.fill(0xab);
    });
    random(6);
    random(4);
    expect([...pool!.subarray(0, 10)].every((byte) => byte === 0)).toBe(true);
    expect([...pool!.subarray(10)].every((byte) => byte === 0xab)).toBe(true);
  });

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

  it("draws valid, varied pickup codes from the operating system's generator", () => {
    const random = pooledRandomBytes();
    const codes = Array.from({ length: 2000 }, () => generatePickupCode(random));
    for (const code of codes) expect(code).toMatch(/^[0-9A-HJKMNP-TV-Z]{6}$/);
    // 32^6 codes: 2,000 draws repeat one with a probability of about 0.2 %.
    expect(new Set(codes).size).toBeGreaterThanOrEqual(1998);
  });
});
