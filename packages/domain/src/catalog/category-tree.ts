import { DomainError, invalid } from '../errors';
import type { Category } from './catalog-schemas';

/**
 * For every category, its id followed by its ancestors' ids up to the root. `Sku.categoryIds` is the
 * lineage of the SKU's category, so a promotion on "Dairy" also matches a SKU filed under "Dairy > Milk".
 * Refuses duplicate ids, unknown parents and cycles, which would otherwise give SKUs wrong or endless
 * category lists.
 */
export function buildCategoryLineage(
  categories: readonly Category[],
): ReadonlyMap<string, readonly string[]> {
  const byId = new Map<string, Category>();
  for (const category of categories) {
    if (byId.has(category.categoryId)) {
      throw new DomainError(
        'CONFLICT',
        'catalog.categoryListedTwice',
        { categoryId: category.categoryId },
        {
          categoryId: category.categoryId,
        },
      );
    }
    byId.set(category.categoryId, category);
  }
  const lineage = new Map<string, readonly string[]>();
  for (const category of categories) {
    const path: string[] = [];
    const onPath = new Set<string>();
    let current: Category | undefined = category;
    while (current !== undefined) {
      const known = lineage.get(current.categoryId);
      if (known !== undefined) {
        path.push(...known);
        break;
      }
      if (onPath.has(current.categoryId)) {
        const cycle = [...path.slice(path.indexOf(current.categoryId)), current.categoryId];
        throw invalid('catalog.categoriesFormCycleCategory', { cycle: cycle.join(' → ') }, { cycle });
      }
      onPath.add(current.categoryId);
      path.push(current.categoryId);
      const parentId: string | undefined = current.parentId;
      if (parentId === undefined) break;
      current = byId.get(parentId);
      if (current === undefined) {
        throw invalid(
          'catalog.categoryParentNotExist',
          { path: String(path[path.length - 1]), parentId },
          { categoryId: path[path.length - 1], parentId },
        );
      }
    }
    // Every suffix of the path is the lineage of the category it starts with: memoise them all.
    for (let index = 0; index < path.length; index += 1) {
      const id = path[index] as string;
      if (!lineage.has(id)) lineage.set(id, path.slice(index));
    }
  }
  return lineage;
}

/** `Sku.categoryIds` for a SKU filed under `categoryId` (empty when it has none). */
export function skuCategoryIds(
  categoryId: string | undefined,
  lineage: ReadonlyMap<string, readonly string[]>,
): string[] {
  if (categoryId === undefined) return [];
  const ids = lineage.get(categoryId);
  if (ids === undefined) {
    throw invalid('catalog.categoryNotExist', { categoryId }, { categoryId });
  }
  return [...ids];
}
