import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { code128BValues, code128BWidths, code128Svg } from './code128';

describe('code128', () => {
  describe('code128BValues', () => {
    it('wraps the characters in start B, the modulo-103 check symbol and stop', () => {
      // "Wikipedia": 104 + 55·1 + 73·2 + 75·3 + 73·4 + 80·5 + 69·6 + 68·7 + 73·8 + 65·9 = 3281 ≡ 88 (mod 103)
      expect(code128BValues('Wikipedia')).toEqual([104, 55, 73, 75, 73, 80, 69, 68, 73, 65, 88, 106]);
    });

    it('refuses what set B cannot carry', () => {
      expect(() => code128BValues('')).toThrow(/1 to 80 characters/);
      expect(() => code128BValues('café')).toThrow(/cannot encode "é"/);
    });
  });

  describe('code128BWidths', () => {
    it('gives 11 modules per symbol, 13 for the stop, starting and ending with a bar', () => {
      fc.assert(
        fc.property(fc.stringMatching(/^[ -~]{1,40}$/), (text) => {
          const widths = code128BWidths(text);
          expect(widths).toHaveLength(6 * (text.length + 2) + 7);
          expect(widths.reduce((total, width) => total + width, 0)).toBe(11 * (text.length + 2) + 13);
          expect(widths.slice(0, 6)).toEqual([2, 1, 1, 2, 1, 4]);
          expect(widths.slice(-7)).toEqual([2, 3, 3, 1, 1, 1, 2]);
          expect(widths.length % 2).toBe(1);
        }),
      );
    });
  });

  describe('code128Svg', () => {
    it('draws one rectangle per bar inside quiet zones', () => {
      const svg = code128Svg('S001-3-000042');
      expect(svg.match(/<rect /g)).toHaveLength(3 * (13 + 2) + 4);
      expect(svg).toContain('aria-label="Barcode S001-3-000042"');
    });
  });
});
