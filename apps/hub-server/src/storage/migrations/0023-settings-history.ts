import type { Kysely } from 'kysely';
import type { BackendKind } from '../backend-kind';

/**
 * Every value a store setting has had at each scope, by the chain settings revision that set it (issue 16
 * point 2): a sale says which settings version its till ran, and the hub judges its discounts by the limits
 * of that version, not by whatever HQ set since. The rows `hq_settings` holds today are its first entries.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- migrations must not depend on today's schema types
export async function up(db: Kysely<any>, _kind: BackendKind): Promise<void> {
  await db.schema
    .createTable('hq_settings_history')
    .addColumn('scope_kind', 'text', (c) => c.notNull())
    .addColumn('scope_id', 'text', (c) => c.notNull())
    .addColumn('key', 'text', (c) => c.notNull())
    .addColumn('revision', 'bigint', (c) => c.notNull())
    .addColumn('value', 'text')
    .addPrimaryKeyConstraint('hq_settings_history_pk', ['key', 'scope_kind', 'scope_id', 'revision'])
    .execute();
  const current = (await db
    .selectFrom('hq_settings')
    .select(['scope_kind', 'scope_id', 'key', 'revision', 'value'])
    .execute()) as {
    scope_kind: string;
    scope_id: string;
    key: string;
    revision: number;
    value: string | null;
  }[];
  for (const row of current) {
    await db.insertInto('hq_settings_history').values(row).execute();
  }
}
