import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DomainError } from '../errors';
import {
  BARCODE_PATTERN,
  barcodeKey,
  gtinCheckDigit,
  isValidBarcode,
  isValidGtin,
  parseBarcode,
  withGtinCheckDigit,
} from './barcode';

function barcodeError(raw: string): DomainError {
  try {
    parseBarcode(raw);
  } catch (error) {
    if (error instanceof DomainError) return error;
    throw error;
  }
  throw new Error(`expected ${raw} to be refused`);
}

const digitString = (minLength: number, maxLength: number) =>
  fc.string({ unit: fc.constantFrom(...'0123456789'), minLength, maxLength });

describe('barcode', () => {
  describe('gtinCheckDigit', () => {
    it('computes the published check digits of real GTINs', () => {
      expect(gtinCheckDigit('400638133393')).toBe(1); // EAN-13 4006381333931
      expect(gtinCheckDigit('03600029145')).toBe(2); // UPC-A 036000291452
      expect(gtinCheckDigit('9638507')).toBe(4); // EAN-8 96385074
      expect(gtinCheckDigit('1003600029145')).toBe(9); // GTIN-14 10036000291459
    });

    it('does not change when the body gains leading zeros', () => {
      fc.assert(
        fc.property(digitString(1, 13), fc.nat(5), (body, zeros) => {
          expect(gtinCheckDigit('0'.repeat(zeros) + body)).toBe(gtinCheckDigit(body));
        }),
      );
    });

    it('refuses a body with non-digits', () => {
      expect(() => gtinCheckDigit('12a4')).toThrow(DomainError);
      expect(() => gtinCheckDigit('')).toThrow(/only be computed over digits/);
    });
  });

  describe('isValidGtin', () => {
    it('accepts a body with its computed check digit for every GTIN length (round trip)', () => {
      const bodies = fc.constantFrom(7, 11, 12, 13).chain((length) => digitString(length, length));
      fc.assert(
        fc.property(bodies, (body) => {
          expect(isValidGtin(withGtinCheckDigit(body))).toBe(true);
        }),
      );
    });

    it('rejects the code when any single digit is changed', () => {
      fc.assert(
        fc.property(
          digitString(12, 12),
          fc.nat(12),
          fc.integer({ min: 1, max: 9 }),
          (body, position, shift) => {
            const code = withGtinCheckDigit(body);
            const original = Number(code[position]);
            const changed =
              code.slice(0, position) + String((original + shift) % 10) + code.slice(position + 1);
            expect(isValidGtin(changed)).toBe(false);
          },
        ),
      );
    });

    it('rejects lengths other than 8, 12, 13 and 14 and non-digits', () => {
      expect(isValidGtin('036000291452')).toBe(true);
      expect(isValidGtin('36000291452')).toBe(false);
      expect(isValidGtin('03600029145a')).toBe(false);
      expect(isValidGtin('')).toBe(false);
    });
  });

  describe('barcodeKey', () => {
    it('gives UPC-A and the EAN-13 with a leading 0 the same 14-digit key', () => {
      fc.assert(
        fc.property(digitString(11, 11), (body) => {
          const upcA = withGtinCheckDigit(body);
          expect(barcodeKey(upcA)).toBe(barcodeKey(`0${upcA}`));
          expect(barcodeKey(upcA)).toBe(barcodeKey(`00${upcA}`));
          expect(barcodeKey(upcA)).toHaveLength(14);
        }),
      );
    });

    it('tolerates leading zeros dropped by a spreadsheet or added by a scanner', () => {
      const key = barcodeKey('000012345670');
      expect(barcodeKey('12345670')).toBe(key);
      expect(barcodeKey('0012345670')).toBe(key);
      expect(barcodeKey('0000000000000012345670')).toBe(key);
      expect(barcodeKey('012345678905')).toBe(barcodeKey('12345678905'));
    });

    it('strips scanner terminators and the separators printed under the bars', () => {
      expect(barcodeKey('4006381333931\r\n')).toBe('04006381333931');
      expect(barcodeKey('\t4 006381 333931 ')).toBe('04006381333931');
      expect(barcodeKey('0-36000-29145-2')).toBe('00036000291452');
    });

    it('keys store codes in upper case so keyed and scanned spellings match', () => {
      expect(barcodeKey('lbl-00042')).toBe('LBL-00042');
      expect(barcodeKey('Shelf/A.3_b')).toBe('SHELF/A.3_B');
    });

    it('says the check digit is wrong when only the check digit disagrees', () => {
      const error = barcodeError('4006381333932');
      expect(error.code).toBe('INVALID_BARCODE');
      expect(error.message).toMatch(/check digit .* misread or mistyped/);
      expect(error.details).toMatchObject({ reason: 'check_digit', expectedCheckDigit: 1 });
    });

    it('says the length is wrong for too few or too many digits', () => {
      expect(barcodeError('1234567').message).toMatch(/has 7 digits; product barcodes have 8, 12, 13 or 14/);
      expect(barcodeError('123456789012345').details).toMatchObject({ reason: 'wrong_length', digits: 15 });
      expect(barcodeError(`L${'X'.repeat(48)}`).details).toMatchObject({ reason: 'wrong_length' });
    });

    it('says non-digits are the problem for numeric codes with stray characters', () => {
      expect(barcodeError('400638133393x').details).toMatchObject({ reason: 'non_digits' });
      expect(barcodeError('4006381--333931').details).toMatchObject({ reason: 'non_digits' });
      expect(barcodeError('#4006381333931').message).toMatch(/neither a product barcode/);
      expect(barcodeError('LBL 42').details).toMatchObject({ reason: 'bad_characters' });
    });

    it('refuses empty input and values that are not text', () => {
      expect(barcodeError('  \r\n').details).toMatchObject({ reason: 'empty' });
      expect(barcodeError(42 as unknown as string).details).toMatchObject({ reason: 'not_text' });
    });

    it('never collides a store code with a GTIN and never throws anything but INVALID_BARCODE', () => {
      fc.assert(
        fc.property(fc.string({ maxLength: 30 }), (raw) => {
          try {
            const parsed = parseBarcode(raw);
            if (parsed.kind === 'gtin') expect(parsed.key).toMatch(/^\d{14}$/);
            else expect(parsed.key).toMatch(/^[A-Z]/);
          } catch (error) {
            expect(error).toBeInstanceOf(DomainError);
            expect((error as DomainError).code).toBe('INVALID_BARCODE');
          }
        }),
      );
    });
  });

  describe('parseBarcode', () => {
    it('names the format from the key so padded spellings keep their format', () => {
      expect(parseBarcode('96385074')).toMatchObject({ format: 'EAN-8', key: '00000096385074' });
      expect(parseBarcode('036000291452')).toMatchObject({ format: 'UPC-A' });
      expect(parseBarcode('0036000291452')).toMatchObject({ format: 'UPC-A' });
      expect(parseBarcode('4006381333931')).toMatchObject({ format: 'EAN-13' });
      expect(parseBarcode('10036000291459')).toMatchObject({ format: 'GTIN-14' });
      expect(parseBarcode('SKU-1')).toEqual({ kind: 'code', key: 'SKU-1' });
    });
  });

  describe('isValidBarcode', () => {
    it('agrees with barcodeKey', () => {
      expect(isValidBarcode('4006381333931')).toBe(true);
      expect(isValidBarcode('4006381333932')).toBe(false);
    });
  });
});

describe('catalog/barcode BARCODE_PATTERN', () => {
  it('matches whatever parseBarcode accepts (without the check digit, which a pattern cannot compute)', () => {
    const pattern = new RegExp(BARCODE_PATTERN);
    const accepted = fc.oneof(
      fc
        .constantFrom(7, 11, 12, 13)
        .chain((length) => digitString(length, length))
        .map(withGtinCheckDigit),
      fc.constantFrom('SHELF-12', 'a.b/c_d', 'X'),
    );
    fc.assert(
      fc.property(accepted, fc.constantFrom('', ' ', '\t'), (code, blank) => {
        expect(isValidBarcode(code)).toBe(true);
        expect(pattern.test(`${blank}${code}${blank}`)).toBe(true);
        expect(pattern.test(`0000${code}`)).toBe(isValidBarcode(`0000${code}`));
      }),
    );
    for (const refused of ['12345', '123456789012345', '1--2345678', '-12345678', '']) {
      expect(pattern.test(refused), refused).toBe(false);
    }
  });
});
