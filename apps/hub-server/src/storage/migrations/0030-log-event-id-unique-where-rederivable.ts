import { sql, type Kysely } from 'kysely';
import type { BackendKind } from '../backend-kind';

/**
 * The integration log's unique `event_id` index no longer holds `availability.changed` rows.
 *
 * The index exists so that a fact the hub derives again keeps its one row (outbound-log.ts `EventDraft.key`).
 * An `availability.changed` row's key starts with an id the hub makes fresh for each transaction
 * (transaction-events.ts `availabilityDrafts`), so no later transaction can derive it again, and its id (a
 * version-5 UUID of that key) is unique without the index. Yet they are two of a pushed sale's three log
 * rows, and every one inserted its SHA-1 id at a random place in that index: the costliest b-tree entry a
 * sale writes (docs/performance.md, hub ingest rounds 6 and 7). Every other type keeps the index; ids,
 * rows and what integrations receive are unchanged.
 *
 * SQLite cannot drop a column's UNIQUE constraint, so the table is rebuilt with its rows and indexes as
 * they were (0002 did the same for the feed). PostgreSQL drops the constraint.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- migrations must not depend on today's schema types
export async function up(db: Kysely<any>, kind: BackendKind): Promise<void> {
  if (kind === 'postgres') {
    await sql`alter table integration_events drop constraint integration_events_event_id_key`.execute(db);
  } else {
    await db.schema
      .createTable('integration_events_next')
      .addColumn('seq', 'bigint', (c) => c.primaryKey())
      .addColumn('event_id', 'text', (c) => c.notNull())
      .addColumn('type', 'text', (c) => c.notNull())
      .addColumn('schema_version', 'integer', (c) => c.notNull())
      .addColumn('aggregate_type', 'text', (c) => c.notNull())
      .addColumn('aggregate_id', 'text', (c) => c.notNull())
      .addColumn('node_id', 'text')
      .addColumn('business_date', 'text')
      .addColumn('source_event_id', 'text')
      .addColumn('occurred_at', 'bigint', (c) => c.notNull())
      .addColumn('recorded_at', 'bigint', (c) => c.notNull())
      .addColumn('data', 'text', (c) => c.notNull())
      .execute();
    await sql`insert into integration_events_next
                (seq, event_id, type, schema_version, aggregate_type, aggregate_id, node_id, business_date,
                 source_event_id, occurred_at, recorded_at, data)
              select seq, event_id, type, schema_version, aggregate_type, aggregate_id, node_id, business_date,
                     source_event_id, occurred_at, recorded_at, data
              from integration_events order by seq`.execute(db);
    await db.schema.dropTable('integration_events').execute();
    await db.schema.alterTable('integration_events_next').renameTo('integration_events').execute();
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
  }
  // The predicate is written out the same in the inserts' ON CONFLICT (outbound-log.ts), which both
  // databases require to name this index.
  await sql`create unique index integration_events_event_id on integration_events (event_id)
            where type <> 'availability.changed'`.execute(db);
}
