import type { Kysely } from 'kysely';
import type { BackendKind } from '../backend-kind';

/**
 * Store settings from HQ (issue 16 point 3): one row per (scope, key), a scope being the chain, a region or
 * one store; `value` is JSON, null once HQ cleared it (the row stays, so its version keeps counting and an
 * operator's stale edit of a cleared setting is still refused). `revision` numbers every settings change
 * across the chain (from `hq_settings_head`); a store runs the highest revision among the rows that apply
 * to it. The chain-wide values HQ had set before (chain `config` rows of the feed) become chain settings.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- migrations must not depend on today's schema types
export async function up(db: Kysely<any>, _kind: BackendKind): Promise<void> {
  const ms = 'bigint';
  await db.schema
    .createTable('hq_settings')
    .addColumn('scope_kind', 'text', (c) => c.notNull())
    .addColumn('scope_id', 'text', (c) => c.notNull())
    .addColumn('key', 'text', (c) => c.notNull())
    .addColumn('value', 'text')
    .addColumn('version', 'integer', (c) => c.notNull())
    .addColumn('revision', ms, (c) => c.notNull())
    .addColumn('updated_at', ms, (c) => c.notNull())
    .addColumn('updated_by', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('hq_settings_pk', ['scope_kind', 'scope_id', 'key'])
    .execute();
  await db.schema
    .createTable('hq_settings_head')
    .addColumn('id', 'integer', (c) => c.primaryKey())
    .addColumn('revision', ms, (c) => c.notNull())
    .execute();

  const earlier = (await db
    .selectFrom('feed_changes')
    .select(['entity_key', 'data', 'created_at'])
    .where('entity', '=', 'config')
    .where('scope', '=', '*')
    .where('op', '=', 'upsert')
    .orderBy('entity_key')
    .execute()) as { entity_key: string; data: string | null; created_at: number | string }[];
  const carried = earlier.flatMap((row) => {
    if (row.data === null) return [];
    const value = (JSON.parse(row.data) as { value?: unknown }).value;
    return value === undefined || value === null
      ? []
      : [{ key: row.entity_key, value, at: Number(row.created_at) }];
  });
  const revision = carried.length === 0 ? 0 : 1;
  for (const row of carried) {
    await db
      .insertInto('hq_settings')
      .values({
        scope_kind: 'chain',
        scope_id: '',
        key: row.key,
        value: JSON.stringify(row.value),
        version: 1,
        revision,
        updated_at: row.at,
        updated_by: 'migration:0019',
      })
      .execute();
  }
  await db.insertInto('hq_settings_head').values({ id: 1, revision }).execute();
}
