import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createUuidV7Generator, formatUuid, isUuidV7, uuidV7Time } from './ids';

function seeded(seed: number) {
  let state = seed >>> 0;
  return (length: number) => {
    const bytes = new Uint8Array(length);
    for (let i = 0; i < length; i += 1) {
      state = (state * 1664525 + 1013904223) >>> 0;
      bytes[i] = state >>> 24;
    }
    return bytes;
  };
}

describe('ids', () => {
  describe('createUuidV7Generator', () => {
    it('encodes the injected clock and the version and variant bits', () => {
      const next = createUuidV7Generator({ now: () => 1_700_000_000_123, randomBytes: seeded(1) });
      const id = next();
      expect(isUuidV7(id)).toBe(true);
      expect(uuidV7Time(id)).toBe(1_700_000_000_123);
    });

    it('is deterministic for the same clock and randomness', () => {
      const a = createUuidV7Generator({ now: () => 42, randomBytes: seeded(7) });
      const b = createUuidV7Generator({ now: () => 42, randomBytes: seeded(7) });
      expect([a(), a(), a()]).toEqual([b(), b(), b()]);
    });

    it('stays strictly increasing within a millisecond and when the clock steps back', () => {
      fc.assert(
        fc.property(fc.array(fc.integer({ min: 0, max: 3 }), { minLength: 1, maxLength: 5000 }), (steps) => {
          let t = 1_000;
          const clock = [...steps];
          const next = createUuidV7Generator({
            now: () => {
              const step = clock.shift() ?? 0;
              t += step === 3 ? -5 : step; // 3 means the wall clock jumped backwards
              return t;
            },
            randomBytes: seeded(3),
          });
          let previous = '';
          for (let i = 0; i < steps.length; i += 1) {
            const id = next();
            expect(id > previous).toBe(true);
            previous = id;
          }
        }),
      );
    });

    it('refuses clocks it cannot encode and short random sources', () => {
      expect(() => createUuidV7Generator({ now: () => -1, randomBytes: seeded(1) })()).toThrow(
        /cannot encode/,
      );
      expect(() => createUuidV7Generator({ now: () => 1, randomBytes: () => new Uint8Array(2) })()).toThrow(
        /too few bytes/,
      );
      expect(() => uuidV7Time('not-a-uuid')).toThrow(/not a UUIDv7/);
    });
  });

  describe('formatUuid', () => {
    it('formats 16 bytes as the mapped, joined and sliced hex did', () => {
      const reference = (bytes: Uint8Array) => {
        const hex = Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
        return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
      };
      fc.assert(
        fc.property(fc.uint8Array({ minLength: 16, maxLength: 16 }), (bytes) => {
          expect(formatUuid(bytes)).toBe(reference(bytes));
        }),
        { numRuns: 2_000 },
      );
      expect(formatUuid(new Uint8Array(16).fill(0xab))).toBe('abababab-abab-abab-abab-abababababab');
    });
  });
});
