import type { Kysely } from 'kysely';
import type { BackendKind } from '../backend-kind';

/**
 * The settle period of late journal revisions (integration/journal.ts, docs/integration.md): when the
 * events a store day's published journals do not cover yet first and last arrived at the hub. A late
 * revision goes out once none arrived for the settle interval, or at the latest the maximum delay after
 * the first; kept in the database so a leader change or a restart loses no pending revision. Null on a
 * row from before (and once everything is covered): such a day is due at once, as before.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- migrations must not depend on today's schema types
export async function up(db: Kysely<any>, _kind: BackendKind): Promise<void> {
  await db.schema.alterTable('integration_journal_days').addColumn('pending_since', 'bigint').execute();
  await db.schema.alterTable('integration_journal_days').addColumn('last_arrival_at', 'bigint').execute();
}
