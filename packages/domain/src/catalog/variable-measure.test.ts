import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DomainError } from '../errors';
import { barcodeKey, withGtinCheckDigit } from './barcode';
import {
  encodeVariableMeasureLabel,
  parseScan,
  priceCheckDigit,
  scanLookupKey,
  skuBarcodeKey,
  VariableMeasureRuleSchema,
  variableMeasureItemBarcode,
  type VariableMeasureRule,
} from './variable-measure';

const weightRule: VariableMeasureRule = {
  prefix: '21',
  kind: 'weight',
  itemDigits: 5,
  valueDigits: 5,
};
const priceRuleWithCheck: VariableMeasureRule = {
  prefix: '22',
  kind: 'price',
  itemDigits: 4,
  valueDigits: 5,
  priceCheckDigit: true,
};
const upcPriceRule: VariableMeasureRule = {
  prefix: '02',
  kind: 'price',
  itemDigits: 5,
  valueDigits: 4,
  priceCheckDigit: true,
};
const tenGramRule: VariableMeasureRule = {
  prefix: '23',
  kind: 'weight',
  itemDigits: 5,
  valueDigits: 5,
  valueScale: 10,
};
const rules = [weightRule, priceRuleWithCheck, upcPriceRule, tenGramRule];

function scanError(raw: string, withRules: readonly VariableMeasureRule[]): DomainError {
  try {
    parseScan(raw, withRules);
  } catch (error) {
    if (error instanceof DomainError) return error;
    throw error;
  }
  throw new Error(`expected ${raw} to be refused`);
}

describe('variable-measure', () => {
  describe('priceCheckDigit', () => {
    it('matches the worked examples of the GS1 General Specifications', () => {
      expect(priceCheckDigit('2875')).toBe(9);
      expect(priceCheckDigit('14685')).toBe(6);
    });

    it('detects any single changed digit of a 4- or 5-digit value', () => {
      const values = fc
        .constantFrom(4, 5)
        .chain((length) =>
          fc.string({ unit: fc.constantFrom(...'0123456789'), minLength: length, maxLength: length }),
        );
      fc.assert(
        fc.property(values, fc.nat(4), fc.integer({ min: 1, max: 9 }), (value, rawPosition, shift) => {
          const position = rawPosition % value.length;
          const changed =
            value.slice(0, position) +
            String((Number(value[position]) + shift) % 10) +
            value.slice(position + 1);
          expect(priceCheckDigit(changed)).not.toBe(priceCheckDigit(value));
        }),
      );
    });

    it('refuses values of other lengths', () => {
      expect(() => priceCheckDigit('123')).toThrow(/4- or 5-digit/);
      expect(() => priceCheckDigit('12a45')).toThrow(DomainError);
    });
  });

  describe('parseScan', () => {
    it('reads an embedded weight and maps the label to the item barcode with the value zeroed', () => {
      const label = encodeVariableMeasureLabel(weightRule, '12345', 1250);
      expect(label).toBe(withGtinCheckDigit('211234501250'));
      expect(parseScan(label, rules)).toEqual({
        kind: 'variable',
        key: barcodeKey(label),
        itemKey: barcodeKey(variableMeasureItemBarcode(weightRule, '12345')),
        prefix: '21',
        weightGrams: 1250,
      });
    });

    it('reads an embedded price behind a valid 5-digit price check digit', () => {
      const label = encodeVariableMeasureLabel(priceRuleWithCheck, '0042', 14685);
      expect(label.slice(0, 12)).toBe('220042614685');
      expect(parseScan(label, rules)).toMatchObject({ kind: 'variable', price: 14685, prefix: '22' });
    });

    it('reads UPC-A number-system-2 labels through prefix 02, with or without the leading zero', () => {
      const label13 = encodeVariableMeasureLabel(upcPriceRule, '12345', 2875);
      expect(label13.slice(0, 12)).toBe('021234592875');
      const upcA = label13.slice(1);
      expect(parseScan(upcA, rules)).toEqual(parseScan(label13, rules));
      expect(parseScan(upcA, rules)).toMatchObject({ price: 2875, itemKey: barcodeKey('0212345000007') });
    });

    it('multiplies the value by the rule scale', () => {
      const label = encodeVariableMeasureLabel(tenGramRule, '00007', 12_340);
      expect(label.slice(7, 12)).toBe('01234');
      expect(parseScan(label, rules)).toMatchObject({ weightGrams: 12_340 });
    });

    it('prefers the longest matching prefix', () => {
      const narrow: VariableMeasureRule = { prefix: '219', kind: 'price', itemDigits: 4, valueDigits: 5 };
      const label = encodeVariableMeasureLabel(narrow, '1234', 999);
      expect(parseScan(label, [weightRule, narrow])).toMatchObject({ prefix: '219', price: 999 });
      expect(parseScan(label, [weightRule])).toMatchObject({ prefix: '21', weightGrams: 999 });
    });

    it('treats restricted-circulation GTINs without a rule, EAN-8s and store codes as themselves', () => {
      const fixed = withGtinCheckDigit('250000000001');
      expect(parseScan(fixed, rules)).toEqual({ kind: 'gtin', key: `0${fixed}`, format: 'EAN-13' });
      expect(parseScan('21000003', rules)).toMatchObject({ kind: 'gtin', format: 'EAN-8' });
      expect(parseScan('LBL-1', rules)).toEqual({ kind: 'code', key: 'LBL-1' });
      expect(parseScan('10036000291459', rules)).toMatchObject({ kind: 'gtin', format: 'GTIN-14' });
      expect(parseScan('4006381333931')).toMatchObject({ kind: 'gtin' });
    });

    it('round-trips any item and value through encode and parse', () => {
      fc.assert(
        fc.property(
          fc.constantFrom(...rules),
          fc.nat(99_999),
          fc.integer({ min: 1, max: 9999 }),
          (rule, itemNumber, steps) => {
            const item = String(itemNumber % 10 ** rule.itemDigits).padStart(rule.itemDigits, '0');
            const value = steps * (rule.valueScale ?? 1);
            const scan = parseScan(encodeVariableMeasureLabel(rule, item, value), rules);
            expect(scan.kind).toBe('variable');
            expect(scanLookupKey(scan)).toBe(barcodeKey(variableMeasureItemBarcode(rule, item)));
            expect(scan).toMatchObject(rule.kind === 'price' ? { price: value } : { weightGrams: value });
          },
        ),
      );
    });

    it('refuses a label whose price check digit does not match the price', () => {
      const good = encodeVariableMeasureLabel(priceRuleWithCheck, '0042', 14685);
      const body = `${good.slice(0, 6)}${(Number(good[6]) + 1) % 10}${good.slice(7, 12)}`;
      const error = scanError(withGtinCheckDigit(body), rules);
      expect(error.code).toBe('INVALID_BARCODE');
      expect(error.message).toMatch(/price on label .* fails its check digit/);
      expect(error.details).toMatchObject({ reason: 'value_check_digit', expectedCheckDigit: 6 });
    });

    it('refuses a label with a wrong overall check digit', () => {
      const label = encodeVariableMeasureLabel(weightRule, '12345', 1250);
      const broken = `${label.slice(0, 12)}${(Number(label[12]) + 1) % 10}`;
      expect(scanError(broken, rules).details).toMatchObject({ reason: 'check_digit' });
    });

    it('refuses a live label that weighs 0 g', () => {
      const label = variableMeasureItemBarcode(weightRule, '12345');
      expect(scanError(label, rules).message).toMatch(/weight of 0 g/);
    });

    it('refuses inconsistent rules with INVALID_INPUT', () => {
      const tooLong = { ...weightRule, itemDigits: 6 };
      expect(() => parseScan('4006381333931', [tooLong])).toThrow(/describes 14 digits/);
      const badCheck = { ...weightRule, itemDigits: 3, valueDigits: 6, priceCheckDigit: true };
      expect(() => parseScan('4006381333931', [badCheck])).toThrow(/only for 4- or 5-digit values/);
      expect(() => parseScan('4006381333931', [{ ...weightRule, prefix: '40' }])).toThrow(
        /not a restricted-circulation prefix/,
      );
      expect(() => parseScan('4006381333931', [weightRule, weightRule])).toThrow(/configured twice/);
    });
  });

  describe('skuBarcodeKey', () => {
    it('keys a SKU item barcode and any sample label of it to the same item key', () => {
      const item = variableMeasureItemBarcode(weightRule, '12345');
      const sample = encodeVariableMeasureLabel(weightRule, '12345', 777);
      expect(skuBarcodeKey(item, rules)).toBe(barcodeKey(item));
      expect(skuBarcodeKey(sample, rules)).toBe(barcodeKey(item));
      expect(skuBarcodeKey('036000291452')).toBe('00036000291452');
    });
  });

  describe('variableMeasureItemBarcode', () => {
    it('refuses an item reference of the wrong size', () => {
      expect(() => variableMeasureItemBarcode(weightRule, '123')).toThrow(/exactly 5 digits/);
      expect(() => variableMeasureItemBarcode(weightRule, '1234x')).toThrow(DomainError);
    });
  });

  describe('encodeVariableMeasureLabel', () => {
    it('refuses values that are negative, off-scale or too wide for the field', () => {
      expect(() => encodeVariableMeasureLabel(weightRule, '12345', -1)).toThrow(/non-negative multiple of 1/);
      expect(() => encodeVariableMeasureLabel(tenGramRule, '12345', 15)).toThrow(/multiple of 10/);
      expect(() => encodeVariableMeasureLabel(weightRule, '12345', 100_000)).toThrow(/does not fit/);
    });
  });

  describe('VariableMeasureRuleSchema', () => {
    it('accepts the common layouts', () => {
      for (const rule of rules) expect(VariableMeasureRuleSchema.parse(rule)).toEqual(rule);
    });

    it('refuses layouts that do not add up to 13 digits or misuse the price check digit', () => {
      expect(VariableMeasureRuleSchema.safeParse({ ...weightRule, valueDigits: 4 }).success).toBe(false);
      expect(
        VariableMeasureRuleSchema.safeParse({
          ...weightRule,
          itemDigits: 2,
          valueDigits: 7,
          priceCheckDigit: true,
        }).success,
      ).toBe(false);
      expect(VariableMeasureRuleSchema.safeParse({ ...weightRule, prefix: '30' }).success).toBe(false);
    });
  });
});
