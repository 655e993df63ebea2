import { sql, type Kysely } from 'kysely';
import type { BackendKind } from '../backend-kind';

/**
 * The feed keeps one row per (entity, key, scope) instead of per (entity, key): when a price book or
 * promotion changes scope, the stores that lose it need a delete row in the old scope while the new
 * audience gets the upsert. SQLite cannot drop a table constraint, so the table is rebuilt (same code
 * on both backends).
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- migrations must not depend on today's schema types
export async function up(db: Kysely<any>, _kind: BackendKind): Promise<void> {
  await db.schema
    .createTable('feed_changes_next')
    .addColumn('hub_seq', 'bigint', (c) => c.primaryKey())
    .addColumn('entity', 'text', (c) => c.notNull())
    .addColumn('entity_key', 'text', (c) => c.notNull())
    .addColumn('op', 'text', (c) => c.notNull())
    .addColumn('data', 'text')
    .addColumn('scope', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addUniqueConstraint('feed_changes_entity_key_scope', ['entity', 'entity_key', 'scope'])
    .execute();
  await sql`insert into feed_changes_next (hub_seq, entity, entity_key, op, data, scope, created_at)
            select hub_seq, entity, entity_key, op, data, scope, created_at from feed_changes`.execute(db);
  await db.schema.dropTable('feed_changes').execute();
  await db.schema.alterTable('feed_changes_next').renameTo('feed_changes').execute();
  await db.schema
    .createIndex('feed_changes_scope_seq_v2')
    .on('feed_changes')
    .columns(['scope', 'hub_seq'])
    .execute();
}
