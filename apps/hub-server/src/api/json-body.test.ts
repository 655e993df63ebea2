import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { jsonNestedDeeperThan } from './json-body';

function depthOf(value: unknown): number {
  if (Array.isArray(value)) return 1 + Math.max(0, ...value.map(depthOf));
  if (typeof value === 'object' && value !== null)
    return 1 + Math.max(0, ...Object.values(value).map(depthOf));
  return 0;
}

describe('api/json-body', () => {
  describe('jsonNestedDeeperThan', () => {
    it('agrees with the depth of the parsed value for any JSON, strings with brackets and escapes included', () => {
      fc.assert(
        fc.property(fc.jsonValue({ maxDepth: 12 }), fc.integer({ min: 0, max: 14 }), (value, limit) => {
          const text = JSON.stringify(value);
          expect(jsonNestedDeeperThan(text, limit)).toBe(depthOf(value) > limit);
        }),
        { numRuns: 1000 },
      );
    });

    it('finds a deep array without reading past the limit', () => {
      const deep = '['.repeat(1_000_000) + ']'.repeat(1_000_000);
      expect(jsonNestedDeeperThan(deep, 32)).toBe(true);
      expect(jsonNestedDeeperThan('{"a":"[[[[[[[[","b":"\\"[[[["}', 1)).toBe(false);
    });
  });
});
