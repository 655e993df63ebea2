import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { jsonNestedDeeperThan } from './json-body';

function depthOf(value: unknown): number {
  if (Array.isArray(value)) return 1 + Math.max(0, ...value.map(depthOf));
  if (typeof value === 'object' && value !== null)
    return 1 + Math.max(0, ...Object.values(value).map(depthOf));
  return 0;
}

/** The first version, reading one character at a time: the scan above must decide exactly as it does. */
function nestedDeeperCharByChar(text: string, maxDepth: number): boolean {
  let depth = 0;
  let inString = false;
  for (let index = 0; index < text.length; index += 1) {
    const char = text[index];
    if (inString) {
      if (char === '\\') index += 1;
      else if (char === '"') inString = false;
    } else if (char === '"') {
      inString = true;
    } else if (char === '{' || char === '[') {
      depth += 1;
      if (depth > maxDepth) return true;
    } else if (char === '}' || char === ']') {
      depth -= 1;
    }
  }
  return false;
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

    it('decides as a character-by-character scan on any text, malformed and unterminated strings included', () => {
      const piece = fc.constantFrom('[', ']', '{', '}', '"', '\\', '\\\\', '\\"', 'a', ':', ',', 'é');
      fc.assert(
        fc.property(fc.array(piece, { maxLength: 80 }), fc.integer({ min: 0, max: 6 }), (pieces, limit) => {
          const text = pieces.join('');
          expect(jsonNestedDeeperThan(text, limit)).toBe(nestedDeeperCharByChar(text, limit));
        }),
        { numRuns: 5000 },
      );
      expect(jsonNestedDeeperThan('["\\\\"[[', 2)).toBe(true);
      expect(jsonNestedDeeperThan('["\\\\\\"[[', 2)).toBe(false);
    });

    it('finds a deep array without reading past the limit', () => {
      const deep = '['.repeat(1_000_000) + ']'.repeat(1_000_000);
      expect(jsonNestedDeeperThan(deep, 32)).toBe(true);
      expect(jsonNestedDeeperThan('{"a":"[[[[[[[[","b":"\\"[[[["}', 1)).toBe(false);
    });
  });
});
