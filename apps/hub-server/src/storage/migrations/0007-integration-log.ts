import { sql, type Kysely } from 'kysely';
import type { BackendKind } from '../backend-kind';

/**
 * The outbound integration log (docs/integration.md): one row per canonical event, written in the same
 * transaction as the change it describes (a transactional outbox). `seq` is the log's total order,
 * allocated like the change feed's hubSeq (a PostgreSQL sequence taken under the feed's advisory lock, a
 * counter row on SQLite) so rows become visible strictly in `seq` order and a reader never skips one that
 * commits late. `business_date` (the store's local date of the fact) makes the daily journal a range read.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- migrations must not depend on today's schema types
export async function up(db: Kysely<any>, kind: BackendKind): Promise<void> {
  const ms = 'bigint';
  await db.schema
    .createTable('integration_events')
    .addColumn('seq', 'bigint', (c) => c.primaryKey())
    .addColumn('event_id', 'text', (c) => c.notNull().unique())
    .addColumn('type', 'text', (c) => c.notNull())
    .addColumn('schema_version', 'integer', (c) => c.notNull())
    .addColumn('aggregate_type', 'text', (c) => c.notNull())
    .addColumn('aggregate_id', 'text', (c) => c.notNull())
    .addColumn('node_id', 'text')
    .addColumn('business_date', 'text')
    .addColumn('source_event_id', 'text')
    .addColumn('occurred_at', ms, (c) => c.notNull())
    .addColumn('recorded_at', ms, (c) => c.notNull())
    .addColumn('data', 'text', (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('integration_events_recorded')
    .on('integration_events')
    .columns(['recorded_at', 'seq'])
    .execute();
  await db.schema
    .createIndex('integration_events_node_date')
    .on('integration_events')
    .columns(['node_id', 'business_date', 'seq'])
    .execute();
  await db.schema
    .createIndex('integration_events_type_seq')
    .on('integration_events')
    .columns(['type', 'seq'])
    .execute();
  if (kind === 'postgres') {
    await sql`create sequence integration_seq as bigint minvalue 1 start 1`.execute(db);
  } else {
    await db.insertInto('hub_counters').values({ name: 'integration_seq', value: 0 }).execute();
  }
}
