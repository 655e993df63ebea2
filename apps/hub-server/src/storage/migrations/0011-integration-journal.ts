import type { Kysely } from 'kysely';
import type { BackendKind } from '../backend-kind';

/**
 * The ERP journal's bookkeeping (integration/journal.ts): one row per store and business date that has
 * financial events. The journal pass reads the log for such events (from `journal_scan_seq` on, the
 * beginning for a database that has history already), marks their days pending, and publishes a
 * `journal.daily_summary` once a day is over and again (a new revision) when events for it arrive later.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- migrations must not depend on today's schema types
export async function up(db: Kysely<any>, _kind: BackendKind): Promise<void> {
  await db.schema
    .createTable('integration_journal_days')
    .addColumn('node_id', 'text', (c) => c.notNull())
    .addColumn('business_date', 'text', (c) => c.notNull())
    .addColumn('last_event_seq', 'bigint', (c) => c.notNull())
    .addColumn('journaled_seq', 'bigint', (c) => c.notNull())
    .addColumn('pending', 'integer', (c) => c.notNull())
    .addColumn('revision', 'integer', (c) => c.notNull())
    .addColumn('covered_digest', 'text')
    .addColumn('published_at', 'bigint')
    .addPrimaryKeyConstraint('integration_journal_days_pk', ['node_id', 'business_date'])
    .execute();
  await db.schema
    .createIndex('integration_journal_days_pending')
    .on('integration_journal_days')
    .columns(['pending', 'business_date'])
    .execute();
  // How far the journal pass has read the log for financial events (from the start: existing days too).
  await db.insertInto('hub_counters').values({ name: 'journal_scan_seq', value: 0 }).execute();
}
