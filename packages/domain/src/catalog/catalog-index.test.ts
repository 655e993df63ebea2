import { describe, expect, it } from 'vitest';
import { barcodeKey } from './barcode';
import { CatalogIndex } from './catalog-index';
import type { Sku } from './catalog-schemas';
import {
  encodeVariableMeasureLabel,
  variableMeasureItemBarcode,
  type VariableMeasureRule,
} from './variable-measure';
import { errorOf } from '../test-support';

const weighRule: VariableMeasureRule = { prefix: '21', kind: 'weight', itemDigits: 5, valueDigits: 5 };

function sku(overrides: Partial<Sku> & Pick<Sku, 'sku'>): Sku {
  return {
    productId: `P-${overrides.sku}`,
    name: `Item ${overrides.sku}`,
    unit: 'each',
    taxCategory: 'standard',
    categoryIds: [],
    barcodes: [],
    active: true,
    ...overrides,
  };
}

const skus: Sku[] = [
  sku({ sku: 'COLA', barcodes: ['036000291452', 'COLA-SHELF'] }),
  sku({ sku: 'SOAP', barcodes: ['4006381333931'], active: false }),
  sku({ sku: 'APPLES', unit: 'kg', barcodes: [variableMeasureItemBarcode(weighRule, '00042')] }),
];

describe('catalog-index', () => {
  const index = CatalogIndex.build(skus, { scanRules: [weighRule] });

  describe('lookupByBarcode', () => {
    it('finds a SKU by any spelling of its barcode', () => {
      expect(index.lookupByBarcode('0036000291452')?.sku.sku).toBe('COLA');
      expect(index.lookupByBarcode('36000291452\r')?.sku.sku).toBe('COLA');
      expect(index.lookupByBarcode('cola-shelf')?.sku.sku).toBe('COLA');
    });

    it('finds the weighed SKU from a scale label and returns the weight', () => {
      const match = index.lookupByBarcode(encodeVariableMeasureLabel(weighRule, '00042', 1234));
      expect(match?.sku.sku).toBe('APPLES');
      expect(match?.scan).toMatchObject({ kind: 'variable', weightGrams: 1234 });
    });

    it('returns undefined for an unknown barcode and throws for a malformed one', () => {
      expect(index.lookupByBarcode('96385074')).toBeUndefined();
      expect(errorOf(() => index.lookupByBarcode('96385075')).code).toBe('INVALID_BARCODE');
    });
  });

  describe('requireSellableByBarcode', () => {
    it('returns sellable SKUs and explains unknown and discontinued ones', () => {
      expect(index.requireSellableByBarcode('036000291452').sku.sku).toBe('COLA');
      const unknown = errorOf(() => index.requireSellableByBarcode(' 96385074 '));
      expect(unknown.code).toBe('UNKNOWN_BARCODE');
      expect(unknown.message).toBe(
        'No product has barcode 96385074. Key the item by SKU or set it aside for a supervisor.',
      );
      const discontinued = errorOf(() => index.requireSellableByBarcode('4006381333931'));
      expect(discontinued.code).toBe('NOT_ALLOWED');
      expect(discontinued.message).toMatch(/Item SOAP \(SKU SOAP\) is no longer sold/);
    });
  });

  describe('lookupBySku', () => {
    it('finds SKUs by id, inactive ones included', () => {
      expect(index.lookupBySku('SOAP')?.active).toBe(false);
      expect(index.lookupBySku('NOPE')).toBeUndefined();
      expect(index.size).toBe(3);
    });
  });

  describe('build', () => {
    it('refuses a barcode shared by two SKUs, even spelled differently', () => {
      const error = errorOf(() =>
        CatalogIndex.build([
          sku({ sku: 'A', barcodes: ['036000291452'] }),
          sku({ sku: 'B', barcodes: ['0036000291452'] }),
        ]),
      );
      expect(error.code).toBe('CONFLICT');
      expect(error.details).toMatchObject({ key: barcodeKey('036000291452'), skus: ['A', 'B'] });
    });

    it('allows one SKU to list the same barcode twice', () => {
      const built = CatalogIndex.build([sku({ sku: 'A', barcodes: ['036000291452', '0036000291452'] })]);
      expect(built.lookupByBarcode('036000291452')?.sku.sku).toBe('A');
    });

    it('refuses a repeated SKU id and names the SKU with a malformed barcode', () => {
      expect(errorOf(() => CatalogIndex.build([sku({ sku: 'A' }), sku({ sku: 'A' })])).code).toBe('CONFLICT');
      const bad = errorOf(() => CatalogIndex.build([sku({ sku: 'A', barcodes: ['123'] })]));
      expect(bad.code).toBe('INVALID_BARCODE');
      expect(bad.message).toMatch(/^SKU A has an invalid barcode: Barcode "123" has 3 digits/);
      expect(bad.details).toMatchObject({ sku: 'A', reason: 'wrong_length' });
    });

    it('passes configuration errors through unchanged', () => {
      const broken = { ...weighRule, itemDigits: 9 };
      expect(
        errorOf(() =>
          CatalogIndex.build([sku({ sku: 'A', barcodes: ['036000291452'] })], { scanRules: [broken] }),
        ).code,
      ).toBe('INVALID_INPUT');
    });
  });
});
