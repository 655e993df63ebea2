import { describe, expect, it } from 'vitest';
import type { Storage } from '../storage';
import { backendKinds } from '../../test-support/backends';
import { migrationTest } from '../../test-support/migration-test';

async function versions(storage: Storage): Promise<Record<string, number>> {
  const rows = await storage.db.selectFrom('reference_versions').select(['name', 'version']).execute();
  return Object.fromEntries(rows.map((row) => [row.name, Number(row.version)]));
}

describe.each(backendKinds())('0028-reference-versions on %s', (kind) => {
  const migration = migrationTest(kind);

  it('raises a table counter with every write to it, whatever writes, and only its own', async () => {
    const old = await migration.openAt('0027-store-created-staff');
    await old.db.insertInto('tax_rates').values({ rate_id: 'ny', data: '{}', updated_at: 1 }).execute();
    await old.close();

    const storage = await migration.open();
    const start = await versions(storage);
    expect(start).toEqual({ tax_rates: 0, loyalty_programme_history: 0 });

    await storage.db.updateTable('tax_rates').set({ data: '{"a":1}' }).where('rate_id', '=', 'ny').execute();
    const updated = await versions(storage);
    expect(updated.tax_rates).toBeGreaterThan(start.tax_rates!);
    expect(updated.loyalty_programme_history).toBe(0);

    await storage.db.deleteFrom('tax_rates').where('rate_id', '=', 'ny').execute();
    const deleted = await versions(storage);
    expect(deleted.tax_rates).toBeGreaterThan(updated.tax_rates!);

    await storage.db
      .insertInto('loyalty_programme_history')
      .values({ version_id: 'v1', effective_from: 1, programme: '{}', saved_by: 'hq' })
      .execute();
    const programmes = await versions(storage);
    expect(programmes.loyalty_programme_history).toBeGreaterThan(0);
    expect(programmes.tax_rates).toBe(deleted.tax_rates);

    // A write rolled back raises nothing.
    await storage.db
      .transaction()
      .execute(async (trx) => {
        await trx.insertInto('tax_rates').values({ rate_id: 'nj', data: '{}', updated_at: 2 }).execute();
        throw new Error('roll back');
      })
      .catch(() => undefined);
    expect(await versions(storage)).toEqual(programmes);
  });
});
