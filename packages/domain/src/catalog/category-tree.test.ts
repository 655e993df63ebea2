import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { DomainError } from '../errors';
import type { Category } from './catalog-schemas';
import { buildCategoryLineage, skuCategoryIds } from './category-tree';

const tree: Category[] = [
  { categoryId: 'whole-milk', name: 'Whole milk', parentId: 'milk' },
  { categoryId: 'milk', name: 'Milk', parentId: 'dairy' },
  { categoryId: 'dairy', name: 'Dairy', parentId: 'food' },
  { categoryId: 'food', name: 'Food' },
  { categoryId: 'cheese', name: 'Cheese', parentId: 'dairy' },
];

describe('category-tree', () => {
  describe('buildCategoryLineage', () => {
    it('lists each category then its ancestors up to the root, whatever the input order', () => {
      const lineage = buildCategoryLineage(tree);
      expect(lineage.get('whole-milk')).toEqual(['whole-milk', 'milk', 'dairy', 'food']);
      expect(lineage.get('cheese')).toEqual(['cheese', 'dairy', 'food']);
      expect(lineage.get('food')).toEqual(['food']);
      fc.assert(
        fc.property(fc.shuffledSubarray(tree, { minLength: tree.length }), (shuffled) => {
          expect(buildCategoryLineage(shuffled)).toEqual(lineage);
        }),
        { numRuns: 30 },
      );
    });

    it('refuses a cycle and names it', () => {
      const cyclic: Category[] = [
        { categoryId: 'a', name: 'A', parentId: 'b' },
        { categoryId: 'b', name: 'B', parentId: 'a' },
      ];
      expect(() => buildCategoryLineage(cyclic)).toThrow('Categories a → b → a form a cycle');
    });

    it('refuses an unknown parent and a duplicate id', () => {
      expect(() => buildCategoryLineage([{ categoryId: 'milk', name: 'Milk', parentId: 'dairy' }])).toThrow(
        'Category milk has parent dairy, which does not exist.',
      );
      try {
        buildCategoryLineage([tree[3] as Category, tree[3] as Category]);
        expect.unreachable();
      } catch (error) {
        expect((error as DomainError).code).toBe('CONFLICT');
      }
    });
  });

  describe('skuCategoryIds', () => {
    it('returns the lineage of the SKU category, or nothing for an uncategorised SKU', () => {
      const lineage = buildCategoryLineage(tree);
      expect(skuCategoryIds('milk', lineage)).toEqual(['milk', 'dairy', 'food']);
      expect(skuCategoryIds(undefined, lineage)).toEqual([]);
      expect(() => skuCategoryIds('toys', lineage)).toThrow('Category toys does not exist.');
    });
  });
});
