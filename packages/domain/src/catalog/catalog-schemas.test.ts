import { describe, expect, it } from 'vitest';
import { CategorySchema, ProductSchema, SkuSchema, type Sku } from './catalog-schemas';

const milk: Sku = {
  sku: 'MILK-1L',
  productId: 'P-MILK',
  name: 'Whole milk 1 L',
  unit: 'each',
  taxCategory: 'food',
  categoryIds: ['milk', 'dairy'],
  barcodes: ['4006381333931', 'LBL-42'],
  active: true,
};

describe('catalog-schemas', () => {
  describe('SkuSchema', () => {
    it('accepts a complete SKU unchanged', () => {
      expect(SkuSchema.parse(milk)).toEqual(milk);
    });

    it('reports each bad barcode at its index with the barcode message', () => {
      const result = SkuSchema.safeParse({ ...milk, barcodes: ['4006381333931', '4006381333932', '12'] });
      expect(result.success).toBe(false);
      const issues = result.error?.issues ?? [];
      expect(issues.map((issue) => issue.path)).toEqual([
        ['barcodes', 1],
        ['barcodes', 2],
      ]);
      expect(issues[0]?.message).toMatch(/check digit/);
      expect(issues[1]?.message).toMatch(/has 2 digits/);
    });

    it('refuses a repeated category, an unknown unit and a missing name', () => {
      expect(
        SkuSchema.safeParse({ ...milk, categoryIds: ['milk', 'milk'] }).error?.issues[0]?.message,
      ).toMatch(/lists a category twice/);
      expect(SkuSchema.safeParse({ ...milk, unit: 'litre' }).success).toBe(false);
      expect(SkuSchema.safeParse({ ...milk, name: '  ' }).success).toBe(false);
    });
  });

  describe('CategorySchema', () => {
    it('accepts roots and children and refuses a category that is its own parent', () => {
      expect(CategorySchema.parse({ categoryId: 'dairy', name: 'Dairy' })).toEqual({
        categoryId: 'dairy',
        name: 'Dairy',
      });
      expect(CategorySchema.safeParse({ categoryId: 'milk', name: 'Milk', parentId: 'dairy' }).success).toBe(
        true,
      );
      expect(
        CategorySchema.safeParse({ categoryId: 'x', name: 'X', parentId: 'x' }).error?.issues[0]?.message,
      ).toBe('A category cannot be its own parent.');
    });
  });

  describe('ProductSchema', () => {
    it('accepts optional brand and category and trims names', () => {
      expect(ProductSchema.parse({ productId: 'P1', name: ' Milk ', brand: 'Acme' })).toEqual({
        productId: 'P1',
        name: 'Milk',
        brand: 'Acme',
      });
      expect(ProductSchema.safeParse({ productId: '', name: 'Milk' }).success).toBe(false);
    });
  });
});
