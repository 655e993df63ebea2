import type { Kysely } from 'kysely';
import type { BackendKind } from '../backend-kind';

/**
 * Dashboard editing (issue 16 point 4): a device's name and a webhook endpoint's settings get a version
 * the operator's edit names, so an edit made on a stale screen is refused instead of silently undoing
 * someone else's. Transfers HQ ships get the same human number as the tills' (`T-{code}-{deviceNo}-{seq}`,
 * with device number 0 for HQ, which no till can have): the counter per shipping node lives here.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- migrations must not depend on today's schema types
export async function up(db: Kysely<any>, _kind: BackendKind): Promise<void> {
  await db.schema
    .alterTable('devices')
    .addColumn('version', 'integer', (c) => c.notNull().defaultTo(1))
    .execute();
  await db.schema
    .alterTable('integration_subscriptions')
    .addColumn('version', 'integer', (c) => c.notNull().defaultTo(1))
    .execute();
  await db.schema
    .createTable('hq_transfer_numbers')
    .addColumn('node_id', 'text', (c) => c.primaryKey())
    .addColumn('last_seq', 'bigint', (c) => c.notNull())
    .execute();
}
