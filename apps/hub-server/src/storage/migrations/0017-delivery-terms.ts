import type { Kysely } from 'kysely';
import type { BackendKind } from '../backend-kind';

/**
 * Cost and SLA routing (issue 18 item 3): HQ places nodes in shipping zones with a daily cut-off, and sets
 * lanes between zones with a shipping cost and transit days. Routing reads them per candidate.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- migrations must not depend on today's schema types
export async function up(db: Kysely<any>, _kind: BackendKind): Promise<void> {
  const ms = 'bigint';
  await db.schema
    .createTable('node_delivery_terms')
    .addColumn('node_id', 'text', (c) => c.primaryKey())
    .addColumn('zone', 'text', (c) => c.notNull())
    .addColumn('cutoff_minute', 'integer', (c) => c.notNull())
    .addColumn('updated_by', 'text', (c) => c.notNull())
    .addColumn('updated_at', ms, (c) => c.notNull())
    .execute();
  await db.schema
    .createTable('delivery_lanes')
    .addColumn('from_zone', 'text', (c) => c.notNull())
    .addColumn('to_zone', 'text', (c) => c.notNull())
    .addColumn('transit_days', 'integer', (c) => c.notNull())
    .addColumn('cost', 'bigint', (c) => c.notNull())
    .addColumn('currency', 'text', (c) => c.notNull())
    .addColumn('updated_by', 'text', (c) => c.notNull())
    .addColumn('updated_at', ms, (c) => c.notNull())
    .addPrimaryKeyConstraint('delivery_lanes_pk', ['from_zone', 'to_zone'])
    .execute();
}
