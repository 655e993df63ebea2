import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { backendKinds } from '../../test-support/backends';
import { migrationTest } from '../../test-support/migration-test';

describe.each(backendKinds())('0025-catalog-item-versions on %s', (kind) => {
  const migration = migrationTest(kind);

  it('starts every stored SKU at version 1 with its name searchable', async () => {
    const old = await migration.openAt('0024-hq-edit-versions');
    const sku = {
      sku: 'MILK-1L',
      productId: 'milk',
      name: 'Milk 1 l',
      unit: 'each',
      taxCategory: 'food',
      categoryIds: [],
      barcodes: [],
      active: true,
    };
    // The columns SKUs had before this migration (today's schema adds name and version).
    await sql`insert into skus (sku, product_id, active, data, updated_at)
      values (${sku.sku}, ${sku.productId}, 1, ${JSON.stringify(sku)}, 1)`.execute(old.db);
    await old.close();
    const storage = await migration.open();
    const rows = await storage.db.selectFrom('skus').select(['sku', 'name', 'version']).execute();
    expect(rows.map((row) => ({ ...row, version: Number(row.version) }))).toEqual([
      { sku: 'MILK-1L', name: 'Milk 1 l', version: 1 },
    ]);
  });
});
