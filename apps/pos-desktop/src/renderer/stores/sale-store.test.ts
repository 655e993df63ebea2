import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseScanEntry } from './sale-store';

describe('sale-store', () => {
  describe('parseScanEntry', () => {
    it('reads a multiplier before the code', () => {
      expect(parseScanEntry('3*4000000000013')).toEqual({ code: '4000000000013', qty: 3 });
      expect(parseScanEntry(' 12 x SKU0000001 ')).toEqual({ code: 'SKU0000001', qty: 12 });
      expect(parseScanEntry('4000000000013')).toEqual({ code: '4000000000013', qty: undefined });
    });

    it('refuses an empty entry and a zero multiplier', () => {
      expect(parseScanEntry('   ')).toBeNull();
      expect(parseScanEntry('0*4000000000013')).toBeNull();
    });

    it('leaves every plain scanned code exactly as the scanner typed it', () => {
      fc.assert(
        fc.property(fc.stringMatching(/^[0-9]{8,14}$/), (code) => {
          expect(parseScanEntry(code)).toEqual({ code, qty: undefined });
        }),
      );
    });
  });
});
