import { sql, type Kysely } from 'kysely';
import type { BackendKind } from '../backend-kind';

/**
 * Reference data every push reads (tax rates, the loyalty programme's history) changes rarely, so a hub
 * process may keep it between transactions, but only if it can tell, in a statement it sends anyway, that
 * no process changed it since. `reference_versions` holds a counter per table, raised by a trigger in the
 * same transaction as any write to it (whoever writes: an HQ action, an import, a hub process of another
 * version, a person with psql), so a process that reads the counter sees a change exactly when it may see
 * the changed rows (docs/performance.md, push-cost round 3).
 */
export const REFERENCE_TABLES = ['tax_rates', 'loyalty_programme_history'] as const;

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- migrations must not depend on today's schema types
export async function up(db: Kysely<any>, kind: BackendKind): Promise<void> {
  await db.schema
    .createTable('reference_versions')
    .addColumn('name', 'text', (c) => c.primaryKey())
    .addColumn('version', kind === 'postgres' ? 'bigint' : 'integer', (c) => c.notNull().defaultTo(0))
    .execute();
  await db
    .insertInto('reference_versions')
    .values(REFERENCE_TABLES.map((name) => ({ name, version: 0 })))
    .execute();
  if (kind === 'postgres') {
    await sql`
      create function hub_reference_changed() returns trigger language plpgsql as $$
      begin
        update reference_versions set version = version + 1 where name = TG_TABLE_NAME;
        return null;
      end
      $$`.execute(db);
    for (const table of REFERENCE_TABLES) {
      await sql
        .raw(
          `create trigger ${table}_version after insert or update or delete or truncate on ${table}
             for each statement execute function hub_reference_changed()`,
        )
        .execute(db);
    }
    return;
  }
  for (const table of REFERENCE_TABLES) {
    for (const operation of ['insert', 'update', 'delete']) {
      await sql
        .raw(
          `create trigger ${table}_version_${operation} after ${operation} on ${table} begin
             update reference_versions set version = version + 1 where name = '${table}'; end`,
        )
        .execute(db);
    }
  }
}
