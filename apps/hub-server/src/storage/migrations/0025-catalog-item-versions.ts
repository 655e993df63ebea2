import { sql, type Kysely } from 'kysely';
import type { BackendKind } from '../backend-kind';

/**
 * Catalog items edited from the dashboard (issue 16 point 4): each SKU gets a version that every write
 * (edit, import, API) raises, so an edit names the version the operator saw and a stale one is refused
 * instead of overwriting someone else's change; and its name as a column, so HQ can search 100,000 items
 * by name without parsing each row's JSON.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- migrations must not depend on today's schema types
export async function up(db: Kysely<any>, kind: BackendKind): Promise<void> {
  await db.schema
    .alterTable('skus')
    .addColumn('version', 'bigint', (c) => c.notNull().defaultTo(1))
    .execute();
  await db.schema
    .alterTable('skus')
    .addColumn('name', 'text', (c) => c.notNull().defaultTo(''))
    .execute();
  await sql`update skus set name = ${
    kind === 'postgres' ? sql`(data::json ->> 'name')` : sql`json_extract(data, '$.name')`
  }`.execute(db);
}
