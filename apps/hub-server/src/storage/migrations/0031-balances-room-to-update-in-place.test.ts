import { describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { backendKinds } from '../../test-support/backends';
import { migrationTest } from '../../test-support/migration-test';

function balance(sku: string, sellable: number) {
  return {
    node_id: 's1',
    sku,
    sellable,
    staged: 0,
    damaged: 0,
    quality_control: 0,
    in_transit: 0,
    committed: 0,
    safety_stock: 0,
    updated_at: 1_000,
  };
}

describe.each(backendKinds())('0031-balances-room-to-update-in-place on %s', (kind) => {
  const migration = migrationTest(kind);

  it('keeps the balances as they were', async () => {
    const old = await migration.openAt('0030-log-event-id-unique-where-rederivable');
    const rows = Array.from({ length: 3 }, (_, index) => balance(`SKU-${index}`, index * 5));
    await old.db.insertInto('stock_balances').values(rows).execute();
    await old.close();

    const storage = await migration.open();
    const kept = await storage.db.selectFrom('stock_balances').selectAll().orderBy('sku').execute();
    expect(kept.map((row) => ({ ...row, sellable: Number(row.sellable) }))).toMatchObject(
      rows.map((row) => ({ node_id: row.node_id, sku: row.sku, sellable: row.sellable })),
    );
  });

  it.runIf(kind === 'postgres')('updates a balance without a new index entry (a HOT update)', async () => {
    const storage = await migration.fresh();
    const options = await sql<{ options: string[] | null }>`select reloptions as options from pg_class
      where relname = 'stock_balances'`.execute(storage.db);
    expect(options.rows[0]?.options).toEqual(['fillfactor=70']);
    // A page of balances as a store's first stock receipt writes them, then a push's worth of updates.
    await storage.db
      .insertInto('stock_balances')
      .values(Array.from({ length: 200 }, (_, index) => balance(`SKU-${index}`, 100)))
      .execute();
    const counts = async () => {
      await sql`select pg_stat_force_next_flush()`.execute(storage.db);
      await sql`select pg_stat_clear_snapshot()`.execute(storage.db);
      const row = (
        await sql<{ updated: string; hot: string }>`select n_tup_upd as updated, n_tup_hot_upd as hot
          from pg_stat_user_tables where relname = 'stock_balances'`.execute(storage.db)
      ).rows[0]!;
      return { updated: Number(row.updated), hot: Number(row.hot) };
    };
    const before = await counts();
    for (let round = 0; round < 3; round += 1) {
      await storage.db
        .updateTable('stock_balances')
        .set({ sellable: sql`sellable - 1`, updated_at: 2_000 + round })
        .where('sku', 'in', ['SKU-1', 'SKU-50', 'SKU-150'])
        .execute();
    }
    const after = await counts();
    expect(after.updated - before.updated).toBe(9);
    expect(after.hot - before.hot).toBe(9);
  });
});
